"""The LLaMA-Factory dataset_info.json entry and the Axolotl datasets stanza parse and name
columns that the exported data file really has."""

from __future__ import annotations

import json

import numpy as np
import pytest
import yaml

from core.export import FORMATS, export_selection
from core.export.snippets import axolotl_yaml
from core.select.result import SelectionResult


@pytest.fixture(scope="module")
def mixed_ws(small_ws):
    """small_ws with a selection 'mixed' of 3 multi-turn and 3 single-turn rows."""
    multi = small_ws.pool_frame()["conversation"].notna().to_numpy()
    rows = np.concatenate([np.flatnonzero(multi)[:3], np.flatnonzero(~multi)[:3]])
    small_ws.save_selection("mixed", SelectionResult(rows, np.zeros(6), np.zeros(6), config={
        "strategy": "manual", "k": 6, "quality": "none"}))
    return small_ws


def _data_columns(path, fmt) -> set[str]:
    if fmt in ("alpaca", "sharegpt"):
        return set(json.loads(path.read_text(encoding="utf-8"))[0])
    if fmt in ("openai", "jsonl"):
        return set(json.loads(path.read_text(encoding="utf-8").split("\n")[0]))
    if fmt == "parquet":
        import pyarrow.parquet as pq

        return set(pq.read_schema(path).names)
    if fmt == "csv":
        return set(path.read_text(encoding="utf-8").split("\n")[0].replace('"', "").split(","))
    import datasets

    return set(datasets.load_from_disk(str(path)).column_names)


@pytest.mark.parametrize("fmt", list(FORMATS))
def test_llama_factory_entry_names_real_columns(mixed_ws, tmp_path, fmt):
    res = export_selection(mixed_ws, "mixed", fmt, tmp_path / "b", compute_metrics=False)
    info = json.loads((res.out / "dataset_info.json").read_text(encoding="utf-8"))
    assert list(info) == ["mixed"]
    entry = info["mixed"]
    assert (res.out / entry["file_name"]).exists()
    cols = _data_columns(res.data_path, fmt)
    if fmt in ("sharegpt", "openai"):
        assert entry["formatting"] == "sharegpt"
        field = entry["columns"]["messages"]
        assert field in cols
        turns = [t for r in _records(res.data_path, fmt) for t in r[field]]
        tags = entry["tags"]
        assert {tags["role_tag"], tags["content_tag"]} == set(turns[0])
        allowed = {tags[k] for k in ("user_tag", "assistant_tag", "system_tag",
                                     "observation_tag", "function_tag")}
        assert {t[tags["role_tag"]] for t in turns} <= allowed
    else:
        assert entry["formatting"] == "alpaca"
        assert set(entry["columns"].values()) <= cols
        expected = {"prompt": "instruction", "query": "input",
                    "response": "output" if fmt == "alpaca" else "response", "system": "system"}
        if fmt != "csv":
            expected["history"] = "history"
        assert entry["columns"] == expected


def _records(path, fmt):
    text = path.read_text(encoding="utf-8")
    return json.loads(text) if fmt == "sharegpt" else [json.loads(x) for x in text.split("\n") if x]


@pytest.mark.parametrize("fmt", list(FORMATS))
def test_axolotl_stanza_parses_and_points_at_the_data(mixed_ws, tmp_path, fmt):
    single = mixed_ws.pool_frame()["conversation"].isna().to_numpy()
    rows = np.flatnonzero(single)[:5]
    mixed_ws.save_selection("single", SelectionResult(rows, np.zeros(5), np.zeros(5), config={
        "strategy": "manual", "k": 5, "quality": "none"}))
    res = export_selection(mixed_ws, "single", fmt, tmp_path / "b", compute_metrics=False)
    assert res.manifest["export"]["axolotl_refused"] is None
    doc = yaml.safe_load((res.out / "axolotl_datasets.yaml").read_text(encoding="utf-8"))
    (item,) = doc["datasets"]
    assert item["path"] == str(res.data_path)
    cols = _data_columns(res.data_path, fmt)
    if fmt in ("sharegpt", "openai"):
        assert item["type"] == "chat_template" and item["field_messages"] in cols
        mapping = item["message_property_mappings"]
        turn = _records(res.data_path, fmt)[0][item["field_messages"]][0]
        assert set(mapping.values()) == set(turn)
    elif fmt == "alpaca":
        assert item["type"] == "alpaca" and {"instruction", "input", "output"} <= cols
    else:
        assert item["type"] == "gpteacher" and {"instruction", "input", "response"} <= cols
    assert item.get("ds_type") == {"parquet": "parquet", "csv": "csv", "hf": None}.get(
        fmt, "json")


