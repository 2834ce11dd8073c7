"""Stored metrics record their options; an export never ships a partial report or one
measured with another quality spec (issue 18.2)."""

from __future__ import annotations

import json

from core.cli import main
from core.metrics.measures import FAMILIES, MEASURES
from core.select.request import SelectionRequest
from core.select.run import run_selection


def _save(ws, name, quality="heuristic"):
    ws.save_selection(name, run_selection(ws, SelectionRequest("random", 20, seed=3,
                                                               quality=quality)))


def _export(ws, name, out, capsys, *extra):
    assert main(["export", "--workspace", str(ws.root), "--selection", name, "--format",
                 "jsonl", "--out", str(out), *extra]) == 0
    capsys.readouterr()
    return json.loads((out / "manifest.json").read_text(encoding="utf-8"))


def test_stored_metrics_record_their_options(small_ws, capsys):
    _save(small_ws, "opts")
    assert main(["metrics", "--workspace", str(small_ws.root), "--selection", "opts",
                 "--families", "quality", "--quality", "length", "--json"]) == 0
    capsys.readouterr()
    report, options = small_ws.load_metrics_record("opts")
    assert set(report) == {"quality_mean", "quality_median", "quality_low_share"}
    assert options["families"] == ["quality"] and options["quality"] == "length"
    assert options["n_random"] == 3 and options["where"] is None


def test_export_after_a_partial_metrics_run_ships_every_family(small_ws, tmp_path, capsys):
    _save(small_ws, "partial")
    assert main(["metrics", "--workspace", str(small_ws.root), "--selection", "partial",
                 "--families", "quality"]) == 0
    manifest = _export(small_ws, "partial", tmp_path / "b", capsys)
    families = {MEASURES[m].family for m in manifest["metrics"]}
    assert families == set(FAMILIES)
    assert "vendi" in manifest["metrics"] and "facility_location" in manifest["metrics"]
    assert "it holds only the quality measures" in manifest["metrics_info"]["source"]
    card = (tmp_path / "b" / "README.md").read_text(encoding="utf-8")
    assert "Vendi score" in card and "Facility-location coverage" in card
    # the full set is stored in its place: the next export uses it as it is
    manifest = _export(small_ws, "partial", tmp_path / "c", capsys)
    assert manifest["metrics_info"]["source"].startswith("workspace cache")


def test_export_recomputes_metrics_measured_with_another_quality(small_ws, tmp_path, capsys):
    _save(small_ws, "otherq", quality="heuristic")
    assert main(["metrics", "--workspace", str(small_ws.root), "--selection", "otherq",
                 "--quality", "length"]) == 0
    by_length = small_ws.load_metrics("otherq")["quality_mean"]["selection"]
    manifest = _export(small_ws, "otherq", tmp_path / "b", capsys)
    info = manifest["metrics_info"]
    assert info["quality"] == "heuristic" == manifest["quality"]["spec"]
    assert "its quality measures used length, not heuristic" in info["source"]
    assert manifest["metrics"]["quality_mean"]["selection"] != by_length
    card = (tmp_path / "b" / "README.md").read_text(encoding="utf-8")
    assert "- **Quality score**: `heuristic`" in card
    assert "quality measured with `heuristic`" in card


def test_no_metrics_leaves_a_partial_report_out(small_ws, tmp_path, capsys):
    _save(small_ws, "nometrics")
    assert main(["metrics", "--workspace", str(small_ws.root), "--selection", "nometrics",
                 "--families", "embedding"]) == 0
    manifest = _export(small_ws, "nometrics", tmp_path / "b", capsys, "--no-metrics")
    assert manifest["metrics"] is None
    assert "not used: it holds only the embedding measures" in \
        manifest["metrics_info"]["source"]
