"""Many files as one pool: a `source` column per file, named sources, bad files named."""

from __future__ import annotations

import json

import pytest

from core.errors import InputError
from core.pool.sources import load_sources
from core.workspace import Workspace


def _write(path, rows):
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def three_files(tmp_path, tiny_records):
    a = tmp_path / "general.json"
    a.write_text(json.dumps(tiny_records[:20]), encoding="utf-8")
    b = _write(tmp_path / "math.jsonl", [{"question": f"What is {i} + {i}?",
                                          "answer": str(2 * i)} for i in range(15)])
    c = tmp_path / "code.parquet"
    import pandas as pd

    pd.DataFrame([{"instruction": f"Write code {i}", "output": f"print({i})"}
                  for i in range(10)] + [tiny_records[0] | {"meta": "x"}]).to_parquet(c)
    return a, b, c


def test_three_formats_make_one_pool_with_a_source_column(three_files):
    loaded = load_sources([str(p) for p in three_files])
    assert loaded.frame["source"].value_counts().to_dict() == {"general": 20, "math": 15,
                                                               "code": 10}
    assert loaded.info.duplicates == 1  # code.parquet repeats general's first row
    assert [s["rows"] for s in loaded.info.sources] == [20, 15, 10]
    assert loaded.frame["id"].is_unique


def test_folder_glob_and_explicit_names(three_files, tmp_path):
    folder = load_sources([str(tmp_path)])
    assert sorted(folder.frame["source"].unique()) == ["code", "general", "math"]
    named = load_sources([f"words={three_files[0]}", f"numbers={tmp_path}/*.jsonl"])
    assert named.frame["source"].value_counts().to_dict() == {"words": 20, "numbers": 15}


def test_bad_file_is_named_and_nothing_is_written(three_files, tmp_path, run_cli):
    bad = tmp_path / "broken.jsonl"
    bad.write_text('{"instruction": "a", "output": "b"}\n{"instruction": \n')
    code, _, err = run_cli("load", *three_files, bad, "--workspace", tmp_path / "ws")
    assert code == 2 and "broken.jsonl" in err and err.count("\n") == 1
    assert not (tmp_path / "ws").exists()
    with pytest.raises(InputError, match="matches no file"):
        load_sources([str(tmp_path / "*.csv")])


def test_info_reports_rows_tokens_and_quality_per_source(three_files, tmp_path, run_cli):
    code, out, err = run_cli("load", *three_files, "--workspace", tmp_path / "ws")
    assert code == 0, err
    code, out, err = run_cli("info", "--workspace", tmp_path / "ws", "--json")
    info = json.loads(out)
    per = {s["source"]: s for s in info["per_source"]}
    assert [per[n]["rows"] for n in ("general", "math", "code")] == [20, 15, 10]
    assert sum(s["tokens"] for s in per.values()) == info["tokens"] > 0
    assert all(0 <= s["mean_quality"] <= 1 for s in per.values())
    assert "bundled" in info["tokenizer"]
    ws = Workspace.open(tmp_path / "ws")
    assert ws.pool_frame()["source"].iloc[-1] == "code"


def test_reproduce_rehashes_every_source_file(three_files, tmp_path, run_cli):
    ws_dir, out = tmp_path / "ws", tmp_path / "out"
    assert run_cli("load", *three_files, "--workspace", ws_dir)[0] == 0
    assert run_cli("select", "--workspace", ws_dir, "--strategy", "random", "--k", "10",
                   "--name", "r10")[0] == 0
    code, _, err = run_cli("export", "--workspace", ws_dir, "--selection", "r10", "--format",
                           "alpaca", "--out", out, "--no-metrics")
    assert code == 0, err
    code, stdout, err = run_cli("reproduce", out / "manifest.json", "--workspace", ws_dir)
    assert code == 0 and "files hashed again" in stdout, err
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["tokens"]["total_tokens"] > 0
    three_files[1].write_text(three_files[1].read_text().replace("What is 1", "What is 9"))
    code, _, err = run_cli("reproduce", out / "manifest.json", "--workspace", ws_dir)
    assert code == 2 and "source file changed" in err
