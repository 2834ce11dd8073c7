"""Embedding-level measures: hand-computed values, extremes, invariances, fast paths."""

from __future__ import annotations

import numpy as np
import pytest
from metrics_helpers import unit_rows

from core.errors import InputError
from core.metrics import embedding as emb
from core.neighbors import build_knn_graph


def _pool_2d():
    # unit vectors at 0, 60, 90 and 180 degrees
    angles = np.deg2rad([0.0, 60.0, 90.0, 180.0])
    return np.stack([np.cos(angles), np.sin(angles)], axis=1).astype(np.float32)


def test_facility_location_and_radius_by_hand():
    x = _pool_2d()
    sims = emb.max_similarity_to_selection(x, [0])
    np.testing.assert_allclose(sims, [1.0, 0.5, 0.0, -1.0], atol=1e-6)
    # clipped at 0: (1 + 0.5 + 0 + 0) / 4
    assert emb.facility_location_coverage(sims) == pytest.approx(0.375, abs=1e-6)
    radius, p95 = emb.kcenter_radius(sims)
    assert radius == pytest.approx(2.0, abs=1e-6)
    assert p95 == pytest.approx(np.percentile([0.0, 0.5, 1.0, 2.0], 95), abs=1e-6)
    sims2 = emb.max_similarity_to_selection(x, [1, 3])  # 60 and 180 degrees
    np.testing.assert_allclose(sims2, [0.5, 1.0, np.cos(np.deg2rad(30)), 1.0], atol=1e-6)


def test_mean_pairwise_distance_by_hand():
    x = _pool_2d()
    # pairs among {0, 60, 90} degrees: cos = 0.5, 0, cos(30) -> mean distance 1 - mean cos
    expected = 1 - (0.5 + 0.0 + np.sqrt(3) / 2) / 3
    assert emb.mean_pairwise_cosine_distance(x, [0, 1, 2]) == pytest.approx(expected, abs=1e-6)
    assert emb.mean_pairwise_cosine_distance(x, [0, 3]) == pytest.approx(2.0, abs=1e-6)
    assert emb.mean_pairwise_cosine_distance(x, [2]) is None


def test_identical_rows_extremes():
    x = np.tile(unit_rows(1, 8), (20, 1))
    assert emb.vendi_score(x, np.arange(10)) == pytest.approx(1.0, abs=1e-6)
    assert emb.mean_pairwise_cosine_distance(x, np.arange(10)) == pytest.approx(0.0, abs=1e-6)


@pytest.mark.parametrize("k", [1, 3, 8])
def test_orthogonal_rows_have_vendi_k(k):
    x = np.eye(8, dtype=np.float32)
    assert emb.vendi_score(x, np.arange(k)) == pytest.approx(k, rel=1e-9)


def test_vendi_two_rows_by_hand():
    # K = [[1, c], [c, 1]] / 2 has eigenvalues (1 +- c) / 2
    c = 0.6
    x = np.array([[1.0, 0.0], [c, np.sqrt(1 - c * c)]], dtype=np.float64)
    p = np.array([(1 + c) / 2, (1 - c) / 2])
    assert emb.vendi_score(x) == pytest.approx(np.exp(-(p * np.log(p)).sum()), rel=1e-9)


def test_vendi_covariance_path_equals_gram_eigenvalues():
    x = unit_rows(300, 20, seed=3)
    idx = np.arange(0, 300, 2)  # 150 rows > d = 20: the covariance path
    gram = x[idx].astype(np.float64) @ x[idx].astype(np.float64).T
    exact = emb.vendi_from_eigenvalues(np.linalg.eigvalsh(gram))
    assert emb.vendi_score(x, idx) == pytest.approx(exact, rel=1e-8)


