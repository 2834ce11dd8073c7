"""``python -m core metrics`` on a small workspace: JSON contract, table, errors, storage."""

from __future__ import annotations

import json

import numpy as np
import pytest

from core.cli import main
from core.quality import rank_normalize
from core.select.result import SelectionResult
from core.workspace import Workspace


@pytest.fixture
def workspace(tmp_path):
    pool = tmp_path / "pool.jsonl"
    topics = ["math", "code", "travel", "cooking"]
    with pool.open("w") as fh:
        for i in range(160):
            topic = topics[i % 4]
            fh.write(json.dumps({
                "instruction": f"Question {i} about {topic}: explain item {i % 9} of {topic}.",
                "input": "", "output": f"An answer on {topic} number {i}. " * (1 + i % 5),
                "category": topic, "score": float(i % 7)}) + "\n")
    ws_dir = tmp_path / "ws"
    assert main(["load", str(pool), "--workspace", str(ws_dir)]) == 0
    assert main(["embed", "--workspace", str(ws_dir), "--model", "tfidf"]) == 0
    ws = Workspace.open(ws_dir)
    idx = np.arange(0, 160, 8)
    ws.save_selection("every8", SelectionResult(idx, np.ones(idx.size), np.arange(idx.size),
                                                config={"strategy": "test"}))
    return ws_dir


def test_json_has_every_measure_with_selection_pool_random(workspace, capsys):
    code = main(["metrics", "--workspace", str(workspace), "--selection", "every8",
                 "--quality", "column:score", "--json"])
    assert code == 0
    report = json.loads(capsys.readouterr().out)
    for name in ("facility_location", "kcenter_radius", "logdet", "ldd", "vendi",
                 "cluster_entropy", "distinct_2_response", "token_entropy_response",
                 "quality_mean", "self_bleu_response", "daar_inter"):
        assert set(report[name]) == {"selection", "pool", "random"}, name
    ranks = rank_normalize(np.arange(160) % 7)  # quality is rank-normalised, as for select
    assert report["quality_mean"]["selection"] == pytest.approx(ranks[::8].mean())
    assert report["quality_mean"]["pool"] == pytest.approx(0.5)
    assert report["facility_location"]["random"]["std"] >= 0
    stored = Workspace.open(workspace).load_metrics("every8")
    assert stored == report


def test_table_label_column_and_no_save(workspace, capsys):
    code = main(["metrics", "--workspace", str(workspace), "--selection", "every8",
                 "--label-column", "category", "--families", "embedding,cluster",
                 "--no-save"])
    assert code == 0
    out = capsys.readouterr().out
    assert "facility_location" in out and "vs random" in out and "cluster_entropy" in out
    assert "distinct_2" not in out
    # every 8th row of a 4-topic cycle is always the same topic: 3 domains left empty
    assert Workspace.open(workspace).load_metrics("every8") is None


@pytest.mark.parametrize("extra, message", [
    (["--selection", "nope"], "no selection named"),
    (["--selection", "every8", "--quality", "column:missing"], "unknown column"),
    (["--selection", "every8", "--quality", "magic"], "quality"),
    (["--selection", "every8", "--families", "embedding,bogus"], "unknown metric families"),
    (["--selection", "every8", "--where", "category = 'math' AND score < 2"], "candidates"),
])
def test_bad_input_exits_2_with_one_line(workspace, capsys, extra, message):
    code = main(["metrics", "--workspace", str(workspace), *extra])
    err = capsys.readouterr().err
    assert code == 2
    assert message in err and err.count("\n") == 1
