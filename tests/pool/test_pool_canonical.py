"""The canonical record: content ids stable across formats, whitespace-normalised, duplicates
counted and dropped or kept, extra columns kept with their types, ``source`` as file:row, and
a lossless round trip through the workspace's Parquet."""

from __future__ import annotations

import json
import re

import numpy as np
import pandas as pd
import pandas.testing as pdt
import pytest

from core.pool import load_pool, normalise_text, record_id
from core.workspace import Workspace

EXAMPLES = [
    ("Translate the sentence into Spanish.", "The cat sleeps.", "El gato duerme."),
    ("Give three tips for staying healthy.", "", "Eat well, sleep, move."),
    ("What is 12 * 3?", "", "36"),
]


def as_alpaca(path):
    path.write_text(json.dumps([{"instruction": i, "input": x, "output": r}
                                for i, x, r in EXAMPLES]), encoding="utf-8")
    return path


def user_turn(i, x):
    return f"{i}\n\n{x}" if x else i


def as_sharegpt(path):
    path.write_text(json.dumps([{"conversations": [{"from": "human", "value": user_turn(i, x)},
                                                   {"from": "gpt", "value": r}]}
                                for i, x, r in EXAMPLES]), encoding="utf-8")
    return path


def as_openai(path):
    path.write_text("".join(json.dumps({"messages": [
        {"role": "user", "content": user_turn(i, x)},
        {"role": "assistant", "content": r}]}) + "\n" for i, x, r in EXAMPLES), encoding="utf-8")
    return path


def as_csv(path):
    pd.DataFrame([{"instruction": i, "input": x, "response": r} for i, x, r in EXAMPLES]
                 ).to_csv(path, index=False)
    return path


def as_parquet(path):
    pd.DataFrame([{"instruction": i, "input": x, "output": r} for i, x, r in EXAMPLES]
                 ).to_parquet(path, index=False)
    return path


def test_ids_are_stable_across_formats(tmp_path):
    ids = {
        "alpaca": load_pool(as_alpaca(tmp_path / "a.json")).frame["id"].tolist(),
        "sharegpt": load_pool(as_sharegpt(tmp_path / "s.json")).frame["id"].tolist(),
        "openai": load_pool(as_openai(tmp_path / "o.jsonl")).frame["id"].tolist(),
        "csv": load_pool(as_csv(tmp_path / "c.csv")).frame["id"].tolist(),
        "parquet": load_pool(as_parquet(tmp_path / "p.parquet")).frame["id"].tolist(),
    }
    reference = ids["alpaca"]
    assert len(set(reference)) == 3
    assert all(re.fullmatch(r"[0-9a-f]{16}", i) for i in reference)
    for fmt, got in ids.items():
        assert got == reference, fmt
    assert reference == [record_id(i, x, r) for i, x, r in EXAMPLES]


def test_ids_do_not_depend_on_the_file_or_row(tmp_path):
    first = load_pool(as_alpaca(tmp_path / "one.json")).frame
    (tmp_path / "two.json").write_text(json.dumps(
        [{"instruction": i, "input": x, "output": r} for i, x, r in reversed(EXAMPLES)]),
        encoding="utf-8")
    second = load_pool(tmp_path / "two.json").frame
    assert first["id"].tolist() == second["id"].tolist()[::-1]


def test_ids_are_whitespace_and_unicode_normalised():
    base = record_id("Describe a café.", "", "It is small.")
    assert record_id("  Describe   a\tcafé.\n", "", "It is  small. ") == base
    assert record_id("Describe a cafe\u0301.", "", "It is small.") == base  # NFD == NFC
    assert record_id("Describe a café!", "", "It is small.") != base
    assert record_id("Describe a café.", "", "It is big.") != base
    assert normalise_text("  a \n\n b\t") == "a b"


def test_instruction_input_boundary_matters():
    # "A" + input "B" is the same user turn as "A\n\nB", but not the same as "AB".
    assert record_id("A", "B", "r") == record_id("A\n\nB", "", "r")
    assert record_id("A", "B", "r") != record_id("AB", "", "r")


def test_text_is_stored_verbatim(tmp_path):
    path = tmp_path / "spaces.jsonl"
    path.write_text(json.dumps({"instruction": "  two  spaces\n", "output": "x\n\ny"}) + "\n",
                    encoding="utf-8")
    row = load_pool(path).frame.iloc[0]
    assert row["instruction"] == "  two  spaces\n"
    assert row["response"] == "x\n\ny"


