"""The loader reads LLaMA-Factory's Alpaca ``system`` and ``history`` fields as the
conversation (what the Alpaca export writes for multi-turn rows)."""

from __future__ import annotations

import json

import pytest

from core.errors import InputError
from core.pool import load_pool, record_id


def _load(tmp_path, records, name="pool.json"):
    path = tmp_path / name
    path.write_text(json.dumps(records), encoding="utf-8")
    return load_pool(path).frame


def test_history_and_system_become_the_turns(tmp_path):
    rec = {"instruction": "And now?", "input": "ctx", "output": "Done.", "system": "Be brief.",
           "history": [["Hi", "Hello"]], "category": "chat"}
    frame = _load(tmp_path, [rec])
    turns = [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hi"},
             {"role": "assistant", "content": "Hello"},
             {"role": "user", "content": "And now?\n\nctx"},
             {"role": "assistant", "content": "Done."}]
    row = frame.iloc[0]
    assert json.loads(row["conversation"]) == turns
    assert row["id"] == record_id("", "", "", turns)
    assert (row["instruction"], row["input"], row["response"]) == ("Hi", "", "Done.")
    assert list(frame.columns)[-1] == "category"  # system/history are not extra columns


def test_empty_history_and_system_leave_a_plain_row(tmp_path):
    frame = _load(tmp_path, [{"instruction": "a", "input": "b", "output": "c", "system": "",
                              "history": []}])
    assert frame["conversation"].isna().all()
    assert frame["id"].tolist() == [record_id("a", "b", "c")]


def test_system_only_keeps_instruction_and_input_apart(tmp_path):
    frame = _load(tmp_path, [{"instruction": "a", "input": "b", "output": "c", "system": "s"}])
    assert (frame["instruction"][0], frame["input"][0]) == ("a", "b")
    assert json.loads(frame["conversation"][0])[0] == {"role": "system", "content": "s"}


def test_history_as_json_text_as_in_a_csv_cell(tmp_path):
    path = tmp_path / "pool.csv"
    path.write_text('instruction,input,output,history\nq2,,a2,"[[""q1"", ""a1""]]"\n')
    frame = load_pool(path).frame
    assert [t["content"] for t in json.loads(frame["conversation"][0])] == ["q1", "a1", "q2",
                                                                           "a2"]


@pytest.mark.parametrize("history,problem", [
    ("not json", "text that is not JSON"), ({"q": "a"}, "expected a list"),
    ([["only one"]], "item 1 of field 'history'")])
def test_bad_history_is_one_line(tmp_path, history, problem):
    with pytest.raises(InputError, match=problem):
        _load(tmp_path, [{"instruction": "a", "output": "b", "history": history}])
