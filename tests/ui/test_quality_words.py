"""What the Select page says about quality: the honest default without any judge, model or
score column, and the quality list."""

from __future__ import annotations

import json

import numpy as np

from core.embed import HashingEmbedder
from core.pool import load_pool
from core.quality.labels import set_labels
from core.workspace import Workspace
from ui.quality import HONEST_DEFAULT, judge_column, quality_options, quality_statement


def _workspace(tmp_path, with_score: bool):
    records = [{"instruction": f"Question {i} about topic {i % 5}?", "input": "",
                "output": f"Answer {i}. " * (1 + i % 3), **({"score": i % 4} if with_score
                                                          else {})} for i in range(60)]
    path = tmp_path / "p.json"
    path.write_text(json.dumps(records))
    ws = Workspace.create(tmp_path / "ws", load_pool(path))
    ws.embed(HashingEmbedder(), "instruction")
    return ws


def test_honest_default_without_judge_model_or_score_column(tmp_path):
    ws = _workspace(tmp_path, with_score=False)
    assert quality_options(ws) == ["heuristic", "length", "none"]
    statement = quality_statement(ws, "heuristic")
    assert statement.startswith("Quality in use: **heuristic**.") and HONEST_DEFAULT in statement
    assert "\"not broken\" only" in statement and "trades coverage away" in statement


def test_no_honest_default_once_there_is_a_score_column(tmp_path):
    ws = _workspace(tmp_path, with_score=True)
    assert "column:score" in quality_options(ws)
    assert HONEST_DEFAULT not in quality_statement(ws, "heuristic")
    assert judge_column(ws) is None
    set_labels(ws, [0, 1], 1.0)
    assert judge_column(ws) is None  # one class only: not a judge yet
    set_labels(ws, [2], 0.0)
    assert judge_column(ws) == "label"
    words = quality_statement(ws, "column:score")
    assert "Agreement with the judge column `label` on its 3 labelled rows" in words
    assert np.isnan(ws.pool_frame()["label"].to_numpy()[3])
