"""core.metrics.workspace_pool: the pool's texts are read only when a measure needs them."""

from __future__ import annotations

from core.metrics import MetricsOptions, compute_all_metrics
from core.metrics.workspace_pool import SideTexts, metrics_pool_from_workspace


def test_texts_are_read_on_first_use_and_match_the_workspace(tiny_workspace, monkeypatch):
    ws = tiny_workspace
    reads = []
    original = type(ws).texts
    monkeypatch.setattr(type(ws), "texts", lambda self, side: reads.append(side) or
                        original(self, side))
    metrics_pool_from_workspace(ws, quality="length")  # tokenises, caches the ids
    reads.clear()
    pool = metrics_pool_from_workspace(ws, quality="length")
    first = compute_all_metrics(pool, list(range(10)), options=MetricsOptions(
        families=("text",), text_parts=("distinct", "entropy")))
    assert first and reads == [], reads  # token ids come cached: no strings built
    side = pool.texts["response"].texts
    assert isinstance(side, SideTexts)
    assert list(side) == original(ws, "response") and len(side) == ws.n_rows
    assert side[3] == original(ws, "response")[3]
    assert reads.count("response") == 1  # once, then kept
