"""Instruction units (root verb + direct object): the rules on hand-labelled examples, the
rules' agreement with spaCy on 500 real instructions, and the unit_balanced strategy."""

from __future__ import annotations

import os
import random

import numpy as np
import pytest

from core.units import NO_UNIT, rule_unit

# Hand-labelled: what a reader (and Self-Instruct's verb-noun analysis) calls the unit.
LABELLED = [
    ("Write a short poem about the sea.", "write poem"),
    ("Classify the sentiment of this review: the room was dirty.", "classify sentiment"),
    ("Give me three tips for staying healthy.", "give tip"),
    ("Please write a Python function that returns the sum of a list.", "write function"),
    ("Can you summarize the following article?", "summarize article"),
    ("Generate a list of 5 fruits", "generate list"),
    ("How do I bake bread?", "bake bread"),
    ("What is the capital of France?", "be"),
    ("Explain why the sky is blue.", "explain"),
    ("Translate the sentence into French.", "translate sentence"),
    ("I want you to act as a travel guide.", "act"),
    ("Rewrite these sentences in the passive voice.", "rewrite sentence"),
    ("Identify the main idea of the passage.", "identify idea"),
    ("Create a SQL query that selects all users.", "create query"),
    ("There are 5 apples in a basket.", "be"),
    ("Mike has 5 apples and buys 3 more.", "have apple"),
    ("Describe the process of photosynthesis", "describe process"),
    ("Name three famous painters.", "name painter"),
    ("", NO_UNIT),
    ("The, of and.", NO_UNIT),
]


@pytest.mark.parametrize(("text", "unit"), LABELLED)
def test_rules_on_hand_labelled_examples(text, unit):
    assert rule_unit(text) == unit


def test_rules_agree_with_spacy_on_500_real_instructions(shared_data):
    """Measured: 50.0% of units and 56.0% of root verbs equal (GSM8K's narrative first
    sentences and questions differ most); the thresholds sit just below."""
    from core.pool import load_pool
    from core.units import spacy_pipeline, spacy_units

    if spacy_pipeline() is None:
        reason = "spaCy or its English model is not installed (requirements.txt)"
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)
    rows = []
    for rel in ("dolly/alpagasus_dolly_3k.json", "alpaca/alpaca_5000.json",
                "codealpaca/code_alpaca_2k.json", "gsm8k/train.jsonl"):
        rows += load_pool(shared_data / rel).frame["instruction"].tolist()
    random.Random(0).shuffle(rows)
    rows = rows[:500]
    ours, theirs = [rule_unit(t) for t in rows], spacy_units(rows)
    unit_agree = np.mean([a == b for a, b in zip(ours, theirs, strict=True)])
    verb_agree = np.mean([a.split()[0] == b.split()[0] for a, b in zip(ours, theirs,
                                                                       strict=True)])
    print(f"rules vs spaCy on 500 instructions: units {unit_agree:.3f}, verbs {verb_agree:.3f}")
    assert unit_agree >= 0.47 and verb_agree >= 0.53


def test_unit_balanced_covers_more_units_than_random(tiny_workspace, run_cli):
    from core.metrics.composition import composition_values
    from core.select.request import SelectionRequest
    from core.select.run import run_selection
    from core.workspace.units import workspace_units

    codes, names, parser = workspace_units(tiny_workspace, "instruction", "rules")
    assert parser == "rules" and "write function" in names and "classify sentiment" in names
    k = len(names)
    res = run_selection(tiny_workspace,
                        SelectionRequest("unit_balanced", k, {"side": "instruction"}))
    assert np.unique(codes[res.indices]).size == k  # every unit once before any twice
    assert res.objective_trace[-1] == k and res.config["params"]["parser"] == "rules"
    rnd = run_selection(tiny_workspace, SelectionRequest("random", k, {}, seed=1))
    covered = composition_values(None, res.indices, {"instruction": codes})
    assert covered["distinct_units_instruction"] == 1.0
    assert np.unique(codes[rnd.indices]).size < k
    code, out, err = run_cli("select", "--workspace", tiny_workspace.root, "--strategy",
                             "unit_balanced", "--k", "6", "--param", "side=response")
    assert code == 0, err
    code, _, err = run_cli("select", "--workspace", tiny_workspace.root, "--strategy",
                           "unit_balanced", "--k", "6", "--param", "side=both")
    assert code == 2 and "side must be" in err
