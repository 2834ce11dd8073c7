"""The export bundle: its files, the manifest's contents, the selection table, and the
dashboard's download giving the same bytes as the CLI."""

from __future__ import annotations

import io
import json
import zipfile

import numpy as np
import pandas as pd
import pytest

from core.cli import main
from core.cli.export import FORMAT_CHOICES
from core.export import FORMATS, export_bundle_zip, export_bytes, export_selection
from core.export.download import zip_folder
from core.pool import load_pool
from core.select.result import SelectionResult


def test_cli_format_choices_match_the_engine():
    assert tuple(FORMATS) == FORMAT_CHOICES


def test_bundle_holds_every_file_and_a_complete_manifest(small_ws, tmp_path):
    out = tmp_path / "bundle"
    res = export_selection(small_ws, "qdit-k30", "alpaca", out)
    names = sorted(p.name for p in out.iterdir())
    assert names == sorted(["qdit-k30.json", "manifest.json", "selection.parquet",
                            "dataset_info.json", "axolotl_datasets.yaml", "README.md"])
    assert res.data_path == out / "qdit-k30.json" and res.rows == 30
    m = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    result = small_ws.load_selection("qdit-k30")
    ids = small_ws.pool_frame(["id"])["id"].to_numpy()[result.indices].tolist()
    assert m["selection"]["ids"] == ids and m["selection"]["rows"] == result.indices.tolist()
    info = small_ws.pool_info
    assert m["source"]["sha256"] == info["source_sha256"] and m["source"]["size"] > 0
    assert m["source"]["path"] == info["source"] and m["source"]["shape"] == "alpaca"
    emb = small_ws.embedding_info()
    assert m["embedding"]["sha256"] == emb["sha256"] and m["embedding"]["dim"] == emb["dim"]
    assert m["embedding"]["model"] == emb["model"] and m["embedding"]["used_by_selection"]
    assert m["strategy"]["name"] == "qdit" and m["strategy"]["params"]["alpha"] == 0.5
    assert m["strategy"]["seed"] == 0 and m["strategy"]["k"] == 30
    assert m["quality"]["spec"] == "heuristic" and 0 <= m["quality"]["selection_mean"] <= 1
    assert m["tool"]["version"] and "commit" in m["tool"]["git"]
    assert {"selection", "pool", "random"} <= set(m["metrics"]["vendi"])
    assert small_ws.load_metrics("qdit-k30") == m["metrics"]  # cached in the workspace
    assert m["export"]["format"] == "alpaca" and m["export"]["rows"] == 30
    assert m["timings"]["selection"]["total"] > 0 and m["timings"]["export_total"] > 0
    assert m["created"].endswith("Z")
    from core.workspace.tokens import token_counts

    picked = token_counts(small_ws).iloc[result.indices]
    assert m["tokens"]["total_tokens"] == int(picked.to_numpy().sum()) > 0
    assert m["tokens"]["response_tokens"] == int(picked["response_tokens"].sum())
    assert "stand-in" in m["tokens"]["tokenizer"]
    assert m["metrics"]["training_tokens"]["selection"] == m["tokens"]["total_tokens"]
    # the data file itself is the selection, in rank order
    assert load_pool(out / "qdit-k30.json").frame["id"].tolist() == ids


def test_selection_table_columns_and_values(small_ws, tmp_path):
    export_selection(small_ws, "qdit-k30", "jsonl", tmp_path / "b", compute_metrics=False)
    table = pd.read_parquet(tmp_path / "b" / "selection.parquet")
    assert list(table.columns) == ["id", "row", "rank", "gain", "objective", "quality",
                                   "cluster", "x", "y", "coverage_part", "quality_part",
                                   "represents", "cluster_name", "closest_ids",
                                   "closest_similarity"]
    result = small_ws.load_selection("qdit-k30")
    assert table["row"].tolist() == result.indices.tolist()
    assert table["rank"].tolist() == list(range(30))
    assert table["gain"].tolist() == pytest.approx(result.gains.tolist())
    assert table["quality"].between(0, 1).all() and table["cluster"].notna().all()
    assert table["x"].isna().all()  # no map built in this workspace
    # the explanation columns (core.explain): parts add up, represents covers the pool
    parts = table["coverage_part"] + table["quality_part"]
    assert parts.tolist() == pytest.approx(table["gain"].tolist(), abs=1e-12)
    assert table["quality_part"].tolist() == pytest.approx((0.5 * table["quality"]).tolist())
    assert int(table["represents"].sum()) == small_ws.n_rows  # dense: every row has a pick
    assert table["cluster_name"].notna().all()
    assert all(len(c) <= 3 for c in table["closest_similarity"])


