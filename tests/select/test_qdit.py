"""QDIT: exact greedy against a brute force, dense == sparse on a complete graph, limits."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import clustered_unit_vectors

from core.neighbors import build_knn_graph
from core.select import SelectionContext, get_strategy


def brute_force_qdit(x, q, alpha, k, scale_mean=True, must=()):
    """Recompute every candidate's f(a|A) from scratch at every step; argmax, lowest row."""
    n = len(x)
    sim = np.maximum(x.astype(np.float64) @ x.T.astype(np.float64), 0.0)
    np.fill_diagonal(sim, 1.0)
    scale = (1 - alpha) / (n if scale_mean else 1)
    picked = list(must)
    for _ in range(k - len(picked)):
        cover = sim[picked].max(axis=0).sum() if picked else 0.0
        best, best_row = -np.inf, -1
        for a in range(n):
            if a in picked:
                continue
            f = scale * (sim[picked + [a]].max(axis=0).sum() - cover) + alpha * q[a]
            if f > best + 1e-12:
                best, best_row = f, a
        picked.append(best_row)
    return picked


def fl_coverage(x, rows):
    sim = np.maximum(x @ x[rows].T, 0.0)
    return float(sim.max(axis=1).mean())


@pytest.fixture(scope="module")
def pool():
    x = clustered_unit_vectors(90, 10, 6, seed=3)
    q = np.random.default_rng(4).random(90)
    return x, q


@pytest.mark.parametrize("alpha", [0.0, 0.2, 0.6])
def test_dense_equals_brute_force(pool, alpha):
    x, q = pool
    res = get_strategy("qdit", alpha=alpha, method="dense").select(
        SelectionContext(embeddings=x, quality=q), 25)
    assert res.indices.tolist() == brute_force_qdit(x, q, alpha, 25)
    assert res.config["info"]["path"] == "dense"


def test_sum_scaling_and_must_include_equal_brute_force(pool):
    x, q = pool
    res = get_strategy("qdit", alpha=0.9, coverage="sum").select(
        SelectionContext(embeddings=x, quality=q), 15, must_include=[40, 2])
    assert res.indices.tolist() == brute_force_qdit(x, q, 0.9, 15, scale_mean=False,
                                                    must=[40, 2])


@pytest.mark.parametrize("alpha", [0.0, 0.4])
def test_sparse_equals_dense_on_complete_graph(pool, alpha):
    x, q = pool
    knn = build_knn_graph(x, k=len(x), method="exact")
    ctx = SelectionContext(embeddings=x, quality=q, knn=knn)
    dense = get_strategy("qdit", alpha=alpha, method="dense").select(ctx, 30)
    sparse = get_strategy("qdit", alpha=alpha, method="sparse").select(ctx, 30)
    assert sparse.config["info"]["path"] == "sparse"
    assert sparse.indices.tolist() == dense.indices.tolist()
    np.testing.assert_allclose(sparse.objective_trace, dense.objective_trace, rtol=1e-6)


def test_objective_trace_is_the_objective(pool):
    x, q = pool
    alpha = 0.3
    res = get_strategy("qdit", alpha=alpha).select(SelectionContext(embeddings=x, quality=q), 12)
    for j in (1, 5, 12):
        rows = res.indices[:j]
        expected = (1 - alpha) * fl_coverage(x, rows) + alpha * q[rows].sum()
        assert res.objective_trace[j - 1] == pytest.approx(expected, rel=1e-6)
    assert np.all(np.diff(res.objective_trace) >= 0)


def test_alpha_one_is_quality_top_k(pool):
    x, q = pool
    res = get_strategy("qdit", alpha=1.0).select(SelectionContext(embeddings=x, quality=q), 20)
    assert res.indices.tolist() == np.argsort(-q, kind="stable")[:20].tolist()
    assert res.config["info"]["path"] == "none"


def test_alpha_zero_is_pure_facility_location(pool):
    x, q = pool
    a = get_strategy("qdit", alpha=0.0).select(SelectionContext(embeddings=x, quality=q), 20)
    b = get_strategy("qdit", alpha=0.0).select(SelectionContext(embeddings=x), 20)
    assert a.indices.tolist() == b.indices.tolist()  # quality plays no part
    assert a.indices.tolist() == brute_force_qdit(x, np.zeros(len(x)), 0.0, 20)


def test_sparse_path_builds_a_graph_when_the_context_has_none(pool):
    x, q = pool
    res = get_strategy("qdit", alpha=0.5, method="auto", dense_max_n=10).select(
        SelectionContext(embeddings=x, quality=q), 10)
    assert res.config["info"]["path"] == "sparse" and res.k == 10


def test_greedy_beats_random_coverage(pool):
    x, q = pool
    res = get_strategy("qdit", alpha=0.0).select(SelectionContext(embeddings=x, quality=q), 15)
    rng = np.random.default_rng(0)
    randoms = [fl_coverage(x, rng.choice(len(x), 15, replace=False)) for _ in range(20)]
    assert fl_coverage(x, res.indices) > max(randoms)
