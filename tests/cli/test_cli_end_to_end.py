"""The command line end to end: load -> embed -> map -> info --json, on the tiny pool and on
real pools from ../shared/data (the deterministic embedders keep it fast)."""

from __future__ import annotations

import json

import numpy as np
import pytest

from core.workspace import Workspace

INFO_KEYS = {"rows", "format", "duplicates", "embedded", "model", "dim", "mapped", "selections"}


def info_json(run_cli, ws_dir) -> dict:
    code, out, err = run_cli("info", "--workspace", ws_dir, "--json")
    assert code == 0, err
    assert len(out.strip().splitlines()) == 1  # one JSON object on one line
    info = json.loads(out)
    assert INFO_KEYS <= set(info)
    return info


def test_tiny_pool_end_to_end(tmp_path, run_cli, tiny_pool_file, tiny_records):
    ws_dir = tmp_path / "ws"
    code, out, err = run_cli("load", tiny_pool_file, "--workspace", ws_dir)
    assert code == 0, err
    assert f"loaded {len(tiny_records)} rows (alpaca in json)" in out
    assert "extra columns: category, score, meta" in out
    info = info_json(run_cli, ws_dir)
    assert (info["rows"], info["format"], info["duplicates"]) == (len(tiny_records), "alpaca", 0)
    assert (info["embedded"], info["model"], info["dim"], info["mapped"]) == (
        False, None, None, False)
    assert info["selections"] == []

    code, out, err = run_cli("embed", "--workspace", ws_dir, "--model", "hashing", "--json")
    assert code == 0, err
    assert json.loads(out)["rows"] == len(tiny_records)
    info = info_json(run_cli, ws_dir)
    assert (info["embedded"], info["model"], info["dim"], info["mapped"]) == (
        True, "hashing-64", 64, False)

    code, out, err = run_cli("map", "--workspace", ws_dir, "--json")
    assert code == 0, err
    report = json.loads(out)
    assert report["rows"] == len(tiny_records) and report["knn_exact"] is True
    info = info_json(run_cli, ws_dir)
    assert info["mapped"] is True and info["knn"] is True

    # The documented top-level files are readable by other tools.
    emb = np.load(ws_dir / "embeddings.npy")
    assert emb.shape == (len(tiny_records), 64) and emb.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(emb, axis=1), 1.0, atol=1e-5)
    import pandas as pd

    coords = pd.read_parquet(ws_dir / "map.parquet")
    assert coords.columns.tolist() == ["id", "x", "y"]
    assert coords["id"].tolist() == Workspace.open(ws_dir).pool_frame()["id"].tolist()
    assert np.isfinite(coords[["x", "y"]].to_numpy()).all()
    with np.load(ws_dir / "knn.npz") as knn:
        assert (knn["indices"][:, 0] == np.arange(len(tiny_records))).all()


def test_plain_info_output(tmp_path, run_cli, tiny_pool_file):
    run_cli("load", tiny_pool_file, "--workspace", tmp_path / "ws")
    code, out, _ = run_cli("info", "--workspace", tmp_path / "ws")
    assert code == 0
    assert any(line.split()[:2] == ["rows", "48"] for line in out.splitlines())


def test_pipeline_in_real_processes(tmp_path, run_cli_subprocess, tiny_pool_file):
    ws_dir = tmp_path / "ws"
    for argv in (["load", tiny_pool_file, "--workspace", ws_dir],
                 ["embed", "--workspace", ws_dir, "--model", "tfidf", "--field", "both"],
                 ["map", "--workspace", ws_dir, "--method", "pca"]):
        proc = run_cli_subprocess(*argv)
        assert proc.returncode == 0, proc.stderr
        assert "Traceback" not in proc.stderr
    proc = run_cli_subprocess("info", "--workspace", ws_dir, "--json")
    info = json.loads(proc.stdout)
    assert (info["rows"], info["embedded"], info["model"], info["field"]) == (
        48, True, "tfidf", "both")
    assert info["mapped"] is False  # only a PCA preview so far; "mapped" means UMAP


def test_column_mapping_via_cli(tmp_path, run_cli):
    path = tmp_path / "custom.csv"
    path.write_text("ask,ctx,reply,lang\nWhat is 2+2?,math,four,en\nSay hi,,hello,fr\n",
                    encoding="utf-8")
    ws_dir = tmp_path / "ws"
    code, _, err = run_cli("load", path, "--workspace", ws_dir)
    assert code == 2 and "--instruction-col" in err
    code, out, err = run_cli("load", path, "--workspace", ws_dir, "--instruction-col", "ask",
                             "--response-col", "reply", "--input-col", "ctx", "--json")
    assert code == 0, err
    report = json.loads(out)
    assert report["shape"] == "mapped"
    assert report["column_mapping"] == {"instruction": "ask", "input": "ctx",
                                        "response": "reply", "system": None}
    frame = Workspace.open(ws_dir).pool_frame()
    assert frame[["instruction", "input", "response", "lang"]].values.tolist() == [
        ["What is 2+2?", "math", "four", "en"], ["Say hi", "", "hello", "fr"]]


