"""Real pools from ../shared/data loaded and summarised (counts from its README.md).

These tests fail under CI and skip elsewhere when the data folder is missing (see the
``shared_data`` fixture in tests/conftest.py).
"""

from __future__ import annotations

import pytest

from core.errors import InputError
from core.pool import load_pool

ALPACA_FILES = {
    "alpaca/alpaca_5000.json": 5000,
    "alpaca/alpagasus_random_9k.json": 9229,
    "alpaca/alpagasus_claude_t45.json": 5305,
    "alpaca/alpagasus_helpfulness_t45.json": 2022,
    "codealpaca/code_alpaca_2k.json": 2017,
}


@pytest.mark.parametrize("rel, rows", sorted(ALPACA_FILES.items()))
def test_alpaca_subsets(shared_data, rel, rows):
    loaded = load_pool(shared_data / rel)
    info = loaded.info
    assert (info.container, info.shape) == ("json", "alpaca")
    assert info.rows == info.records_read == rows
    assert info.duplicates == 0
    assert info.extra_columns == []
    assert info.bad_lines_skipped == info.bad_records_skipped == 0
    frame = loaded.frame
    assert frame["id"].is_unique
    assert (frame["instruction"].str.len() > 0).all()
    assert frame["source"].iloc[-1] == f"{rel.split('/')[-1]}:{rows}"


def test_alpaca_overlaps_match_the_readme(shared_data):
    """Ids are content hashes, so the README's overlaps between subsets of the same 52K
    Alpaca rows are reproduced exactly from the ids."""
    ids = {name: set(load_pool(shared_data / "alpaca" / f"{name}.json").frame["id"])
           for name in ("alpaca_5000", "alpagasus_random_9k", "alpagasus_claude_t45",
                        "alpagasus_helpfulness_t45")}
    a, r, c, h = (ids[n] for n in ("alpaca_5000", "alpagasus_random_9k",
                                   "alpagasus_claude_t45", "alpagasus_helpfulness_t45"))
    assert (len(a & r), len(a & c), len(r & c), len(r & h), len(c & h)) == (
        875, 512, 935, 355, 165)
    assert len(a | r | c | h) == 18_669


def test_dolly_with_category_and_two_duplicates(shared_data):
    loaded = load_pool(shared_data / "dolly" / "alpagasus_dolly_3k.json")
    info = loaded.info
    assert info.shape == "alpaca"
    assert info.records_read == 2996
    assert info.duplicates == 2
    assert info.rows == 2994
    assert info.extra_columns == ["category"]
    counts = loaded.frame["category"].value_counts()
    assert len(counts) == 8
    assert {"open_qa", "classification", "brainstorming", "creative_writing",
            "summarization"} <= set(counts.index)
    assert int(counts.sum()) == 2994
    kept = load_pool(shared_data / "dolly" / "alpagasus_dolly_3k.json", keep_duplicates=True)
    assert kept.info.rows == 2996
    assert kept.frame["id"].str.endswith("~2").sum() == 2


@pytest.mark.parametrize("split, rows", [("test", 1319), ("train", 7473)])
def test_gsm8k_question_answer(shared_data, split, rows):
    loaded = load_pool(shared_data / "gsm8k" / f"{split}.jsonl")
    assert (loaded.info.container, loaded.info.shape) == ("jsonl", "question_answer")
    assert loaded.info.rows == rows
    assert loaded.frame["response"].str.contains("####").all()
    assert (loaded.frame["input"] == "").all()


@pytest.mark.parametrize("name, rows, extras", [
    ("codegen-instruct.json", 4535, []),
    ("roleplay-simple-deduped-roleplay-instruct.json", 1923, []),
    ("toolformer-dedupe-only-dataset.json", 7673, ["example_input"]),
])
def test_gpteacher_response_variant(shared_data, name, rows, extras):
    loaded = load_pool(shared_data / "gpteacher" / name)
    assert loaded.info.shape == "alpaca"
    assert loaded.info.rows == rows
    assert loaded.info.extra_columns == extras
    assert (loaded.frame["response"].str.len() > 0).mean() > 0.99


def test_alpaca_libre_v2_malformed_lines(shared_data):
    path = shared_data / "alpaca_libre" / "alpaca_libre_tasks_v2.jsonl"
    with pytest.raises(InputError) as err:
        load_pool(path)
    assert err.value.line == 2279
    assert str(err.value).startswith(f"{path}:2279: invalid JSON")
    assert "--skip-bad-lines" in str(err.value)
    loaded = load_pool(path, skip_bad_lines=True)
    assert loaded.info.bad_lines_skipped == 14
    assert loaded.info.records_read == 2280
    assert loaded.info.rows + loaded.info.duplicates == 2280
    assert loaded.info.extra_columns == ["status", "other"]
    assert (loaded.frame["status"] == "ok").sum() > 1000
    assert loaded.info.skipped_examples[0].startswith("line 2279: invalid JSON")


def test_alpaca_libre_v1_has_status_and_similarity(shared_data):
    loaded = load_pool(shared_data / "alpaca_libre" / "alpaca_libre_tasks_v1.jsonl")
    assert loaded.info.records_read == 2375
    assert loaded.info.extra_columns == ["status", "similarity"]


def test_t0_template_prompt_completion(shared_data):
    folder = shared_data / "t0_train_50k" / "data_per_template"
    path = folder / "adversarial_qa_dbert_answer_the_following_q.jsonl"
    loaded = load_pool(path)
    assert (loaded.info.container, loaded.info.shape) == ("jsonl", "prompt_completion")
    assert loaded.info.rows == 200
    responses = loaded.frame["response"]
    assert not responses.str.contains("<|endoftext|>", regex=False).any()
    assert (responses.str.len() > 0).all()
    assert (loaded.frame["instruction"].str.len() > responses.str.len()).mean() > 0.9


def _root_conftest(config):
    """tests/conftest.py as pytest loaded it (several conftest modules share that name)."""
    from pathlib import Path

    target = Path(__file__).resolve().parents[1] / "conftest.py"
    for plugin in config.pluginmanager.get_plugins():
        path = getattr(plugin, "__file__", None)
        if path and Path(path).resolve() == target:
            return plugin
    pytest.fail("tests/conftest.py is not loaded")


@pytest.mark.parametrize("ci, outcome", [("true", pytest.fail.Exception),
                                         (None, pytest.skip.Exception)])
def test_missing_shared_data_fails_under_ci_and_skips_otherwise(request, tmp_path, monkeypatch,
                                                                 ci, outcome):
    conftest = _root_conftest(request.config)
    monkeypatch.setattr(conftest, "SHARED_DATA", tmp_path / "absent")
    if ci:
        monkeypatch.setenv("CI", ci)
    else:
        monkeypatch.delenv("CI", raising=False)
    with pytest.raises(outcome, match="absent"):
        conftest.require_shared_data()
