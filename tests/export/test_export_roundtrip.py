"""Every export format loads back through core.pool.load_pool to the same ids and text.

Property tests: hypothesis generates source records (Alpaca with inputs, extras, system
prompts and LLaMA-Factory history; ShareGPT chats with system/tool turns and odd role
orders), unicode throughout; the loader turns them into canonical rows, which are exported
in every format and loaded again.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.errors import InputError
from core.export.formats import FORMATS, data_file_name, write_data
from core.export.records import alpaca_rounds, extra_key_names, row_turns
from core.pool import CANONICAL_COLUMNS, load_pool, record_id

TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=30)
WORDY = st.text(st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=20)
EXTRA_VALUE = st.one_of(st.none(), st.integers(-10**6, 10**6), WORDY, st.booleans())

ALPACA_RECORD = st.fixed_dictionaries(
    {"instruction": TEXT, "input": TEXT, "output": TEXT},
    optional={"system": TEXT, "history": st.lists(st.tuples(TEXT, TEXT).map(list), max_size=3),
              "category": WORDY})

ROLES = st.sampled_from(["human", "gpt", "system", "observation", "user", "assistant", "tool",
                         "function_call"])
CHAT_RECORD = st.fixed_dictionaries(
    {"conversations": st.lists(st.fixed_dictionaries({"from": ROLES, "value": TEXT}),
                               min_size=2, max_size=6)},
    optional={"tag": WORDY}).filter(
        lambda r: {"human", "user"} & {t["from"] for t in r["conversations"]} and
        {"gpt", "assistant"} & {t["from"] for t in r["conversations"]})

SETTINGS = settings(max_examples=15, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def _canonical(records: list[dict], folder: Path, fmt: str = "auto"):
    src = folder / "pool.json"
    src.write_text(json.dumps(records, ensure_ascii=False), encoding="utf-8")
    return load_pool(src, fmt=fmt).frame


def _turns_by_id(frame) -> dict[str, list]:
    rows = frame.to_dict("records")
    return {r["id"]: [(t["role"], t["content"]) for t in row_turns(r)] for r in rows}


def _roundtrip(frame, fmt: str, folder: Path):
    path = folder / data_file_name("sel", fmt)
    write_data(frame, fmt, path)
    return load_pool(path).frame


def _check_same(frame, back, fmt: str) -> None:
    assert back["id"].tolist() == frame["id"].tolist(), fmt
    assert _turns_by_id(back) == _turns_by_id(frame), fmt
    single = frame["conversation"].isna().to_numpy()
    if fmt not in ("sharegpt", "openai"):  # Alpaca-shaped: the split is kept
        for col in ("instruction", "input", "response"):
            assert back[col][single].tolist() == frame[col][single].tolist(), (fmt, col)
    if fmt in ("alpaca", "sharegpt", "openai", "jsonl", "parquet", "hf"):
        names = extra_key_names([c for c in frame.columns if c not in CANONICAL_COLUMNS])
        for col, key in names.items():
            got = back[key].astype(object).where(back[key].notna(), None).tolist()
            want = frame[col].astype(object).where(frame[col].notna(), None).tolist()
            assert got == want, (fmt, col)


def _every_format(records: list[dict]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        frame = _canonical(records, folder)  # valid input: the loader must accept it
        fits_alpaca = all(alpaca_rounds(r) is not None for r in frame.to_dict("records"))
        for fmt in FORMATS:
            if fmt == "hf":
                continue  # slow to save: tested on its own below
            if not fits_alpaca and fmt not in ("sharegpt", "openai"):
                with pytest.raises(InputError, match="export it as sharegpt or openai"):
                    write_data(frame, fmt, folder / data_file_name("bad", fmt))
                continue
            _check_same(frame, _roundtrip(frame, fmt, folder), fmt)


@SETTINGS
@given(st.lists(ALPACA_RECORD, min_size=1, max_size=6))
def test_alpaca_pools_round_trip_in_every_format(records):
    _every_format(records)


@SETTINGS
@given(st.lists(CHAT_RECORD, min_size=1, max_size=6))
def test_chat_pools_round_trip_in_every_format(records):
    _every_format(records)


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(ALPACA_RECORD, min_size=1, max_size=5))
def test_hf_folder_round_trips(records):
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        frame = _canonical(records, folder)
        _check_same(frame, _roundtrip(frame, "hf", folder), "hf")


def test_alpaca_row_exported_as_chat_keeps_its_id(tmp_path):
    records = [{"instruction": "Translate", "input": "Hallo Welt", "output": "Hello world"}]
    frame = _canonical(records, tmp_path)
    expected = record_id("Translate", "Hallo Welt", "Hello world")
    for fmt in ("sharegpt", "openai"):
        back = _roundtrip(frame, fmt, tmp_path)
        assert back["id"].tolist() == [expected]
        assert back["instruction"].tolist() == ["Translate\n\nHallo Welt"]


def test_multi_turn_chat_is_kept_whole_and_roles_mapped(tmp_path):
    conv = [{"from": "system", "value": "Be brief."}, {"from": "human", "value": "Hi"},
            {"from": "gpt", "value": "Hello"}, {"from": "observation", "value": "tool out"},
            {"from": "gpt", "value": "Done"}]
    frame = _canonical([{"conversations": conv}], tmp_path)
    path = tmp_path / "sel.json"
    write_data(frame, "sharegpt", path)
    written = json.loads(path.read_text(encoding="utf-8"))
    assert [t["from"] for t in written[0]["conversations"]] == [
        "system", "human", "gpt", "observation", "gpt"]
    path = tmp_path / "sel.jsonl"
    write_data(frame, "openai", path)
    assert [m["role"] for m in json.loads(path.read_text())["messages"]] == [
        "system", "user", "assistant", "tool", "assistant"]
    with pytest.raises(InputError, match="Alpaca shape cannot hold"):
        write_data(frame, "alpaca", tmp_path / "a.json")


def test_extras_named_like_fields_are_renamed(tmp_path):
    # A "messages" column would make the export read as OpenAI chats if written as is.
    records = [{"instruction": "a", "output": "b", "messages": "not a chat", "history_x": 1}]
    frame = _canonical(records, tmp_path, fmt="alpaca")
    assert "messages" in frame.columns
    for fmt in ("alpaca", "sharegpt", "jsonl"):
        back = _roundtrip(frame, fmt, tmp_path)
        assert back["id"].tolist() == frame["id"].tolist()
        assert back["extra_messages"].tolist() == ["not a chat"]


def test_json_is_utf8_without_escapes_and_rows_keep_order(tmp_path):
    records = [{"instruction": f"Zeile {i} — ✓", "input": "", "output": "ok"} for i in range(5)]
    frame = _canonical(records, tmp_path).iloc[[3, 0, 4]]
    path = tmp_path / "sel.json"
    write_data(frame, "alpaca", path)
    text = path.read_text(encoding="utf-8")
    assert "— ✓" in text and "\\u" not in text
    assert [r["instruction"][:7] for r in json.loads(text)] == ["Zeile 3", "Zeile 0", "Zeile 4"]


def test_system_prompt_rows_keep_their_split_in_alpaca(tmp_path):
    records = [{"instruction": "Sum", "input": "2 and 3", "output": "5", "system": "Be exact."}]
    frame = _canonical(records, tmp_path)
    back = _roundtrip(frame, "alpaca", tmp_path)
    assert back["id"].tolist() == frame["id"].tolist()
    assert (back["instruction"][0], back["input"][0]) == ("Sum", "2 and 3")
    written = json.loads((tmp_path / "sel.json").read_text(encoding="utf-8"))
    assert written[0]["system"] == "Be exact." and written[0]["history"] == []


def test_function_call_turns_keep_their_role(tmp_path):
    """LLaMA-Factory's ShareGPT tool use (human / function_call / observation / gpt) comes
    back from export as it was written, and the OpenAI export loads back to the same chat."""
    conv = [{"from": "human", "value": "Weather in Oslo?"},
            {"from": "function_call", "value": '{"name": "weather", "arguments": {"c": "Oslo"}}'},
            {"from": "observation", "value": '{"temp": -3}'},
            {"from": "gpt", "value": "It is -3 degrees in Oslo."}]
    frame = _canonical([{"conversations": conv}], tmp_path)
    assert [t["role"] for t in row_turns(frame.to_dict("records")[0])] == [
        "user", "function_call", "tool", "assistant"]
    assert frame["response"][0] == "It is -3 degrees in Oslo."
    path = tmp_path / "sel.json"
    write_data(frame, "sharegpt", path)
    assert json.loads(path.read_text(encoding="utf-8"))[0]["conversations"] == conv
    for fmt in ("sharegpt", "openai"):
        _check_same(frame, _roundtrip(frame, fmt, tmp_path), fmt)
    # A model turn that is a function call differs from a plain answer: another id.
    plain = [dict(t, **{"from": "gpt"}) if t["from"] == "function_call" else t for t in conv]
    assert _canonical([{"conversations": plain}], tmp_path)["id"][0] != frame["id"][0]
