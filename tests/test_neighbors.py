"""The shared cosine kNN graph: exact search equals brute force, column 0 is the row itself,
similarities descend, and the approximate search has high recall on clustered data."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp

from core.errors import CancelledError
from core.neighbors import KnnGraph, build_knn_graph


def unit_rows(n: int, d: int, seed: int = 0) -> np.ndarray:
    x = np.random.default_rng(seed).normal(size=(n, d)).astype(np.float32)
    return x / np.linalg.norm(x, axis=1, keepdims=True)


def clustered(n: int, d: int = 32, centres: int = 8, noise: float = 0.15, seed: int = 0):
    rng = np.random.default_rng(seed)
    c = rng.normal(size=(centres, d))
    labels = np.arange(n) % centres
    x = c[labels] + noise * rng.normal(size=(n, d))
    return (x / np.linalg.norm(x, axis=1, keepdims=True)).astype(np.float32), labels


def brute_force(x: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    sims = x.astype(np.float64) @ x.T.astype(np.float64)
    np.fill_diagonal(sims, np.inf)
    order = np.argsort(-sims, axis=1, kind="stable")[:, :k]
    return order, np.take_along_axis(sims, order, axis=1)


@pytest.mark.parametrize("block", [2048, 17])
def test_exact_equals_brute_force(block):
    x = unit_rows(200, 16)
    graph = build_knn_graph(x, k=10, method="exact", block=block)
    idx, sims = brute_force(x, 10)
    assert graph.exact and graph.indices.shape == (200, 10) and graph.sims.shape == (200, 10)
    assert graph.indices.dtype == np.int32 and graph.sims.dtype == np.float32
    assert np.array_equal(graph.indices, idx)
    np.testing.assert_allclose(graph.sims[:, 1:], sims[:, 1:], atol=1e-5)


def test_column_zero_is_self_and_sims_descend():
    x = unit_rows(150, 8, seed=3)
    x[10] = x[11]  # an exact duplicate must not displace the row itself
    graph = build_knn_graph(x, k=12, method="exact")
    assert (graph.indices[:, 0] == np.arange(150)).all()
    assert (graph.sims[:, 0] == 1.0).all()
    assert (np.diff(graph.sims, axis=1) <= 1e-6).all()
    assert graph.indices[10, 1] == 11 and graph.indices[11, 1] == 10
    assert all(len(set(row)) == 12 for row in graph.indices)


def test_k_is_capped_at_n():
    x = unit_rows(5, 4)
    graph = build_knn_graph(x, k=32)
    assert graph.k == 5 and graph.n == 5
    assert all(sorted(row) == list(range(5)) for row in graph.indices)
    assert build_knn_graph(x[:1], k=32).indices.tolist() == [[0]]


def test_auto_picks_exact_for_small_pools():
    assert build_knn_graph(unit_rows(50, 4), k=5).exact is True


def test_to_csr_clips_negative_similarities():
    x = np.array([[1, 0], [-1, 0], [0.6, 0.8]], dtype=np.float32)
    graph = build_knn_graph(x, k=3, method="exact")
    mat = graph.to_csr()
    assert isinstance(mat, sp.csr_matrix) and mat.shape == (3, 3)
    dense = mat.toarray()
    np.testing.assert_allclose(np.diag(dense), 1.0)
    assert dense[0, 1] == 0 and dense[0, 2] == pytest.approx(0.6)
    assert (dense >= 0).all()
    raw = graph.to_csr(clip_negative=False).toarray()
    assert raw[0, 1] == pytest.approx(-1.0)


def test_progress_and_cancel():
    x = unit_rows(100, 4)
    seen = []
    build_knn_graph(x, k=5, method="exact", block=30, progress=lambda d, t: seen.append(d))
    assert seen == [30, 60, 90, 100]
    with pytest.raises(CancelledError):
        build_knn_graph(x, k=5, method="exact", block=30, progress=lambda d, t: False)


def test_bad_arguments():
    with pytest.raises(ValueError, match="empty"):
        build_knn_graph(np.zeros((0, 4), dtype=np.float32))
    with pytest.raises(ValueError, match="unknown kNN method"):
        build_knn_graph(unit_rows(10, 4), method="magic")


def test_knn_graph_dataclass_properties():
    g = KnnGraph(np.zeros((3, 2), np.int32), np.ones((3, 2), np.float32), exact=True)
    assert (g.n, g.k) == (3, 2)


@pytest.mark.slow
def test_approximate_recall_on_clustered_data():
    """NN-descent (pynndescent; about 30 s of numba compilation on first use)."""
    x, _ = clustered(800, d=24, centres=10, noise=0.35, seed=1)
    exact = build_knn_graph(x, k=15, method="exact")
    approx = build_knn_graph(x, k=15, method="approx")
    assert approx.exact is False
    assert approx.indices.shape == (800, 15)
    assert (approx.indices[:, 0] == np.arange(800)).all()
    assert (approx.sims[:, 0] == 1.0).all()
    recall = np.mean([len(set(a[1:]) & set(e[1:])) / 14
                      for a, e in zip(approx.indices, exact.indices, strict=True)])
    assert recall > 0.9
    # Reported similarities are the true cosines of the reported neighbours.
    rows = np.arange(800)[:, None]
    true = np.sum(x[rows] * x[approx.indices], axis=2)
    np.testing.assert_allclose(approx.sims[:, 1:], true[:, 1:], atol=1e-4)
