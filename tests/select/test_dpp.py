"""DPP greedy MAP: exact against log det recomputed from scratch; limits and numerics."""

from __future__ import annotations

import numpy as np
import pytest

from core.select import SelectionContext, get_strategy
from core.select.dpp import kernel_block
from tests.synthetic import clustered_unit_vectors


def brute_force_map(x, q, theta, k, gamma=1.0, floor=1e-6, must=()):
    """Greedy on theta * log q + (1 - theta) * [log det K_{A+j} - log det K_A] via slogdet."""
    kern = kernel_block(x, x, gamma=gamma)
    np.fill_diagonal(kern, 1.0)
    picked = list(must)

    def logdet(rows):
        return np.linalg.slogdet(kern[np.ix_(rows, rows)])[1] if rows else 0.0

    for _ in range(k - len(picked)):
        base = logdet(picked)
        scores = [(theta * np.log(max(q[j], floor)) + (1 - theta) * (logdet(picked + [j]) - base)
                   if j not in picked else -np.inf) for j in range(len(x))]
        picked.append(int(np.argmax(scores)))
    return picked


@pytest.fixture(scope="module")
def pool():
    x = clustered_unit_vectors(70, 8, 4, seed=5)
    q = np.random.default_rng(6).random(70)
    return x, q


@pytest.mark.parametrize("theta,panel,gamma", [(0.0, 64, 1.0), (0.4, 3, 1.0), (0.8, 5, 3.0),
                                               (0.2, 1, 0.5)])
def test_equals_brute_force_log_det(pool, theta, panel, gamma):
    x, q = pool
    res = get_strategy("dpp", lam=theta, panel=panel, gamma=gamma).select(
        SelectionContext(embeddings=x, quality=q), 22)
    assert res.indices.tolist() == brute_force_map(x, q, theta, 22, gamma=gamma)
    # objective = theta * sum log q + (1 - theta) * log det K_A, recomputed from scratch
    kern = kernel_block(x, x, gamma=gamma)
    np.fill_diagonal(kern, 1.0)
    rows = res.indices
    expected = theta * np.log(q[rows]).sum() + (1 - theta) * np.linalg.slogdet(
        kern[np.ix_(rows, rows)])[1]
    # float32 dot products inside the kernel: agreement to about 1e-7 relative
    assert res.objective == pytest.approx(expected, rel=1e-6, abs=1e-6)


def test_must_include_and_candidates_equal_brute_force(pool):
    x, q = pool
    mask = np.arange(len(x)) % 3 != 0
    res = get_strategy("dpp", lam=0.3, panel=4).select(
        SelectionContext(embeddings=x, quality=q), 14, candidates=mask, must_include=[0, 3])
    brute_q = np.where(mask, q, 0.0)
    brute = brute_force_map(x, brute_q, 0.3, 14, must=[0, 3])
    assert res.indices.tolist() == brute


def test_lambda_one_is_quality_top_k(pool):
    x, q = pool
    res = get_strategy("dpp", lam=1.0).select(SelectionContext(embeddings=x, quality=q), 15)
    assert res.indices.tolist() == np.argsort(-q, kind="stable")[:15].tolist()
    np.testing.assert_allclose(res.gains, np.log(q[res.indices]))


def test_stops_cleanly_when_the_variance_vanishes():
    basis = np.eye(4, dtype=np.float32)
    x = np.concatenate([basis, basis, basis])  # exact duplicates: K is rank 4
    res = get_strategy("dpp", lam=0.0).select(SelectionContext(embeddings=x), 6)
    assert res.k == 4 and sorted(res.indices.tolist()) == [0, 1, 2, 3]
    assert "stopped after 4 of 6" in res.stopped_early
    assert np.isfinite(res.gains).all() and np.isfinite(res.objective_trace).all()


def test_quality_zero_is_floored_not_minus_infinity(pool):
    x, _ = pool
    q = np.zeros(len(x))
    res = get_strategy("dpp", lam=0.5).select(SelectionContext(embeddings=x, quality=q), 10)
    assert res.k == 10 and np.isfinite(res.gains).all()


def test_rbf_equals_exponential_kernel_on_unit_vectors(pool):
    x, q = pool
    ctx = SelectionContext(embeddings=x, quality=q)
    a = get_strategy("dpp", lam=0.3, kernel="exp_cosine", gamma=2.0).select(ctx, 15)
    b = get_strategy("dpp", lam=0.3, kernel="rbf", gamma=2.0).select(ctx, 15)
    assert a.indices.tolist() == b.indices.tolist()


def test_more_diverse_than_quality_top_k(pool):
    x, q = pool
    kern = kernel_block(x, x)
    np.fill_diagonal(kern, 1.0)
    ctx = SelectionContext(embeddings=x, quality=q)
    div = get_strategy("dpp", lam=0.0).select(ctx, 12).indices
    top = get_strategy("dpp", lam=1.0).select(ctx, 12).indices
    assert (np.linalg.slogdet(kern[np.ix_(div, div)])[1]
            > np.linalg.slogdet(kern[np.ix_(top, top)])[1])