def test_set_metrics_ignore_pick_order():
    x = unit_rows(200, 12, seed=4)
    idx = np.random.default_rng(0).choice(200, 40, replace=False)
    rev = idx[::-1].copy()
    np.testing.assert_allclose(emb.max_similarity_to_selection(x, idx),
                               emb.max_similarity_to_selection(x, rev), atol=1e-6)
    assert emb.vendi_score(x, idx) == pytest.approx(emb.vendi_score(x, rev), rel=1e-10)
    assert emb.mean_pairwise_cosine_distance(x, idx) == pytest.approx(
        emb.mean_pairwise_cosine_distance(x, rev), rel=1e-10)


def test_knn_shortcut_equals_dense_with_exact_graph():
    x = unit_rows(600, 10, seed=5)
    graph = build_knn_graph(x, 16, method="exact")
    for k in (5, 60, 300):
        idx = np.random.default_rng(k).choice(600, k, replace=False)
        dense = emb.max_similarity_to_selection(x, idx)
        fast = emb.max_similarity_to_selection(x, idx, knn=graph)
        np.testing.assert_allclose(fast, dense, atol=1e-6)


@pytest.mark.parametrize("with_knn", [False, True])
def test_nearest_pick_memo_updates_equal_fresh_values(with_knn):
    # A walk of selections that each swap a few rows (a slider's steps), including the
    # nearest picks of many rows, then one far away: every value equals a fresh
    # computation, and the memo updated instead of recomputing where it could.
    x = unit_rows(900, 12, seed=6)
    graph = build_knn_graph(x, 10, method="exact") if with_knn else None
    rng = np.random.default_rng(1)
    memo = emb.NearestPickMemo(size=2)
    idx = rng.choice(900, 120, replace=False)
    fresh = emb.max_similarity_to_selection(x, idx, knn=graph)
    near = np.asarray(x @ x[idx].T).argmax(axis=1)
    popular = idx[np.bincount(near, minlength=idx.size).argsort()[-5:]]  # nearest to most
    steps = [idx, np.setdiff1d(idx, popular)]
    for _ in range(6):
        cur = steps[-1]
        drop = rng.choice(cur, 8, replace=False)
        add = rng.choice(np.setdiff1d(np.arange(900), cur), 11, replace=False)
        steps.append(np.concatenate([np.setdiff1d(cur, drop), add]))
    steps.append(rng.choice(900, 120, replace=False))  # unrelated: recomputed
    for i, sel in enumerate(steps):
        got = emb.max_similarity_to_selection(x, sel, knn=graph, memo=memo)
        fresh = emb.max_similarity_to_selection(x, sel, knn=graph)
        np.testing.assert_allclose(got, fresh, atol=1e-6, err_msg=f"step {i}")
    assert memo.hits == len(steps) - 2  # all but the first and the unrelated one


def test_nearest_pick_memo_never_keeps_a_removed_pick():
    # Two far-apart pairs of rows; dropping the pick nearest to rows 2 and 3 must send them
    # to the next nearest pick, which a stale memo would not.
    x = np.array([[1, 0], [0.99, 0.141], [0, 1], [0.141, 0.99]], dtype=np.float32)
    x /= np.linalg.norm(x, axis=1, keepdims=True)
    memo = emb.NearestPickMemo()
    for step, sel in enumerate(([0, 2, 3], [0, 1, 3], [0, 1])):
        got = emb.max_similarity_to_selection(x, sel, memo=memo)
        assert memo.hits == step
        np.testing.assert_allclose(got, np.max(x @ x[sel].T, axis=1), atol=1e-7)
    assert got[2] < 0.2  # row 2 now nearest to row 1, almost orthogonal


def test_knn_of_another_pool_is_refused():
    x = unit_rows(50, 4)
    graph = build_knn_graph(unit_rows(40, 4), 5, method="exact")
    with pytest.raises(InputError, match="knn"):
        emb.max_similarity_to_selection(x, [0, 1], knn=graph)


@pytest.mark.parametrize("bad, message", [
    ([], "empty"), ([0, 0], "repeats"), ([5, 99], r"\[0, 10\)"), ([[0, 1]], "1-D"),
    ([0.5], "integer"),
])
def test_bad_selection_is_one_line_input_error(bad, message):
    with pytest.raises(InputError, match=message):
        emb.check_selection(bad, 10)