def test_axolotl_yaml_quotes_awkward_paths():
    path = '/tmp/a path: with "quotes" #hash\nand ünïcode'
    doc = yaml.safe_load(axolotl_yaml("openai", path, note="line one\nline: two"))
    assert doc["datasets"][0]["path"] == path


def test_hf_entry_loads_through_the_arrow_builder(mixed_ws, tmp_path):
    import datasets

    res = export_selection(mixed_ws, "mixed", "hf", tmp_path / "b", compute_metrics=False)
    entry = json.loads((res.out / "dataset_info.json").read_text())["mixed"]
    ds = datasets.load_dataset("arrow", data_files=str(res.out / entry["file_name"]),
                               split="train", cache_dir=str(tmp_path / "cache"))
    assert ds.num_rows == 6 and {"instruction", "history", "system"} <= set(ds.column_names)


@pytest.mark.parametrize("fmt", list(FORMATS))
def test_axolotl_stanza_is_refused_when_it_would_drop_turns(mixed_ws, tmp_path, fmt):
    """Rows with a system prompt and earlier rounds: Axolotl's alpaca / gpteacher types read
    instruction/input/response only, so no stanza is written for the Alpaca-shaped formats
    (the file says why, as do the card and the manifest); chats get chat_template."""
    res = export_selection(mixed_ws, "mixed", fmt, tmp_path / "b", compute_metrics=False)
    text = (res.out / "axolotl_datasets.yaml").read_text(encoding="utf-8")
    doc = yaml.safe_load(text)
    refused = res.manifest["export"]["axolotl_refused"]
    if fmt in ("sharegpt", "openai"):
        assert refused is None and doc["datasets"][0]["type"] == "chat_template"
        return
    assert doc is None  # comments only: nothing a user could paste by mistake
    assert "No Axolotl stanza: 3 rows have a system prompt or earlier rounds" in text
    assert "export as sharegpt or openai" in text and refused.startswith("no Axolotl stanza")
    card = (res.out / "README.md").read_text(encoding="utf-8")
    assert f"- **Axolotl**: {refused}." in card and "paste `axolotl_datasets.yaml`" not in card


def test_cli_export_says_the_axolotl_stanza_was_refused(tmp_path, run_cli):
    pool = tmp_path / "chats.json"
    pool.write_text(json.dumps([{"conversations": [
        {"from": "system", "value": "You are terse."},
        {"from": "human", "value": f"First question {i}"}, {"from": "gpt", "value": "One."},
        {"from": "human", "value": f"Second question {i}"}, {"from": "gpt", "value": "Two."}]}
        for i in range(6)]), encoding="utf-8")
    ws = tmp_path / "ws"
    assert run_cli("load", pool, "--workspace", ws)[0] == 0
    assert run_cli("select", "--workspace", ws, "--strategy", "random", "--k", "4")[0] == 0
    code, out, err = run_cli("export", "--workspace", ws, "--selection", "random-k4",
                             "--format", "alpaca", "--out", tmp_path / "out")
    assert code == 0, err
    assert "note: no Axolotl stanza: 4 rows have a system prompt or earlier rounds" in out
    written = json.loads((tmp_path / "out" / "random-k4.json").read_text(encoding="utf-8"))
    assert written[0]["system"] == "You are terse." and len(written[0]["history"]) == 1