def test_quality_none_and_cached_metrics_are_reported(small_ws, tmp_path):
    export_selection(small_ws, "random-k12", "csv", tmp_path / "b", compute_metrics=False)
    m = json.loads((tmp_path / "b" / "manifest.json").read_text())
    assert m["metrics"] is None and "skipped" in m["metrics_info"]["source"]
    assert not m["embedding"]["used_by_selection"]  # random ignores the embedding
    table = pd.read_parquet(tmp_path / "b" / "selection.parquet")
    assert table["quality"].isna().all()
    assert "No metrics" in (tmp_path / "b" / "README.md").read_text()


def test_card_says_how_it_was_chosen_and_what_it_scores(small_ws, tmp_path):
    export_selection(small_ws, "qdit-k30", "sharegpt", tmp_path / "b")
    card = (tmp_path / "b" / "README.md").read_text(encoding="utf-8")
    for text in ("# qdit-k30: 30 rows", "`qdit` with alpha=0.5", "hashing-64 on the instruction",
                 "| Vendi score |", "`heuristic`", "python -m core reproduce",
                 "dataset: qdit-k30"):
        assert text in card


@pytest.mark.parametrize("fmt", list(FORMATS))
def test_download_bytes_equal_the_cli_data_file(small_ws, tmp_path, fmt, capsys):
    out = tmp_path / f"cli-{fmt}"
    rc = main(["export", "--workspace", str(small_ws.root), "--selection", "qdit-k30",
               "--format", fmt, "--out", str(out), "--no-metrics"])
    assert rc == 0 and "exported 30 rows" in capsys.readouterr().out
    name, data, mime = export_bytes(small_ws, "qdit-k30", fmt)
    cli_data = out / ("qdit-k30" + FORMATS[fmt].suffix)
    if fmt == "hf":
        assert name == "qdit-k30.zip" and mime == "application/zip"
        assert data == zip_folder(cli_data)
    else:
        assert name == cli_data.name and mime == FORMATS[fmt].mime
        assert data == cli_data.read_bytes()


def test_bundle_zip_holds_the_same_data_bytes(small_ws, tmp_path):
    export_selection(small_ws, "qdit-k30", "openai", tmp_path / "b", compute_metrics=False)
    name, data, mime = export_bundle_zip(small_ws, "qdit-k30", "openai")
    assert name == "qdit-k30-openai.zip" and mime == "application/zip"
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        names = set(zf.namelist())
        assert "qdit-k30-openai/manifest.json" in names
        assert zf.read("qdit-k30-openai/qdit-k30.jsonl") == \
            (tmp_path / "b" / "qdit-k30.jsonl").read_bytes()
        stanza = zf.read("qdit-k30-openai/axolotl_datasets.yaml").decode()
    assert 'path: "qdit-k30.jsonl"' in stanza  # relative: the zip's place is unknown


def test_multi_turn_rows_survive_every_format(small_ws, tmp_path):
    frame = small_ws.pool_frame()
    multi = frame["id"][frame["conversation"].notna()].tolist()
    rows = np.flatnonzero(frame["conversation"].notna().to_numpy())[:4]
    small_ws.save_selection("chats", SelectionResult(rows, np.zeros(4), np.zeros(4),
                                                     config={"strategy": "manual", "k": 4}))
    for fmt in FORMATS:
        res = export_selection(small_ws, "chats", fmt, tmp_path / fmt, compute_metrics=False)
        back = load_pool(res.data_path).frame
        assert back["id"].tolist() == frame["id"].to_numpy()[rows].tolist() and \
            set(back["id"]) <= set(multi), fmt
        assert back["conversation"].notna().all(), fmt