def test_keep_duplicates_via_cli(tmp_path, run_cli):
    recs = [{"instruction": "a", "output": "b"}] * 3 + [{"instruction": "c", "output": "d"}]
    path = tmp_path / "dups.json"
    path.write_text(json.dumps(recs), encoding="utf-8")
    code, out, _ = run_cli("load", path, "--workspace", tmp_path / "w1")
    assert code == 0 and "2 exact duplicates dropped (first kept)" in out
    assert info_json(run_cli, tmp_path / "w1")["rows"] == 2
    code, out, _ = run_cli("load", path, "--workspace", tmp_path / "w2", "--keep-duplicates")
    assert code == 0 and "2 exact duplicates kept" in out
    info = info_json(run_cli, tmp_path / "w2")
    assert (info["rows"], info["duplicates"]) == (4, 2)
    ids = Workspace.open(tmp_path / "w2").pool_frame()["id"].tolist()
    assert ids[1] == ids[0] + "~2" and ids[2] == ids[0] + "~3"


def test_long_field_reported_by_cli(tmp_path, run_cli):
    path = tmp_path / "long.jsonl"
    path.write_text(json.dumps({"instruction": "x", "output": "y" * 300_000}) + "\n",
                    encoding="utf-8")
    code, out, _ = run_cli("load", path, "--workspace", tmp_path / "ws")
    assert code == 0
    assert "1 fields longer than 100,000 characters (kept whole)" in out
    stored = Workspace.open(tmp_path / "ws").pool_frame()["response"].iloc[0]
    assert len(stored) == 300_000


# ---------------------------------------------------------------- real pools
def test_real_pool_end_to_end_with_tfidf(tmp_path, run_cli, shared_data):
    ws_dir = tmp_path / "ws"
    code, out, err = run_cli("load", shared_data / "gsm8k" / "test.jsonl", "--workspace",
                             ws_dir)
    assert code == 0, err
    code, _, err = run_cli("embed", "--workspace", ws_dir, "--model", "tfidf")
    assert code == 0, err
    code, _, err = run_cli("map", "--workspace", ws_dir)
    assert code == 0, err
    info = info_json(run_cli, ws_dir)
    assert (info["rows"], info["format"], info["duplicates"]) == (1319, "question_answer", 0)
    assert (info["embedded"], info["model"], info["mapped"]) == (True, "tfidf", True)
    assert 2 <= info["dim"] <= 256
    assert info["selections"] == []
    assert np.load(ws_dir / "embeddings.npy").shape == (1319, info["dim"])


def test_real_dolly_via_cli_keeps_category(tmp_path, run_cli, shared_data):
    ws_dir = tmp_path / "ws"
    code, out, err = run_cli("load", shared_data / "dolly" / "alpagasus_dolly_3k.json",
                             "--workspace", ws_dir)
    assert code == 0, err
    assert "2 exact duplicates dropped" in out and "extra columns: category" in out
    info = info_json(run_cli, ws_dir)
    assert (info["rows"], info["duplicates"], info["extra_columns"]) == (2994, 2, ["category"])


def test_real_alpaca_libre_v2_via_cli(tmp_path, run_cli, shared_data):
    path = shared_data / "alpaca_libre" / "alpaca_libre_tasks_v2.jsonl"
    code, _, err = run_cli("load", path, "--workspace", tmp_path / "ws")
    assert code == 2
    assert err.count("\n") == 1 and "Traceback" not in err
    assert "alpaca_libre_tasks_v2.jsonl:2279: invalid JSON" in err
    assert not (tmp_path / "ws").exists()
    code, out, err = run_cli("load", path, "--workspace", tmp_path / "ws", "--skip-bad-lines")
    assert code == 0, err
    assert "14 bad lines/records skipped" in out
    info = info_json(run_cli, tmp_path / "ws")
    assert info["bad_lines_skipped"] == 14


@pytest.mark.parametrize("template", ["adversarial_qa_dbert_answer_the_following_q.jsonl"])
def test_real_t0_template_via_cli(tmp_path, run_cli, shared_data, template):
    path = shared_data / "t0_train_50k" / "data_per_template" / template
    code, out, err = run_cli("load", path, "--workspace", tmp_path / "ws", "--json")
    assert code == 0, err
    report = json.loads(out)
    assert (report["shape"], report["rows"]) == ("prompt_completion", 200)
    code, _, err = run_cli("embed", "--workspace", tmp_path / "ws", "--model", "hashing",
                           "--field", "response")
    assert code == 0, err
    info = info_json(run_cli, tmp_path / "ws")
    assert (info["format"], info["model"], info["field"]) == (
        "prompt_completion", "hashing-64", "response")
