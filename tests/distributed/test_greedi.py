"""Two-round GreeDi: objective against the single-machine greedy, semantics, errors."""

from __future__ import annotations

import numpy as np
import pytest

from core.distributed.greedi import default_shards, greedi_select
from core.distributed.objective import pool_objective_traces
from core.distributed.rounds import local_params, nearest_pick_counts
from core.distributed.shards import MAX_ROWS_ENV, partition_rows
from core.errors import InputError
from core.select import SelectionContext, get_strategy
from tests.synthetic import brute_coverage_trace, exact_traces


def test_qdit_on_20k_rows_is_within_2_percent_of_single_machine(distributed_fl, single_fl):
    # Both objectives are the exact whole-pool mean coverage (the single-machine greedy
    # itself works on a 32-NN graph at this size).
    ratio = distributed_fl.objective / single_fl
    assert ratio >= 0.98, ratio
    info = distributed_fl.config["distributed"]
    # l = min(k, ceil(4 k / m)) = k: GreeDi's own setting.
    assert info["shards"] == 4 and info["per_shard"] == 200 and info["merged_rows"] == 800
    assert info["objective_rows"] == 20_000


def test_result_is_a_proper_selection_result(distributed_fl, pool20k):
    source, x, _ = pool20k
    r = distributed_fl
    assert r.k == 200 and len(np.unique(r.indices)) == 200
    # objective_trace is the whole-pool objective after each pick; gains the pick scores
    # f_t = gain / G_t of the default "relative" mode (alpha = 0: in (0, 1], the first is 1).
    np.testing.assert_allclose(r.objective_trace, brute_coverage_trace(x, r.indices),
                               rtol=1e-5)
    assert r.gains[0] == pytest.approx(1.0) and ((r.gains > 0) & (r.gains <= 1 + 1e-9)).all()
    assert (np.diff(r.objective_trace) >= -1e-12).all()
    assert r.config["strategy"] == "qdit" and r.config["executor"] == {"name": "local"}
    assert r.config["distributed"]["scheme"] == "greedi"
    assert set(r.timings) >= {"round1", "merge", "evaluate", "select"}


def test_weighted_merge_beats_the_plain_merge(pool20k, distributed_fl):
    source, _, _ = pool20k
    plain = greedi_select(source, "qdit", 200, {"alpha": 0.0}, shards=4, merge="plain")
    assert distributed_fl.objective > plain.objective


def test_same_seed_same_picks_other_seed_other_partition(pool2k):
    source, _, q = pool2k
    a = greedi_select(source, "qdit", 30, {"alpha": 0.3}, quality=q, shards=3, seed=1)
    b = greedi_select(source, "qdit", 30, {"alpha": 0.3}, quality=q, shards=3, seed=1)
    c = greedi_select(source, "qdit", 30, {"alpha": 0.0}, shards=3, seed=2)
    d = greedi_select(source, "qdit", 30, {"alpha": 0.0}, shards=3, seed=1)
    assert np.array_equal(a.indices, b.indices)
    assert not np.array_equal(c.indices, d.indices)


def test_must_include_and_candidate_mask(pool2k):
    source, _, q = pool2k
    mask = np.zeros(source.n, dtype=bool)
    mask[::3] = True
    must = [1, 1000, 5]  # rows 1 and 5 lie outside the mask: a pin beats a filter
    for strategy, params in (("qdit", {"alpha": 0.4}), ("kcenter", {}), ("dpp", {"lam": 0.3})):
        r = greedi_select(source, strategy, 25, params, quality=q, candidates=mask,
                          must_include=must, shards=4)
        assert r.indices[:3].tolist() == must, strategy
        assert mask[r.indices[3:]].all() and len(np.unique(r.indices)) == 25, strategy
        assert r.config["must_include"] == must


def test_a_shard_without_every_must_include_row_never_wins(pool2k):
    # With l = k every shard result competes; must-include rows in different shards leave
    # only the merged result valid (a shard result once won here and dropped the pins).
    source, _, q = pool2k
    parts = partition_rows(source.n, 2, 0)
    must = [int(parts[1][3]), int(parts[0][7])]
    for strategy, params in (("qdit", {"alpha": 0.0}), ("kcenter", {}), ("dpp", {"lam": 0.3})):
        r = greedi_select(source, strategy, 20, params, quality=q, must_include=must,
                          shards=2, per_shard=20)
        assert r.indices[:2].tolist() == must, strategy
        assert r.config["distributed"]["chosen"] == "merged", strategy
        assert r.config["distributed"]["best_shard_objective"] is None, strategy


def test_with_l_at_least_k_the_best_shard_competes(pool2k):
    source, _, q = pool2k
    r = greedi_select(source, "qdit", 20, {"alpha": 0.0}, shards=3, per_shard=20)
    info = r.config["distributed"]
    assert info["best_shard_objective"] is not None
    assert r.objective == pytest.approx(max(info["merged_objective"],
                                            info["best_shard_objective"]))


def test_whole_pool_as_candidates_reproduces_the_single_machine_greedy(pool2k):
    # One shard keeping every row: the weighted merge has unit weights over the pool, i.e.
    # exactly the single-machine objective (dense path: n <= 5000).
    source, x, q = pool2k
    single = get_strategy("qdit", alpha=0.3).select(SelectionContext(embeddings=x, quality=q),
                                                    40)
    r = greedi_select(source, "qdit", 40, {"alpha": 0.3}, quality=q, shards=1,
                      per_shard=source.n)
    assert r.indices.tolist() == single.indices.tolist()
    np.testing.assert_allclose(r.objective_trace, single.objective_trace, rtol=1e-5)


