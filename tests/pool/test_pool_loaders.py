"""Every container (JSON array, JSONL, CSV, Parquet, save_to_disk, hub name) and every record
shape (Alpaca and its variants, ShareGPT, OpenAI messages, prompt/completion,
question/answer, explicit column mapping) loads into the canonical table."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from core.errors import InputError
from core.pool import CANONICAL_COLUMNS, ColumnMapping, load_pool

ALPACA = [
    {"instruction": "Name a primary colour.", "input": "", "output": "Red."},
    {"instruction": "Add the numbers.", "input": "2 and 3", "output": "5"},
    {"instruction": "Translate to German.", "input": "Good morning", "output": "Guten Morgen"},
]


def write_jsonl(path: Path, records: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


def canon(frame: pd.DataFrame) -> list[tuple[str, str, str]]:
    return list(zip(frame["instruction"], frame["input"], frame["response"], strict=True))


EXPECTED_ALPACA = [(r["instruction"], r["input"], r["output"]) for r in ALPACA]


# ------------------------------------------------------------------ containers
def test_json_array(tmp_path):
    path = tmp_path / "pool.json"
    path.write_text(json.dumps(ALPACA, indent=2), encoding="utf-8")
    loaded = load_pool(path)
    assert loaded.info.container == "json"
    assert loaded.info.shape == "alpaca"
    assert canon(loaded.frame) == EXPECTED_ALPACA
    assert list(loaded.frame.columns[: len(CANONICAL_COLUMNS)]) == CANONICAL_COLUMNS
    assert loaded.info.rows == loaded.info.records_read == 3


def test_json_object_holding_one_list_of_records(tmp_path):
    path = tmp_path / "wrapped.json"
    path.write_text(json.dumps({"version": 2, "data": ALPACA}), encoding="utf-8")
    assert canon(load_pool(path).frame) == EXPECTED_ALPACA


def test_jsonl(tmp_path):
    loaded = load_pool(write_jsonl(tmp_path / "pool.jsonl", ALPACA))
    assert loaded.info.container == "jsonl"
    assert canon(loaded.frame) == EXPECTED_ALPACA


def test_jsonl_with_blank_lines_and_bom(tmp_path):
    path = tmp_path / "pool.jsonl"
    body = "\n\n".join(json.dumps(r) for r in ALPACA) + "\n\n"
    path.write_bytes(b"\xef\xbb\xbf" + body.encode("utf-8"))
    loaded = load_pool(path)
    assert canon(loaded.frame) == EXPECTED_ALPACA
    assert loaded.frame["source"].tolist() == ["pool.jsonl:1", "pool.jsonl:3", "pool.jsonl:5"]


def test_json_extension_holding_json_lines_is_detected(tmp_path):
    path = write_jsonl(tmp_path / "actually_lines.json", ALPACA)
    loaded = load_pool(path)
    assert loaded.info.container == "jsonl"
    assert canon(loaded.frame) == EXPECTED_ALPACA


def test_csv_with_quoted_multiline_field(tmp_path):
    path = tmp_path / "pool.csv"
    pd.DataFrame(ALPACA + [{"instruction": "Two lines,\nplease", "input": "",
                            "output": 'He said "hi"'}]).to_csv(path, index=False)
    loaded = load_pool(path)
    assert loaded.info.container == "csv"
    assert canon(loaded.frame)[:3] == EXPECTED_ALPACA
    assert canon(loaded.frame)[3] == ("Two lines,\nplease", "", 'He said "hi"')
    # A record spanning lines 5-6 is reported at the line where it starts.
    assert loaded.frame["source"].tolist()[-1] == "pool.csv:5"


def test_tsv(tmp_path):
    path = tmp_path / "pool.tsv"
    pd.DataFrame(ALPACA).to_csv(path, sep="\t", index=False)
    assert canon(load_pool(path).frame) == EXPECTED_ALPACA


def test_parquet(tmp_path):
    path = tmp_path / "pool.parquet"
    pd.DataFrame(ALPACA).to_parquet(path, index=False)
    loaded = load_pool(path)
    assert loaded.info.container == "parquet"
    assert canon(loaded.frame) == EXPECTED_ALPACA
    assert loaded.frame["source"].tolist() == [f"pool.parquet:{i}" for i in (1, 2, 3)]


def test_parquet_with_nested_sharegpt_turns(tmp_path):
    path = tmp_path / "chat.parquet"
    rows = [{"conversations": [{"from": "human", "value": "hi"},
                               {"from": "gpt", "value": "hello"}]}]
    pd.DataFrame(rows).to_parquet(path, index=False)
    loaded = load_pool(path)
    assert loaded.info.shape == "sharegpt"
    assert canon(loaded.frame) == [("hi", "", "hello")]


def test_datasets_save_to_disk_folder(tmp_path):
    datasets = pytest.importorskip("datasets")
    folder = tmp_path / "saved"
    datasets.Dataset.from_list(ALPACA).save_to_disk(str(folder))
    loaded = load_pool(folder)
    assert loaded.info.container == "hf"
    assert canon(loaded.frame) == EXPECTED_ALPACA
    assert loaded.info.source_sha256  # a folder is fingerprinted from its files


def test_datasets_dict_folder_split(tmp_path):
    datasets = pytest.importorskip("datasets")
    folder = tmp_path / "saved_dict"
    datasets.DatasetDict({"train": datasets.Dataset.from_list(ALPACA),
                          "test": datasets.Dataset.from_list(ALPACA[:1])}
                         ).save_to_disk(str(folder))
    assert canon(load_pool(folder).frame) == EXPECTED_ALPACA  # train by default
    assert canon(load_pool(folder, split="test").frame) == EXPECTED_ALPACA[:1]
    with pytest.raises(InputError, match=r"no split 'dev'.*train"):
        load_pool(folder, split="dev")


@pytest.mark.parametrize("split", [None, "validation"])
def test_hub_name_calls_load_dataset_with_name_and_split(tmp_path, monkeypatch, split):
    datasets = pytest.importorskip("datasets")
    calls = []

    def fake_load_dataset(name, *args, **kwargs):
        calls.append((name, args, kwargs))
        return datasets.Dataset.from_list(ALPACA)

    monkeypatch.setattr(datasets, "load_dataset", fake_load_dataset)
    monkeypatch.chdir(tmp_path)  # so "someone/pool" is certainly not a local path
    loaded = load_pool("someone/pool", split=split)
    assert calls == [("someone/pool", (), {"split": split or "train"})]
    assert loaded.info.container == "hf"
    assert canon(loaded.frame) == EXPECTED_ALPACA
    assert loaded.info.source_sha256 is None


def test_hub_failure_is_an_input_error(tmp_path, monkeypatch):
    datasets = pytest.importorskip("datasets")

    def offline(name, *args, **kwargs):
        raise ConnectionError("Couldn't reach the Hub")

    monkeypatch.setattr(datasets, "load_dataset", offline)
    monkeypatch.chdir(tmp_path)
    with pytest.raises(InputError) as err:
        load_pool("someone/pool")
    assert "someone/pool" in str(err.value)
    assert "ConnectionError" in str(err.value)


def test_format_hf_forces_hub_even_for_dotted_names(tmp_path, monkeypatch):
    datasets = pytest.importorskip("datasets")
    seen = []
    monkeypatch.setattr(datasets, "load_dataset",
                        lambda name, split=None: seen.append((name, split))
                        or datasets.Dataset.from_list(ALPACA))
    monkeypatch.chdir(tmp_path)
    load_pool("org/data.v2", fmt="hf")
    assert seen == [("org/data.v2", "train")]


def test_forced_container_for_unknown_extension(tmp_path):
    path = write_jsonl(tmp_path / "pool.txt", ALPACA)
    assert canon(load_pool(path, fmt="jsonl").frame) == EXPECTED_ALPACA


def test_unknown_format_name_is_refused(tmp_path):
    path = write_jsonl(tmp_path / "pool.jsonl", ALPACA)
    with pytest.raises(InputError, match="unknown format 'yaml'; expected one of"):
        load_pool(path, fmt="yaml")


# ---------------------------------------------------------------------- shapes
def test_alpaca_response_variant(tmp_path):
    recs = [{"instruction": "Say hi", "input": "", "response": "Hi!"}]
    loaded = load_pool(write_jsonl(tmp_path / "gpteacher.jsonl", recs))
    assert loaded.info.shape == "alpaca"
    assert canon(loaded.frame) == [("Say hi", "", "Hi!")]


def test_dolly_context_and_category(tmp_path):
    recs = [{"instruction": "Who wrote it?", "context": "Hamlet was written by Shakespeare.",
             "response": "Shakespeare.", "category": "closed_qa"},
            {"instruction": "Name three fruits.", "context": "", "response": "Apple, pear, fig.",
             "category": "brainstorming"}]
    loaded = load_pool(write_jsonl(tmp_path / "dolly.jsonl", recs))
    frame = loaded.frame
    assert loaded.info.shape == "alpaca"
    assert canon(frame)[0] == ("Who wrote it?", "Hamlet was written by Shakespeare.",
                               "Shakespeare.")
    assert frame["category"].tolist() == ["closed_qa", "brainstorming"]
    assert "context" not in frame.columns  # consumed as the input
    assert loaded.info.extra_columns == ["category"]


def test_sharegpt_multi_turn_keeps_the_whole_conversation(tmp_path):
    turns = [{"from": "system", "value": "You are terse."},
             {"from": "human", "value": "First question?"},
             {"from": "gpt", "value": "First answer."},
             {"from": "human", "value": "Follow-up?"},
             {"from": "gpt", "value": "Final answer."}]
    path = tmp_path / "sharegpt.json"
    path.write_text(json.dumps([{"id": "conv-1", "conversations": turns}]), encoding="utf-8")
    loaded = load_pool(path)
    row = loaded.frame.iloc[0]
    assert loaded.info.shape == "sharegpt"
    assert (row["instruction"], row["input"], row["response"]) == (
        "First question?", "", "Final answer.")
    conv = json.loads(row["conversation"])
    assert [t["role"] for t in conv] == ["system", "user", "assistant", "user", "assistant"]
    assert [t["content"] for t in conv] == [t["value"] for t in turns]
    # The file's own "id" does not clash with the canonical id: it is kept as orig_id.
    assert row["orig_id"] == "conv-1"
    assert row["id"] != "conv-1"


def test_sharegpt_single_turn_has_no_stored_conversation(tmp_path):
    rec = {"conversations": [{"from": "human", "value": "Q"}, {"from": "gpt", "value": "A"}]}
    loaded = load_pool(write_jsonl(tmp_path / "single.jsonl", [rec]))
    assert loaded.frame["conversation"].isna().all()


def test_openai_messages_with_system(tmp_path):
    rec = {"messages": [{"role": "system", "content": "Be brief."},
                        {"role": "user", "content": "Capital of France?"},
                        {"role": "assistant", "content": "Paris."}]}
    loaded = load_pool(write_jsonl(tmp_path / "openai.jsonl", [rec]))
    row = loaded.frame.iloc[0]
    assert loaded.info.shape == "openai"
    assert (row["instruction"], row["response"]) == ("Capital of France?", "Paris.")
    assert json.loads(row["conversation"]) == rec["messages"]


def test_openai_content_parts_keep_the_text(tmp_path):
    rec = {"messages": [{"role": "user", "content": [{"type": "text", "text": "Look:"},
                                                     {"type": "text", "text": "what is it?"}]},
                        {"role": "assistant", "content": "A cat."}]}
    row = load_pool(write_jsonl(tmp_path / "parts.jsonl", [rec])).frame.iloc[0]
    assert row["instruction"] == "Look:\nwhat is it?"


def test_prompt_completion_strips_the_eos_marker(tmp_path):
    recs = [{"prompt": "Is the sky blue?\nAnswer:", "completion": " Yes<|endoftext|>"},
            {"prompt": "2+2=", "completion": "4</s>\n"},
            {"prompt": "Say EOS", "completion": "no marker here"}]
    loaded = load_pool(write_jsonl(tmp_path / "t0.jsonl", recs))
    assert loaded.info.shape == "prompt_completion"
    responses = loaded.frame["response"].tolist()
    assert [r.strip() for r in responses] == ["Yes", "4", "no marker here"]
    assert not any("<|endoftext|>" in r or "</s>" in r for r in responses)


def test_question_answer(tmp_path):
    recs = [{"question": "Tom has 3 apples and eats 1. How many are left?",
             "answer": "3 - 1 = 2\n#### 2"}]
    loaded = load_pool(write_jsonl(tmp_path / "gsm.jsonl", recs))
    assert loaded.info.shape == "question_answer"
    assert canon(loaded.frame) == [(recs[0]["question"], "", recs[0]["answer"])]


def test_explicit_column_mapping(tmp_path):
    recs = [{"q_text": "What is 2+2?", "ctx": "arithmetic", "a_text": "4", "lang": "en"}]
    path = write_jsonl(tmp_path / "custom.jsonl", recs)
    with pytest.raises(InputError, match="no known record shape"):
        load_pool(path)
    loaded = load_pool(path, mapping=ColumnMapping(instruction="q_text", response="a_text",
                                                   input="ctx"))
    assert loaded.info.shape == "mapped"
    assert canon(loaded.frame) == [("What is 2+2?", "arithmetic", "4")]
    assert loaded.frame["lang"].tolist() == ["en"]
    assert loaded.info.column_mapping == {"instruction": "q_text", "input": "ctx",
                                          "response": "a_text", "system": None}


def test_column_mapping_with_system_keeps_a_conversation(tmp_path):
    recs = [{"sys": "Be kind.", "ask": "Hello?", "reply": "Hi there."}]
    path = write_jsonl(tmp_path / "sys.jsonl", recs)
    row = load_pool(path, mapping=ColumnMapping("ask", "reply", system="sys")).frame.iloc[0]
    assert json.loads(row["conversation"]) == [
        {"role": "system", "content": "Be kind."}, {"role": "user", "content": "Hello?"},
        {"role": "assistant", "content": "Hi there."}]


def test_column_mapping_overrides_detection(tmp_path):
    recs = [{"instruction": "ignored", "output": "ignored", "alt_q": "Q", "alt_a": "A"}]
    path = write_jsonl(tmp_path / "alt.jsonl", recs)
    loaded = load_pool(path, mapping=ColumnMapping("alt_q", "alt_a"))
    assert canon(loaded.frame) == [("Q", "", "A")]
    assert loaded.frame["instruction"].tolist() == ["Q"]
    assert loaded.frame["orig_instruction"].tolist() == ["ignored"]


@pytest.mark.parametrize("fmt", ["question_answer", "prompt_completion"])
def test_forced_shape_that_does_not_fit_names_the_fields(tmp_path, fmt):
    path = write_jsonl(tmp_path / "alpaca.jsonl", ALPACA)
    with pytest.raises(InputError) as err:
        load_pool(path, fmt=fmt)
    msg = str(err.value)
    assert "alpaca.jsonl:1" in msg
    assert "[input, instruction, output]" in msg  # the fields found
    assert ("question" in msg) if fmt == "question_answer" else ("prompt" in msg)


def test_majority_shape_wins_and_odd_records_are_reported(tmp_path):
    recs = ALPACA + [{"question": "q", "answer": "a"}]
    path = write_jsonl(tmp_path / "mixed.jsonl", recs)
    with pytest.raises(InputError, match=r"mixed\.jsonl:4: .*question.*lacks \[instruction"):
        load_pool(path)
    loaded = load_pool(path, skip_bad_lines=True)
    assert loaded.info.rows == 3
    assert loaded.info.bad_records_skipped == 1


def test_jsonl_with_unicode_line_separators_inside_strings(tmp_path):
    """JSON allows U+2028, U+2029 and U+0085 unescaped in strings; they do not end a line."""
    recs = [{"instruction": "Poem\u2028line two", "output": "ok\u0085done"},
            {"instruction": "Second\u2029para", "output": "fine"}]
    path = tmp_path / "seps.jsonl"
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in recs),
                    encoding="utf-8")
    loaded = load_pool(path)
    assert loaded.frame["instruction"].tolist() == [r["instruction"] for r in recs]
    assert loaded.frame["source"].tolist() == ["seps.jsonl:1", "seps.jsonl:2"]
    path.write_text(path.read_text(encoding="utf-8") + "{broken\n", encoding="utf-8")
    with pytest.raises(InputError) as err:
        load_pool(path)
    assert err.value.line == 3
