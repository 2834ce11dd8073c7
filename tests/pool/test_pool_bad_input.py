"""Every bad input raises one ``InputError`` whose single line names the file, the line (where
a line exists), what was found and what was expected. The CLI side of the same inputs is in
tests/cli/test_cli_load_errors.py."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from core.errors import InputError
from core.pool import load_pool
from core.text import truncate_for_display

GOOD = {"instruction": "Name a colour.", "input": "", "output": "Blue."}


def lines(*records) -> str:
    return "".join((r if isinstance(r, str) else json.dumps(r)) + "\n" for r in records)


def load_error(path: Path, **kwargs) -> InputError:
    with pytest.raises(InputError) as err:
        load_pool(path, **kwargs)
    msg = str(err.value)
    assert "\n" not in msg, "an InputError is one line"
    assert msg == err.value.one_line()
    return err.value


def test_missing_file(tmp_path):
    err = load_error(tmp_path / "nope.json")
    assert str(err) == f"{tmp_path / 'nope.json'}: file not found"


@pytest.mark.parametrize("name", ["empty.json", "empty.jsonl", "empty.csv", "empty.parquet"])
def test_empty_file(tmp_path, name):
    path = tmp_path / name
    path.write_bytes(b"")
    err = load_error(path)
    assert name in str(err)
    assert "empty" in str(err)


@pytest.mark.parametrize("name", ["blank.json", "blank.jsonl", "blank.csv"])
def test_whitespace_only_file(tmp_path, name):
    path = tmp_path / name
    path.write_text("  \n\n\t \r\n   ", encoding="utf-8")
    err = load_error(path)
    assert name in str(err)
    assert "empty" in str(err)


def test_empty_json_array_has_zero_rows(tmp_path):
    path = tmp_path / "none.json"
    path.write_text("[]", encoding="utf-8")
    assert "no records found" in str(load_error(path))


def test_csv_with_header_only_has_zero_rows(tmp_path):
    path = tmp_path / "header.csv"
    path.write_text("instruction,output\n", encoding="utf-8")
    err = load_error(path)
    assert "header.csv" in str(err) and "no records found" in str(err)


def test_zero_usable_rows_when_every_record_is_skipped(tmp_path):
    path = tmp_path / "incomplete.jsonl"
    path.write_text(lines({"instruction": "c"}, {"instruction": "d", "outp": "x"}),
                    encoding="utf-8")
    err = load_error(path, fmt="alpaca", skip_bad_lines=True)
    assert "incomplete.jsonl" in str(err)
    assert "zero usable rows" in str(err)
    assert "all 2 records were skipped" in str(err)
    assert "line 1" in str(err)


def test_zero_usable_rows_when_every_line_is_bad(tmp_path):
    path = tmp_path / "garbage.jsonl"
    path.write_text("not json\n{broken\n", encoding="utf-8")
    err = load_error(path, skip_bad_lines=True)
    assert "garbage.jsonl" in str(err)
    assert "no records found (2 bad lines skipped)" in str(err)


def test_invalid_json_array_reports_the_line(tmp_path):
    path = tmp_path / "broken.json"
    path.write_text('[\n  {"instruction": "a", "output": "b"},\n'
                    '  {"instruction": "c" "output": "d"}\n]\n', encoding="utf-8")
    err = load_error(path)
    assert err.line == 3
    assert str(err).startswith(f"{path}:3: invalid JSON at column")
    assert "Expecting ',' delimiter" in str(err)


def test_truncated_json_array(tmp_path):
    path = tmp_path / "cut.json"
    path.write_text('[\n{"instruction": "a", "output": "b"},\n{"instruction": "c", "out',
                    encoding="utf-8")
    err = load_error(path)
    assert err.line == 3 and "invalid JSON" in str(err)


def test_invalid_jsonl_reports_the_line(tmp_path):
    path = tmp_path / "broken.jsonl"
    path.write_text(lines(GOOD, GOOD | {"output": "x"}, '{"instruction": "c",', GOOD),
                    encoding="utf-8")
    err = load_error(path)
    assert err.line == 3
    assert str(err).startswith(f"{path}:3: invalid JSON at column")
    assert "--skip-bad-lines" in str(err)


def test_invalid_jsonl_skipped_and_counted(tmp_path):
    path = tmp_path / "broken.jsonl"
    path.write_text(lines(GOOD, '{"instruction": "c",', GOOD | {"output": "x"}, "[1, 2]",
                          "oops"), encoding="utf-8")
    loaded = load_pool(path, skip_bad_lines=True)
    assert loaded.info.rows == 2
    assert loaded.info.bad_lines_skipped == 3
    assert [e.split(":")[0] for e in loaded.info.skipped_examples] == ["line 2", "line 4",
                                                                       "line 5"]
    assert loaded.frame["source"].tolist() == ["broken.jsonl:1", "broken.jsonl:3"]


def test_jsonl_line_that_is_not_an_object(tmp_path):
    path = tmp_path / "list.jsonl"
    path.write_text(lines(GOOD, "[1, 2]"), encoding="utf-8")
    err = load_error(path)
    assert err.line == 2
    assert "a JSON list, expected an object" in str(err)


def test_json_top_level_scalar(tmp_path):
    path = tmp_path / "scalar.json"
    path.write_text('"just a string"', encoding="utf-8")
    assert "top level is a JSON str; expected an array of records" in str(load_error(path))


def test_json_array_with_a_non_object_element(tmp_path):
    path = tmp_path / "mixed.json"
    path.write_text(json.dumps([GOOD, "text", GOOD]), encoding="utf-8")
    assert "record 2 is a JSON str; expected an object" in str(load_error(path))


@pytest.mark.parametrize("name", ["latin1.jsonl", "latin1.json", "latin1.csv"])
def test_non_utf8_bytes_report_the_line(tmp_path, name):
    path = tmp_path / name
    if name.endswith(".csv"):
        body = b'instruction,output\n"a","b"\n"caf\xe9","ok"\n'
    else:
        rec = b'{"instruction": "caf\xe9", "output": "ok"}'
        good = json.dumps(GOOD).encode()
        body = good + b"\n" + good + b"\n" + rec + b"\n"
        if name.endswith(".json"):
            body = b"[\n" + good + b",\n" + good + b",\n" + rec + b"\n]"
    path.write_bytes(body)
    err = load_error(path)
    assert err.line == (4 if name.endswith(".json") else 3)  # the array's "[" is line 1
    assert name in str(err)
    assert "not valid UTF-8 (byte 0xe9" in str(err)
    assert "expected UTF-8" in str(err)


def test_record_missing_needed_fields_names_found_and_expected(tmp_path):
    path = tmp_path / "partial.jsonl"
    path.write_text(lines(GOOD, GOOD, {"instruction": "No answer here", "input": "", "note": 1}),
                    encoding="utf-8")
    err = load_error(path)
    assert err.line == 3
    msg = str(err)
    assert msg.startswith(f"{path}:3: ")
    assert "has fields [input, instruction, note]" in msg
    assert "Alpaca" in msg
    # The file's records use "output"; the expected field must be named as "output" (the
    # loader also accepts "response"), not only as "response".
    assert "output" in msg.split("lacks", 1)[1]


def test_record_missing_fields_in_a_json_array_names_the_record(tmp_path):
    path = tmp_path / "partial.json"
    path.write_text(json.dumps([GOOD, {"instruction": "x", "input": ""}]), encoding="utf-8")
    err = load_error(path)
    assert "record 2: record has fields [input, instruction]" in str(err)


def test_records_with_missing_fields_skipped_and_counted(tmp_path):
    path = tmp_path / "partial.jsonl"
    path.write_text(lines(GOOD, {"instruction": "x"}, GOOD | {"output": "y"}),
                    encoding="utf-8")
    loaded = load_pool(path, skip_bad_lines=True)
    assert loaded.info.rows == 2
    assert loaded.info.bad_records_skipped == 1
    assert loaded.info.bad_lines_skipped == 0


def test_no_known_shape_names_found_and_expected_fields(tmp_path):
    path = tmp_path / "odd.jsonl"
    path.write_text(lines({"title": "t", "body": "b"}), encoding="utf-8")
    msg = str(load_error(path))
    assert "odd.jsonl" in msg
    found = msg.split("found fields [", 1)[1].split("]", 1)[0]
    assert sorted(found.split(", ")) == ["body", "title"]
    assert "instruction+output" in msg and "conversations" in msg and "messages" in msg
    assert "--instruction-col" in msg


@pytest.mark.parametrize("conversations, problem", [
    ([], "expected a non-empty list of turns"),
    ([{"from": "human", "value": "only a question"}], "expected at least one user and one"),
    ([{"speaker": "human", "text": "hi"}], "has fields ['speaker', 'text']; expected"),
    (["plain text turn"], "turn 1 of 'conversations' is a str"),
    ("not json [", "is text that is not JSON"),
])
def test_bad_sharegpt_conversations(tmp_path, conversations, problem):
    path = tmp_path / "chat.jsonl"
    path.write_text(lines({"conversations": [{"from": "human", "value": "q"},
                                             {"from": "gpt", "value": "a"}]},
                          {"conversations": conversations}), encoding="utf-8")
    err = load_error(path)
    assert err.line == 2
    assert problem in str(err)


def test_absurdly_long_field_is_kept_whole(tmp_path):
    long_text = "word " * 60_000  # 300,000 characters
    path = tmp_path / "long.jsonl"
    path.write_text(lines(GOOD, {"instruction": "Summarise.", "input": "", "output": long_text}),
                    encoding="utf-8")
    loaded = load_pool(path)
    stored = loaded.frame["response"].iloc[1]
    assert len(stored) == 300_000
    assert stored == long_text
    assert loaded.info.long_fields == 1
    shown = truncate_for_display(stored)
    assert len(shown) < 2_100
    assert shown.startswith("word word")
    assert "298,000 more characters" in shown


def test_bad_csv_row_reports_the_line(tmp_path):
    path = tmp_path / "rows.csv"
    path.write_text('instruction,output\n"a","b"\n"c","d","surplus"\n"e","f"\n',
                    encoding="utf-8")
    err = load_error(path)
    assert err.line == 3
    assert "has 3 fields; expected 2 as in the header" in str(err)


def test_bad_csv_rows_skipped_and_counted(tmp_path):
    path = tmp_path / "rows.csv"
    path.write_text('instruction,output\n"a","b"\n"c","d","surplus"\n"only one"\n"e","f"\n',
                    encoding="utf-8")
    loaded = load_pool(path, skip_bad_lines=True)
    assert loaded.info.rows == 2
    assert loaded.info.bad_lines_skipped == 2
    assert loaded.frame["source"].tolist() == ["rows.csv:2", "rows.csv:5"]


def test_csv_header_with_repeated_names(tmp_path):
    path = tmp_path / "dup.csv"
    path.write_text("instruction,output,output\na,b,c\n", encoding="utf-8")
    err = load_error(path)
    assert err.line == 1
    assert "repeated column names" in str(err)


def test_corrupt_parquet(tmp_path):
    path = tmp_path / "broken.parquet"
    path.write_bytes(b"PAR1 this is not really parquet")
    err = load_error(path)
    assert "broken.parquet" in str(err)
    assert "not a readable Parquet file" in str(err)


def test_plain_directory_is_not_a_dataset(tmp_path):
    folder = tmp_path / "folder"
    folder.mkdir()
    assert "not a saved datasets folder" in str(load_error(folder))


def test_unknown_extension_without_format(tmp_path):
    path = tmp_path / "pool.txt"
    path.write_text("instruction: hello\n", encoding="utf-8")
    err = load_error(path)
    assert "cannot tell the format" in str(err) and "--format" in str(err)
