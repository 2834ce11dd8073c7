"""k-center: exact farthest-point greedy, weighting, radius trace."""

from __future__ import annotations

import numpy as np
import pytest

from core.select import SelectionContext, get_strategy
from tests.synthetic import clustered_unit_vectors


def brute_force_kcenter(x, w, k, must=()):
    picked = list(must)
    dist = np.full(len(x), 2.0)
    for row in picked:
        dist = np.minimum(dist, 1.0 - x @ x[row])
    for _ in range(k - len(picked)):
        score = w * dist
        score[picked] = -np.inf
        picked.append(int(np.argmax(score)))
        dist = np.minimum(dist, 1.0 - x @ x[picked[-1]])
    return picked


@pytest.fixture(scope="module")
def pool():
    return clustered_unit_vectors(150, 10, 6, seed=8), np.random.default_rng(9).random(150)


@pytest.mark.parametrize("beta", [0.0, 0.5, 1.0])
def test_equals_brute_force(pool, beta):
    x, q = pool
    res = get_strategy("kcenter", quality_weight=beta).select(
        SelectionContext(embeddings=x, quality=q), 30, must_include=[11])
    w = (1 - beta) + beta * q
    assert res.indices.tolist() == brute_force_kcenter(x, w, 30, must=[11])


def test_radius_trace_is_the_covering_radius(pool):
    x, _ = pool
    res = get_strategy("kcenter").select(SelectionContext(embeddings=x), 20)
    for j in (1, 7, 20):
        radius = (1.0 - x @ x[res.indices[:j]].T).min(axis=1).max()
        assert res.objective_trace[j - 1] == pytest.approx(radius, abs=1e-5)
    assert np.all(np.diff(res.objective_trace) <= 1e-7)
    assert res.indices[0] == 0  # unweighted: every row ties at distance 2 -> lowest row