def test_kcenter_and_dpp_stay_close_to_single_machine(pool2k):
    source, x, q = pool2k
    ctx = SelectionContext(embeddings=x, quality=q)
    single_kc = get_strategy("kcenter").select(ctx, 60)
    dist_kc = greedi_select(source, "kcenter", 60, {}, quality=q, shards=4)
    # The radius is lower-is-better; the two-round scheme is a constant-factor method.
    assert dist_kc.objective <= 1.3 * single_kc.objective
    np.testing.assert_allclose(dist_kc.objective_trace,
                               exact_traces(source, "kcenter", {}, [dist_kc.indices])[0])
    single_dpp = get_strategy("dpp", lam=0.3).select(ctx, 60)
    dist_dpp = greedi_select(source, "dpp", 60, {"lam": 0.3}, quality=q, shards=4)
    np.testing.assert_allclose(np.cumsum(dist_dpp.gains), dist_dpp.objective_trace)
    # A heuristic for DPP (not monotone): close to the single machine, far above random.
    assert dist_dpp.objective >= single_dpp.objective - 0.05 * abs(single_dpp.objective)
    rows = np.random.default_rng(0).choice(source.n, 60, replace=False).tolist()
    random_dpp = get_strategy("dpp", lam=0.3).select(ctx, 60, must_include=rows)
    assert dist_dpp.objective > random_dpp.objective + 0.1 * abs(random_dpp.objective)


def test_objective_traces_match_brute_force_and_sampling_estimates(pool2k):
    source, x, q = pool2k
    picks = [np.array([5, 17, 900, 3]), np.array([1999, 0])]
    # default coverage="relative": weighted mean coverage and mean quality of the picks
    traces = exact_traces(source, "qdit", {"alpha": 0.25}, picks, quality=q)
    for trace, p in zip(traces, picks, strict=True):
        expect = (0.75 * brute_coverage_trace(x, p)
                  + 0.25 * np.cumsum(q[p]) / np.arange(1, len(p) + 1))
        np.testing.assert_allclose(trace, expect, rtol=1e-5)
    traces = exact_traces(source, "qdit", {"alpha": 0.25, "coverage": "mean"}, picks, quality=q)
    for trace, p in zip(traces, picks, strict=True):
        expect = 0.75 * brute_coverage_trace(x, p) + 0.25 * np.cumsum(q[p])
        np.testing.assert_allclose(trace, expect, rtol=1e-5)
    mask = np.zeros(source.n, dtype=bool)
    mask[100:700] = True
    (kc,) = exact_traces(source, "kcenter", {"quality_weight": 0.5}, [picks[0]], quality=q,
                         candidates=mask)
    rows = np.concatenate([np.flatnonzero(mask), picks[0]])
    dist = 1.0 - np.maximum.accumulate(x[rows] @ x[picks[0]].T, axis=1)
    expect = ((0.5 + 0.5 * q[rows])[:, None] * np.clip(dist, 0, 2)).max(axis=0)
    np.testing.assert_allclose(kc, expect, rtol=1e-5)
    from core.distributed.executor import InProcessExecutor

    (est,), rows_used = pool_objective_traces(source, "qdit", {"alpha": 0.0}, [picks[0]],
                                              quality=None, candidates=None,
                                              executor=InProcessExecutor(), sample_rows=800)
    assert rows_used == 800
    assert est[-1] == pytest.approx(brute_coverage_trace(x, picks[0])[-1], abs=0.03)


def test_sum_coverage_shards_rescale_alpha():
    params = {"alpha": 0.5, "coverage": "sum"}
    local = local_params("qdit", params, 100, 1000)
    # (1 - a') / a' must equal (1 - a) / a * n / s: the shard's sum is ~ s / n of the pool's.
    a = local["alpha"]
    assert (1 - a) / a == pytest.approx(10.0)
    assert local_params("qdit", {"alpha": 0.5}, 100, 1000) == {"alpha": 0.5}
    assert local_params("kcenter", params, 100, 1000) == params


def test_nearest_pick_counts_cover_every_row():
    x = np.eye(4, dtype=np.float32)[[0, 0, 1, 2, 3, 3, 3]]
    counts = nearest_pick_counts(x, np.array([0, 4]))  # picks: rows 0 (e0) and 4 (e3)
    assert counts.sum() == 7 and counts[1] >= 3


def test_default_shards_use_every_worker_and_bound_shard_size():
    assert default_shards(10_000, 2) == 2
    assert default_shards(1_000_000, 2) == 40
    assert default_shards(3, 8) == 3


@pytest.mark.parametrize("kwargs,message", [
    ({"strategy": "deita"}, "cannot run distributed"),
    ({"shards": 0}, "--shards must be a whole number"),
    ({"per_shard": 2}, "per_shard must be at least"),
    ({"merge": "best"}, "merge must be one of"),
    ({"k": 5000}, "larger than the 2000 candidate rows"),
    ({"params": {"alpha": 2}}, "alpha must be a number in"),
    ({"oversample": 0.5}, "oversample must be"),
])
def test_bad_options_are_input_errors(pool2k, kwargs, message):
    source, _, _ = pool2k
    args = {"strategy": "qdit", "k": 40, "params": {}, "shards": 4, **kwargs}
    with pytest.raises(InputError, match=message):
        greedi_select(source, args.pop("strategy"), args.pop("k"), args.pop("params"), **args)


def test_shards_over_the_row_limit_are_refused(pool2k, monkeypatch):
    source, _, _ = pool2k
    monkeypatch.setenv(MAX_ROWS_ENV, "600")
    with pytest.raises(InputError, match=MAX_ROWS_ENV):
        greedi_select(source, "qdit", 10, {}, shards=3)
    assert greedi_select(source, "qdit", 10, {}, shards=4).k == 10