def duplicate_pool(tmp_path):
    recs = [{"instruction": "Say hi.", "input": "", "output": "Hi."},
            {"instruction": "Say bye.", "input": "", "output": "Bye."},
            {"instruction": "Say  hi. ", "input": "", "output": "Hi."},  # whitespace variant
            {"instruction": "Say hi.", "input": "", "output": "Hi."},
            {"instruction": "Say hi.", "input": "", "output": "Hello."}]  # not a duplicate
    path = tmp_path / "dups.json"
    path.write_text(json.dumps(recs), encoding="utf-8")
    return path


def test_duplicates_counted_and_dropped_keeping_the_first(tmp_path):
    loaded = load_pool(duplicate_pool(tmp_path))
    assert loaded.info.duplicates == 2
    assert loaded.info.duplicates_dropped is True
    assert loaded.info.rows == 3
    assert loaded.info.records_read == 5
    assert loaded.frame["source"].tolist() == ["dups.json:1", "dups.json:2", "dups.json:5"]
    assert loaded.frame["id"].is_unique


def test_duplicates_kept_get_suffixed_ids(tmp_path):
    loaded = load_pool(duplicate_pool(tmp_path), keep_duplicates=True)
    ids = loaded.frame["id"].tolist()
    assert loaded.info.duplicates == 2
    assert loaded.info.duplicates_dropped is False
    assert loaded.info.rows == 5
    assert ids[2] == ids[0] + "~2"
    assert ids[3] == ids[0] + "~3"
    assert "~" not in ids[1] and "~" not in ids[4]
    assert len(set(ids)) == 5


def test_extra_columns_are_kept_with_types(tmp_path):
    recs = [{"instruction": f"q{i}", "output": f"a{i}", "score": i, "ratio": i / 2,
             "flag": i % 2 == 0, "meta": {"lang": "en", "n": i}, "tags": ["x", str(i)],
             "label": f"c{i % 2}", "sometimes": (i if i % 2 else None)} for i in range(4)]
    path = tmp_path / "extras.json"
    path.write_text(json.dumps(recs), encoding="utf-8")
    loaded = load_pool(path)
    frame = loaded.frame
    assert loaded.info.extra_columns == ["score", "ratio", "flag", "meta", "tags", "label",
                                         "sometimes"]
    assert pd.api.types.is_integer_dtype(frame["score"])
    assert frame["score"].tolist() == [0, 1, 2, 3]
    assert pd.api.types.is_float_dtype(frame["ratio"])
    assert pd.api.types.is_bool_dtype(frame["flag"])
    assert json.loads(frame["meta"].iloc[2]) == {"lang": "en", "n": 2}
    assert json.loads(frame["tags"].iloc[1]) == ["x", "1"]
    assert pd.api.types.is_string_dtype(frame["label"])
    # A numeric column with gaps stays numeric (today it becomes Float64, not Int64).
    assert pd.api.types.is_numeric_dtype(frame["sometimes"])
    assert frame["sometimes"].isna().tolist() == [True, False, True, False]
    assert frame["sometimes"].dropna().tolist() == [1, 3]


def test_mixed_type_column_becomes_text(tmp_path):
    recs = [{"instruction": "a", "output": "b", "v": 1}, {"instruction": "c", "output": "d",
                                                          "v": "two"}]
    path = tmp_path / "mixed.json"
    path.write_text(json.dumps(recs), encoding="utf-8")
    assert load_pool(path).frame["v"].tolist() == ["1", "two"]


def test_csv_numeric_extra_column_stays_numeric(tmp_path):
    path = tmp_path / "scores.csv"
    path.write_text("instruction,output,score,rating,code\n"
                    "a,b,3,4.5,007\nc,d,5,1,008\n", encoding="utf-8")
    frame = load_pool(path).frame
    assert pd.api.types.is_integer_dtype(frame["score"])
    assert pd.api.types.is_float_dtype(frame["rating"])
    assert frame["rating"].tolist() == [4.5, 1.0]
    assert frame["code"].tolist() == ["007", "008"]  # codes with leading zeros stay text


