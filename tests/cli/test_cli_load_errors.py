"""Bad input through the command line: exit code 2, exactly one line on stderr naming the
file/line/field and the problem, no traceback, and nothing written to the workspace."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np
import pytest

from core.workspace import Workspace

GOOD = {"instruction": "Name a colour.", "input": "", "output": "Blue."}


def jsonl(*records) -> str:
    return "".join((r if isinstance(r, str) else json.dumps(r)) + "\n" for r in records)


# Each case: (file name, bytes, extra CLI args, text the one-line error must contain).
BAD_INPUTS = {
    "missing": (None, None, [], "file not found"),
    "empty": ("empty.jsonl", b"", [], "file is empty"),
    "whitespace": ("blank.json", b"  \n\t\n  ", [], "file is empty"),
    "zero_rows": ("none.json", b"[]", [], "no records found"),
    "json_array_syntax": ("bad.json", b'[\n{"instruction": "a", "output": "b"},\n{"a" 1}\n]',
                          [], "bad.json:3: invalid JSON"),
    "jsonl_syntax": ("bad.jsonl", jsonl(GOOD, '{"instruction": "x",', GOOD).encode(), [],
                     "bad.jsonl:2: invalid JSON"),
    "non_utf8": ("latin.jsonl", json.dumps(GOOD).encode() + b'\n{"instruction": "\xe9"}\n', [],
                 "latin.jsonl:2: not valid UTF-8"),
    "missing_fields": ("partial.jsonl", jsonl(GOOD, {"instruction": "q", "note": "n"}).encode(),
                       [], "partial.jsonl:2: record has fields [instruction, note] but lacks"),
    "unknown_shape": ("odd.jsonl", jsonl({"title": "t", "body": "b"}).encode(), [],
                      "no known record shape"),
    "bad_csv_row": ("rows.csv", b'instruction,output\n"a","b"\n"c","d","e"\n', [],
                    "rows.csv:3: has 3 fields; expected 2"),
    "half_mapping": ("pool.jsonl", jsonl(GOOD).encode(), ["--instruction-col", "instruction"],
                     "needs both --instruction-col and --response-col"),
    "mapped_column_absent": ("pool.jsonl", jsonl(GOOD).encode(),
                             ["--instruction-col", "prompt", "--response-col", "output"],
                             "lacks [prompt] needed for the column mapping"),
    "all_lines_bad_even_skipped": ("junk.jsonl", b"nope\n{\n", ["--skip-bad-lines"],
                                   "no records found (2 bad lines skipped)"),
}


def make_input(tmp_path: Path, case: str) -> tuple[Path, list[str], str]:
    name, body, args, expected = BAD_INPUTS[case]
    path = tmp_path / (name or "does_not_exist.json")
    if body is not None:
        path.write_bytes(body)
    return path, args, expected


def assert_one_line_error(err: str, *needles: str) -> str:
    assert "Traceback" not in err
    lines = err.splitlines()
    assert len(lines) == 1, err
    for needle in needles:
        assert needle in lines[0], (needle, lines[0])
    return lines[0]


def snapshot(root: Path) -> dict[str, str]:
    """sha256 of every file under ``root`` (relative path -> digest)."""
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.mark.parametrize("case", sorted(BAD_INPUTS))
def test_bad_input_exits_2_with_one_line(tmp_path, run_cli, case):
    path, args, expected = make_input(tmp_path, case)
    ws_dir = tmp_path / "ws"
    code, out, err = run_cli("load", path, "--workspace", ws_dir, *args)
    assert code == 2
    line = assert_one_line_error(err, expected)
    assert line.startswith("error: ")
    if case != "half_mapping":
        assert path.name in line
    assert out == ""
    assert not ws_dir.exists(), "a failed load must not create the workspace"


@pytest.mark.parametrize("case", sorted(BAD_INPUTS))
def test_failed_load_leaves_the_previous_pool_intact(tmp_path, run_cli, tiny_pool_file, case):
    ws_dir = tmp_path / "ws"
    assert run_cli("load", tiny_pool_file, "--workspace", ws_dir)[0] == 0
    assert run_cli("embed", "--workspace", ws_dir, "--model", "hashing")[0] == 0
    before = snapshot(ws_dir)
    frame_before = Workspace.open(ws_dir).pool_frame()
    path, args, _ = make_input(tmp_path, case)
    assert run_cli("load", path, "--workspace", ws_dir, *args)[0] == 2
    assert snapshot(ws_dir) == before
    ws = Workspace.open(ws_dir)
    assert ws.pool_frame().equals(frame_before)
    assert ws.info()["embedded"] is True


@pytest.mark.parametrize("case", ["jsonl_syntax", "non_utf8", "missing"])
def test_bad_input_in_a_real_process(tmp_path, run_cli_subprocess, case):
    path, args, expected = make_input(tmp_path, case)
    proc = run_cli_subprocess("load", path, "--workspace", tmp_path / "ws", *args)
    assert proc.returncode == 2
    assert_one_line_error(proc.stderr, expected, path.name)
    assert not (tmp_path / "ws").exists()


def test_skip_bad_lines_reports_the_count(tmp_path, run_cli):
    path = tmp_path / "some_bad.jsonl"
    path.write_text(jsonl(GOOD, "{oops", GOOD | {"output": "Green."}, "[]",
                          {"instruction": "no answer"}), encoding="utf-8")
    code, out, err = run_cli("load", path, "--workspace", tmp_path / "ws", "--skip-bad-lines")
    assert code == 0, err
    assert "loaded 2 rows" in out
    assert "3 bad lines/records skipped" in out
    code, out, _ = run_cli("load", path, "--workspace", tmp_path / "ws", "--skip-bad-lines",
                           "--json")
    report = json.loads(out)
    assert (report["bad_lines_skipped"], report["bad_records_skipped"]) == (2, 1)


def test_usage_errors_are_one_line_exit_2(tmp_path, run_cli):
    code, _, err = run_cli("load", tmp_path / "x.json")  # --workspace missing
    assert code == 2
    assert_one_line_error(err, "--workspace")
    code, _, err = run_cli("load", tmp_path / "x.json", "--workspace", tmp_path / "w",
                           "--format", "yaml")
    assert code == 2
    assert_one_line_error(err, "invalid choice")


def test_workspace_that_is_a_foreign_folder_is_refused(tmp_path, run_cli, tiny_pool_file):
    foreign = tmp_path / "photos"
    foreign.mkdir()
    (foreign / "holiday.jpg").write_bytes(b"jpeg")
    code, _, err = run_cli("load", tiny_pool_file, "--workspace", foreign)
    assert code == 2
    assert_one_line_error(err, "not a QD Explorer workspace")
    assert sorted(p.name for p in foreign.iterdir()) == ["holiday.jpg"]


@pytest.mark.parametrize("command", [["info"], ["embed", "--model", "hashing"], ["map"]])
def test_commands_on_a_missing_workspace(tmp_path, run_cli, command):
    code, _, err = run_cli(*command, "--workspace", tmp_path / "nowhere")
    assert code == 2
    assert_one_line_error(err, "nowhere", "is not a QD Explorer workspace")


def test_map_before_embed_says_what_to_run(tmp_path, run_cli, tiny_pool_file):
    run_cli("load", tiny_pool_file, "--workspace", tmp_path / "ws")
    code, _, err = run_cli("map", "--workspace", tmp_path / "ws")
    assert code == 2
    assert_one_line_error(err, "not embedded yet", "python -m core embed")


def bad_vectors(n: int) -> dict[str, tuple[np.ndarray | bytes, str]]:
    rng = np.random.default_rng(0)
    nan = rng.normal(size=(n, 8)).astype(np.float32)
    nan[5, 3] = np.nan
    zero = rng.normal(size=(n, 8)).astype(np.float32)
    zero[7] = 0.0
    inf = rng.normal(size=(n, 8))
    inf[2, 0] = np.inf
    return {
        "wrong_rows": (rng.normal(size=(n + 1, 8)), f"has {n + 1} rows; expected {n}"),
        "nan": (nan, "row 5 holds NaN or infinity"),
        "inf": (inf, "row 2 holds NaN or infinity"),
        "one_dimensional": (rng.normal(size=n), f"has shape ({n},); expected a 2-D matrix"),
        "zero_row": (zero, "row 7 is all zeros"),
        "strings": (np.array([["a"] * 8] * n), "expected real numbers"),
        "not_npy": (b"this is not a numpy file", "not a readable .npy file"),
    }


@pytest.mark.parametrize("case", ["wrong_rows", "nan", "inf", "one_dimensional", "zero_row",
                                  "strings", "not_npy", "missing"])
def test_bad_npy_for_embed_from_npy(tmp_path, run_cli, tiny_workspace, case):
    n = tiny_workspace.n_rows
    path = tmp_path / f"{case}.npy"
    if case == "missing":
        expected = "file not found"
    else:
        value, expected = bad_vectors(n)[case]
        if isinstance(value, bytes):
            path.write_bytes(value)
        else:
            np.save(path, value)
    before = snapshot(tiny_workspace.root)
    code, out, err = run_cli("embed", "--workspace", tiny_workspace.root, "--from-npy", path)
    assert code == 2
    assert_one_line_error(err, path.name, expected)
    assert snapshot(tiny_workspace.root) == before
    assert Workspace.open(tiny_workspace.root).embedding_info()["model"] == "hashing-64"


def test_good_npy_is_normalised_and_becomes_current(tmp_path, run_cli, tiny_workspace):
    rng = np.random.default_rng(1)
    vectors = rng.normal(size=(tiny_workspace.n_rows, 12)) * 5
    path = tmp_path / "mine.npy"
    np.save(path, vectors)
    code, out, err = run_cli("embed", "--workspace", tiny_workspace.root, "--from-npy", path,
                             "--json")
    assert code == 0, err
    meta = json.loads(out)
    assert (meta["model"], meta["field"], meta["dim"]) == ("vectors:mine.npy", "external", 12)
    emb = Workspace.open(tiny_workspace.root).embeddings()
    assert emb.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(emb, axis=1), 1.0, atol=1e-6)
    np.testing.assert_allclose(emb, vectors / np.linalg.norm(vectors, axis=1, keepdims=True),
                               atol=1e-6)


def test_unexpected_error_exits_1_with_a_log_file(tmp_path, run_cli, monkeypatch,
                                                  tiny_pool_file):
    import core.cli.load as load_cmd

    def broken(*args, **kwargs):
        raise RuntimeError("simulated bug")

    monkeypatch.setattr(load_cmd, "load_sources", broken)
    monkeypatch.setenv("QDX_LOG_DIR", str(tmp_path))
    code, _, err = run_cli("load", tiny_pool_file, "--workspace", tmp_path / "ws")
    assert code == 1
    line = assert_one_line_error(err, "unexpected error: RuntimeError: simulated bug",
                                 "details in")
    log = Path(line.rsplit("details in ", 1)[1].rstrip(")"))
    assert log.parent == tmp_path
    assert "Traceback" in log.read_text() and "simulated bug" in log.read_text()
