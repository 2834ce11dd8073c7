"""Fixtures for the export tests: a small embedded workspace with saved selections.
(``shared_data`` comes from tests/conftest.py.)"""

from __future__ import annotations

import json

import pytest

TOPICS = ("math", "code", "travel", "poetry")


def small_pool_records(n: int = 120) -> list[dict]:
    """Alpaca records with extras, unicode, and every 10th one multi-turn (LLaMA-Factory
    history + system), so exports carry chats too."""
    records = []
    for i in range(n):
        topic = TOPICS[i % len(TOPICS)]
        rec = {"instruction": f"Task {i} about {topic}: explain step {i % 7} — ünïcödé ✓",
               "input": "" if i % 3 else f"context line {i}\nsecond line",
               "output": f"The {topic} answer {i}. " * (1 + i % 4),
               "category": topic, "score": float(i % 11), "flag": bool(i % 2)}
        if i % 10 == 0:
            rec["system"] = "You are terse."
            rec["history"] = [[f"earlier question {i}", f"earlier answer {i}"]]
        records.append(rec)
    return records


@pytest.fixture(scope="module")
def small_ws(tmp_path_factory):
    """A workspace of 120 rows (hashing embedder) with selections 'qdit-k30' and
    'random-k12' saved."""
    from core.embed import create_embedder
    from core.pool import load_pool
    from core.select.request import SelectionRequest
    from core.select.run import run_selection
    from core.workspace import Workspace

    root = tmp_path_factory.mktemp("export-ws")
    src = root / "pool.json"
    src.write_text(json.dumps(small_pool_records(), ensure_ascii=False), encoding="utf-8")
    ws = Workspace.create(root / "ws", load_pool(src))
    ws.embed(create_embedder("hashing"), "instruction")
    ws.save_selection("qdit-k30", run_selection(ws, SelectionRequest("qdit", 30, {"alpha": 0.5})))
    ws.save_selection("random-k12", run_selection(ws, SelectionRequest("random", 12, seed=1,
                                                  quality="none")))
    return ws