def test_csv_numeric_looking_text_fields_are_not_rewritten(tmp_path):
    """An answer "1.50" in a CSV must stay "1.50", and get the same id as in JSON."""
    rows = [("What is half of 3?", "1.50"), ("Write one thousand in e-notation.", "1e3"),
            ("Give a negative zero.", "-0")]
    csv_path = tmp_path / "numbers.csv"
    pd.DataFrame(rows, columns=["instruction", "output"]).to_csv(csv_path, index=False)
    json_path = tmp_path / "numbers.json"
    json_path.write_text(json.dumps([{"instruction": q, "output": a} for q, a in rows]),
                         encoding="utf-8")
    from_csv = load_pool(csv_path).frame
    assert from_csv["response"].tolist() == [a for _, a in rows]
    assert from_csv["id"].tolist() == load_pool(json_path).frame["id"].tolist()


def test_integer_too_large_for_int64_does_not_crash(tmp_path):
    path = tmp_path / "big.jsonl"
    path.write_text('{"instruction": "a", "output": "b", "tweet_id": 12345678901234567890}\n'
                    '{"instruction": "c", "output": "d", "tweet_id": 7}\n', encoding="utf-8")
    frame = load_pool(path).frame
    assert str(frame["tweet_id"].iloc[0]) == "12345678901234567890"


def test_source_column_is_file_and_row(tmp_path):
    path = tmp_path / "src.jsonl"
    path.write_text("\n".join(json.dumps({"instruction": f"i{k}", "output": f"o{k}"})
                              for k in range(3)), encoding="utf-8")
    frame = load_pool(path).frame
    assert frame["source"].tolist() == ["src.jsonl:1", "src.jsonl:2", "src.jsonl:3"]
    assert frame["source_row"].dtype == np.int64


def test_pool_key_is_a_content_hash(tmp_path):
    a = load_pool(as_alpaca(tmp_path / "a.json")).info.pool_key
    assert load_pool(as_alpaca(tmp_path / "a2.json")).info.pool_key != a  # source differs
    assert load_pool(tmp_path / "a.json").info.pool_key == a
    (tmp_path / "a.json").write_text(json.dumps([{"instruction": "x", "output": "y"}]),
                                     encoding="utf-8")
    assert load_pool(tmp_path / "a.json").info.pool_key != a


def test_canonical_frame_round_trips_through_the_workspace(tmp_path, tiny_pool_file):
    loaded = load_pool(tiny_pool_file)
    ws = Workspace.create(tmp_path / "ws", loaded)
    again = Workspace.open(tmp_path / "ws")
    frame = again.pool_frame()
    assert again.n_rows == len(loaded.frame)
    pdt.assert_frame_equal(frame, loaded.frame, check_dtype=False)
    for col in ("id", "instruction", "input", "response", "source"):
        assert frame[col].map(type).eq(str).all(), col
    assert pd.api.types.is_integer_dtype(frame["score"])
    assert ws.pool_frame(["id", "category"]).columns.tolist() == ["id", "category"]


@pytest.mark.parametrize("field", ["instruction", "input", "response"])
def test_canonical_text_columns_are_never_null(tmp_path, field):
    path = tmp_path / "nulls.jsonl"
    rec = {"instruction": "a", "input": "b", "output": "c"}
    rec["output" if field == "response" else field] = None
    path.write_text(json.dumps(rec) + "\n", encoding="utf-8")
    frame = load_pool(path).frame
    assert frame[field].iloc[0] == ""


def test_csv_columns_are_typed_whole_column(tmp_path):
    path = tmp_path / "typed.csv"
    path.write_text("instruction,output,score,mixed,huge,blank\n"
                    "a,b,3,1,99999999999999999999,\n"
                    "c,d,,x,1,\n"
                    "e,f,-2,2.5,2,\n", encoding="utf-8")
    frame = load_pool(path).frame
    assert pd.api.types.is_integer_dtype(frame["score"])
    assert frame["score"].isna().tolist() == [False, True, False]
    assert frame["score"].dropna().tolist() == [3, -2]
    assert frame["mixed"].tolist() == ["1", "x", "2.5"]  # one non-number: the column is text
    assert frame["huge"].astype(str).tolist()[0] == "99999999999999999999"
    assert frame["blank"].isna().all() or (frame["blank"] == "").all()
