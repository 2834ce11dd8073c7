"""Quality scorers, the spec grammar and rank normalisation."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from core.errors import InputError
from core.quality import (
    ColumnScorer,
    HeuristicScorer,
    LengthScorer,
    WeightedScorer,
    canonical_spec,
    heuristic_flags,
    parse_quality_spec,
    quality_scores,
    rank_normalize,
)


@pytest.fixture
def frame():
    return pd.DataFrame({
        "instruction": ["Name a fruit.", "Explain gravity to a child in simple words please.",
                        "Write a poem.", "Translate 'cat' into French.", "Summarise this."],
        "input": ["", "", "", "", ""],
        "response": ["Apple.", "Gravity pulls things toward each other, like the Earth pulls "
                     "you down so you do not float away.", "",
                     "Le chat.", "As an AI language model, I cannot summarise that."],
        "score": [3.0, 5.0, None, 1.0, 2.0],
        "label": ["a", "b", "c", "d", "e"],
    })


def test_rank_normalize_ties_nan_and_edges():
    np.testing.assert_allclose(rank_normalize(np.array([10.0, 30.0, 20.0])), [0.0, 1.0, 0.5])
    np.testing.assert_allclose(rank_normalize(np.array([1.0, 1.0, 2.0, np.nan])),
                               [0.5, 0.5, 1.0, 0.0])
    np.testing.assert_allclose(rank_normalize(np.array([7.0, 7.0])), [0.5, 0.5])
    assert rank_normalize(np.array([3.0])).tolist() == [1.0]
    assert rank_normalize(np.array([])).size == 0


def test_spec_grammar_and_canonical_form():
    assert parse_quality_spec("none") is None
    assert isinstance(parse_quality_spec("length"), LengthScorer)
    assert isinstance(parse_quality_spec(None), HeuristicScorer)  # the default
    col = parse_quality_spec("column:-score")
    assert isinstance(col, ColumnScorer) and col.lower_is_better and col.column == "score"
    mix = parse_quality_spec(" 0.7 * column:score + 0.3*length ")
    assert isinstance(mix, WeightedScorer)
    assert [w for w, _ in mix.parts] == [0.7, 0.3]
    assert canonical_spec("0.7*column:score+0.3*length") == "0.7*column:score+0.3*length"
    assert canonical_spec("1*length") == "length" and canonical_spec("NONE") == "none"


@pytest.mark.parametrize("spec,message", [
    ("", "empty quality spec"),
    ("lenght", "unknown quality term 'lenght'"),
    ("0.5*none+0.5*length", "'none' cannot be part"),
    ("0*length", "weight must be greater than 0"),
    ("x*length", "cannot read the weight"),
    ("length+", "empty term"),
    ("column:", "names no column"),
])
def test_bad_specs_are_one_line_input_errors(spec, message):
    with pytest.raises(InputError, match=message) as info:
        parse_quality_spec(spec)
    assert "\n" not in str(info.value) and info.value.field == "quality"


def test_unknown_column_names_the_available_ones(frame):
    with pytest.raises(InputError, match=r"unknown column 'rating'.*available columns: "
                       r"instruction, input, response, score, label"):
        quality_scores(frame, "column:rating")
    with pytest.raises(InputError, match="no numeric values"):
        quality_scores(frame, "column:label")


def test_column_direction_and_missing_values(frame):
    up = quality_scores(frame, "column:score")
    down = quality_scores(frame, "column:-score")
    assert np.argmax(up) == 1 and up[2] == 0.0  # the missing score ranks lowest
    assert np.argmax(down) == 3 and down[2] == 0.0


def test_length_counts_wordpiece_tokens(frame):
    raw = LengthScorer().score(frame)
    assert raw[2] == 0 and raw[1] > raw[0] > 0
    assert raw[0] == 2  # "Apple." -> "apple", "."


def test_heuristic_flags_and_scores(frame):
    flags = heuristic_flags(frame["instruction"].tolist(), frame["response"].tolist())
    assert flags["empty"].tolist() == [False, False, True, False, False]
    assert flags["refusal"].tolist() == [False, False, False, False, True]
    scores = HeuristicScorer().score(frame)
    assert scores[2] == 0.0 and scores[1] == 1.0
    assert scores[4] < scores[1] and scores[0] < scores[1]  # refusal; "Apple." is too short


def test_heuristic_truncation_repetition_and_copy():
    long_cut = ("The process begins when water evaporates from the ocean surface and rises "
                "into the atmosphere where it cools and condenses into")
    listing = "Steps:\n1. Boil water\n2. Add pasta\n3. Stir every minute until it is soft"
    looping = " ".join(["the cat sat on the mat."] * 12)
    instr = "Describe the water cycle in three short sentences for a school report today"
    flags = heuristic_flags([instr, "List steps.", "Say something.", instr],
                            [long_cut, listing, looping, instr + "."])
    assert flags["truncated"].tolist() == [True, False, False, False]
    assert flags["repetition"][2] > 0.7 and flags["repetition"][0] == 0.0
    assert flags["copied_instruction"].tolist() == [False, False, False, True]


def test_weighted_combination_mixes_rank_normalised_parts(frame):
    w = quality_scores(frame, "0.5*column:score+0.5*length")
    a = rank_normalize(np.nan_to_num(frame["score"].to_numpy(dtype=float), nan=-np.inf))
    b = rank_normalize(LengthScorer().score(frame))
    np.testing.assert_allclose(w, rank_normalize(0.5 * a + 0.5 * b))
    assert w.min() == 0.0 and w.max() == 1.0
