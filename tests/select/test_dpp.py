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


@pytest.mark.parametrize("theta", [0.0, 0.6])
def test_single_precision_matches_brute_force(pool, theta):
    x, q = pool
    res = get_strategy("dpp", lam=theta, panel=4, precision="float32").select(
        SelectionContext(embeddings=x, quality=q), 22)
    assert res.config["info"]["precision"] == "float32"
    assert res.indices.tolist() == brute_force_map(x, q, theta, 22)


@pytest.fixture(scope="module")
def larger():
    x = clustered_unit_vectors(1500, 24, 30, seed=11)
    q = np.random.default_rng(12).random(1500)
    return SelectionContext(embeddings=x, quality=q)


def test_precision_auto_picks_double_for_small_and_single_for_large_runs(larger):
    small = get_strategy("dpp", lam=0.3).select(larger, 20)
    assert small.config["info"]["precision"] == "float64"
    big = get_strategy("dpp", lam=0.3)
    big_run = big.select(SelectionContext(embeddings=np.tile(larger.embeddings, (4, 1))[:6000]),
                         1500)  # 6,000 x 1,500 x 8 B = 72 MB > 64 MiB
    assert big_run.config["info"]["precision"] == "float32"


def _exact_score(x, q, theta, prefix, j):
    kern = kernel_block(x[prefix], x[prefix])
    np.fill_diagonal(kern, 1.0)
    c = np.linalg.solve(np.linalg.cholesky(kern), kernel_block(x[prefix], x[[j]])[:, 0])
    return theta * np.log(q[j]) + (1 - theta) * np.log(1.0 - c @ c)


def test_single_precision_agrees_with_double(larger):
    """Single precision may order two candidates differently only where their exact scores
    tie to about 1e-4 (d^2 is good to ~1e-6 absolute): here first at pick 258 of 300, two
    candidates 9e-6 apart; the same 300 rows are chosen."""
    x, q = larger.embeddings, larger.quality
    a = get_strategy("dpp", lam=0.4, precision="float64").select(larger, 300)
    b = get_strategy("dpp", lam=0.4, precision="float32").select(larger, 300)
    differ = np.flatnonzero(a.indices != b.indices)
    assert len(differ) == 0 or differ[0] >= 200
    if len(differ):
        i = differ[0]
        prefix = a.indices[:i].tolist()
        gap = (_exact_score(x, q, 0.4, prefix, a.indices[i])
               - _exact_score(x, q, 0.4, prefix, b.indices[i]))
        assert 0 <= gap < 1e-4
    assert len(set(a.indices.tolist()) & set(b.indices.tolist())) >= 295
    assert b.objective == pytest.approx(a.objective, rel=1e-5)


@pytest.mark.parametrize("precision", ["float64", "float32"])
def test_memory_budget_changes_no_pick(larger, precision):
    """A budget far too small for C: most candidates go dormant and come back through
    wake-ups (exact re-evaluation), so the picks are those of the unbounded run."""
    free = get_strategy("dpp", lam=0.4, precision=precision).select(larger, 200)
    tight = get_strategy("dpp", lam=0.4, precision=precision, memory_mb=0.05).select(larger, 200)
    info = tight.config["info"]
    assert info["hot_rows"] < 200 and info["wakeups"] > 0
    assert free.config["info"]["wakeups"] == 0
    assert tight.indices.tolist() == free.indices.tolist()
    # a re-evaluated row's kernel comes from float32 dot products in another blocking
    np.testing.assert_allclose(tight.gains, free.gains, rtol=1e-4, atol=1e-6)


def test_memory_budget_with_candidates_and_must_include(larger):
    mask = np.arange(1500) % 4 != 1
    kw = {"candidates": mask, "must_include": [1, 2, 500]}
    free = get_strategy("dpp", lam=0.2).select(larger, 120, **kw)
    tight = get_strategy("dpp", lam=0.2, memory_mb=0.05).select(larger, 120, **kw)
    assert tight.indices.tolist() == free.indices.tolist()
    assert tight.indices[:3].tolist() == [1, 2, 500]
    assert not np.isin(tight.indices[3:], np.flatnonzero(~mask)).any()


def test_bad_precision_and_budget_are_one_line_errors():
    from core.errors import InputError

    with pytest.raises(InputError, match="precision"):
        get_strategy("dpp", precision="half")
    with pytest.raises(InputError, match="memory_mb"):
        get_strategy("dpp", memory_mb=0)


@pytest.mark.parametrize("theta,panel,workers", [(0.0, 4, 2), (0.5, 3, 2), (0.9, 8, 1)])
def test_lazy_refresh_and_threaded_blocks_equal_brute_force(pool, monkeypatch, theta, panel,
                                                            workers):
    """Tiny refresh jobs (several per refresh, shared out among two threads) and candidates
    left behind by the refresh threshold, then caught up by the lazy greedy: the same picks
    as the brute-force greedy."""
    import core.select.dpp_map as dpp

    monkeypatch.setattr(dpp, "REFRESH_BLOCK", 5)
    monkeypatch.setattr(dpp, "ROW_BLOCK", 7)
    monkeypatch.setattr(dpp, "WORKERS", workers)
    x, q = pool
    res = get_strategy("dpp", lam=theta, panel=panel).select(
        SelectionContext(embeddings=x, quality=q), 22)
    assert res.indices.tolist() == brute_force_map(x, q, theta, 22)
    info = res.config["info"]
    # the threshold left candidates behind: fewer refreshed than a full refresh per panel
    full = sum(len(x) - t for t in range(panel, 22, panel))
    assert 0 < info["refreshed"] < full


def test_lazy_refresh_on_a_larger_pool_matches_float64_greedy(larger, monkeypatch):
    """1,500 rows in float64: the threshold leaves most candidates behind after most panels;
    the picks equal a run that refreshes every candidate after every panel."""
    import core.select.dpp_map as dpp

    lazy = get_strategy("dpp", lam=0.3, panel=16, precision="float64").select(larger, 250)
    monkeypatch.setattr(dpp.GreedyMap, "_threshold", lambda self: -np.inf)
    eager = get_strategy("dpp", lam=0.3, panel=16, precision="float64").select(larger, 250)
    assert lazy.indices.tolist() == eager.indices.tolist()
    # the kernel's float32 dot products round differently in other block shapes
    np.testing.assert_allclose(lazy.gains, eager.gains, rtol=1e-6, atol=1e-9)
    assert lazy.config["info"]["refreshed"] < eager.config["info"]["refreshed"] // 2
