"""The contract every registered strategy keeps (scikit-learn style, parametrised)."""

from __future__ import annotations

import numpy as np
import pytest

from core.errors import CancelledError, InputError
from core.select import STRATEGIES, get_strategy

NAMES = sorted(STRATEGIES)
K = 20


def run(name, ctx, k=K, **kw):
    return get_strategy(name).select(ctx, k, **kw)


@pytest.mark.parametrize("name", NAMES)
def test_exactly_k_unique_rows_with_mask_and_must_include(name, small_ctx):
    mask = np.zeros(small_ctx.n, dtype=bool)
    mask[::2] = True
    must = [7, 3]  # odd rows: outside the mask, pinned anyway, in this order
    res = run(name, small_ctx, candidates=mask, must_include=must, seed=5)
    assert res.k == K and len(set(res.indices.tolist())) == K
    assert res.indices[:2].tolist() == must
    assert mask[res.indices[2:]].all()
    assert len(res.gains) == len(res.objective_trace) == K
    assert np.isfinite(res.gains).all() and np.isfinite(res.objective_trace).all()
    assert res.stopped_early is None


@pytest.mark.parametrize("name", NAMES)
def test_same_seed_same_result(name, small_ctx):
    a = run(name, small_ctx, seed=11)
    b = run(name, small_ctx, seed=11)
    assert a.indices.tolist() == b.indices.tolist()
    np.testing.assert_array_equal(a.gains, b.gains)


@pytest.mark.parametrize("name", [n for n in NAMES if STRATEGIES[n].greedy])
def test_prefix_consistency(name, small_ctx):
    full = run(name, small_ctx, k=K, seed=3, must_include=[5])
    for j in (1, 2, 9):
        assert run(name, small_ctx, k=j, seed=3, must_include=[5] if j >= 1 else []
                   ).indices.tolist() == full.indices[:j].tolist()


@pytest.mark.parametrize("name", [n for n in NAMES if STRATEGIES[n].resumable])
def test_resumable_strategies_continue_from_their_own_pinned_picks(name, small_ctx):
    """What core.select.progressive relies on: the k-run with its first j picks pinned makes
    the same picks and trace, and the same gains after the pins."""
    full = run(name, small_ctx, k=K, seed=3)
    for j in (1, 7):
        head = run(name, small_ctx, k=j, seed=3).indices.tolist()
        rest = run(name, small_ctx, k=K, seed=3, must_include=head)
        assert rest.indices.tolist() == full.indices.tolist()
        np.testing.assert_allclose(rest.objective_trace, full.objective_trace, rtol=1e-6)  # f32
        np.testing.assert_allclose(rest.gains[j:], full.gains[j:], rtol=1e-6)


def test_random_and_cluster_balanced_do_not_claim_to_resume(small_ctx):
    """Their continuation differs (a permutation of what is left; a round-robin that
    restarts), so they must not be run in stages."""
    for name in ("random", "cluster_balanced"):
        assert not STRATEGIES[name].resumable
        full = run(name, small_ctx, k=K, seed=3)
        head = run(name, small_ctx, k=7, seed=3).indices.tolist()
        assert run(name, small_ctx, k=K, seed=3, must_include=head).indices.tolist() != \
            full.indices.tolist()


@pytest.mark.parametrize("name", NAMES)
def test_config_rebuilds_the_same_run(name, small_ctx):
    res = run(name, small_ctx, seed=4)
    cfg = res.config
    assert cfg["strategy"] == name and cfg["k"] == K and cfg["seed"] == 4
    again = get_strategy(cfg["strategy"], **cfg["params"]).select(small_ctx, cfg["k"],
                                                                  seed=cfg["seed"])
    assert again.indices.tolist() == res.indices.tolist()


@pytest.mark.parametrize("name", NAMES)
def test_budget_errors_are_one_line_input_errors(name, small_ctx):
    mask = np.zeros(small_ctx.n, dtype=bool)
    mask[:5] = True
    with pytest.raises(InputError, match="larger than the 5 candidate rows"):
        run(name, small_ctx, k=6, candidates=mask)
    with pytest.raises(InputError, match="at least 1"):
        run(name, small_ctx, k=0)
    with pytest.raises(InputError, match="outside the pool"):
        run(name, small_ctx, k=3, must_include=[small_ctx.n])
    with pytest.raises(InputError, match="do not fit"):
        run(name, small_ctx, k=1, must_include=[1, 2])


@pytest.mark.parametrize("name", NAMES)
def test_progress_reports_and_cancels(name, small_ctx):
    seen = []
    run(name, small_ctx, progress=lambda done, total: seen.append((done, total)))
    assert seen and seen[-1] == (K, K)
    assert all(total == K and 0 <= done <= K for done, total in seen)
    with pytest.raises(CancelledError):
        run(name, small_ctx, progress=lambda done, total: False)


def test_unknown_strategy_and_parameter():
    with pytest.raises(InputError, match="unknown strategy 'nope'"):
        get_strategy("nope")
    with pytest.raises(InputError, match="has no parameter 'alpha'"):
        get_strategy("dpp", alpha=0.5)
    with pytest.raises(InputError, match=r"alpha must be a number in \[0, 1\]"):
        get_strategy("qdit", alpha=1.5)
