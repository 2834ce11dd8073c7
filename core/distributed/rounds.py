"""The two task kinds of distributed GreeDi: one shard's selection and the merged round.

Both are module-level functions so that any executor (in-process or Ray) can run them;
each reads only its own rows of the pool from the memory-mapped :class:`MatrixSource`.

Objective scaling on part of the pool. A shard of s random rows stands for the n rows of
the pool, so its objective must weigh diversity against quality the way the whole pool
would. QDIT's default ``coverage="relative"`` (each step's gain divided by the best gain
available then) and ``coverage="mean"`` (the mean coverage of a random shard estimates the
pool's) do that by themselves. With ``coverage="sum"`` a shard's coverage gains are
about s / n of the pool's, so the shard runs with alpha' = alpha / (alpha + (1 - alpha) n / s),
which gives the same ratio of the two terms (:func:`local_params`).

Weighted merge (QDIT only, the default). The merged round in the GreeDi paper runs the
strategy on the union U of the shard picks, which measures coverage of U instead of the
pool: U is a diverse set, so sparse regions weigh as much as dense ones. Here each shard
also assigns every one of its rows to the nearest of its picks, and the merged round
maximises the *weighted* facility location sum_u w_u max_a s(a, u) (w_u = rows assigned to
u, sum w = n) plus the quality term: an estimate of the whole pool's objective from |U|
rows. It is still monotone submodular, so the same exact lazy greedy applies
(``core.select.facility_location`` with the similarity's columns scaled by w).
``merge="plain"`` runs the registry strategy on U unchanged.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import numpy as np

from core.distributed.objective import qdit_coverage
from core.distributed.shards import MatrixSource
from core.neighbors import build_knn_graph
from core.select.base import SelectionContext
from core.select.facility_location import (
    FacilityLocationGreedy,
    dense_similarity,
    symmetric_similarity,
)
from core.select.qdit import QditStrategy
from core.select.registry import get_strategy
from core.select.relative_gain import RelativeGainGreedy

ASSIGN_FLOATS = 16 * 1024 * 1024


@dataclass
class ShardOutcome:
    """One shard's picks (global rows, pick order) and what the merge needs from it."""

    shard: int
    picks: np.ndarray
    gains: np.ndarray
    objective_trace: np.ndarray
    weights: np.ndarray | None
    rows: int
    seconds: float
    stopped_early: str | None = None


@dataclass
class MergeOutcome:
    picks: np.ndarray
    gains: np.ndarray
    stopped_early: str | None
    seconds: float


def local_params(strategy: str, params: dict[str, Any], local_rows: int, n: int
                 ) -> dict[str, Any]:
    """Parameters for a run on ``local_rows`` rows standing for ``n`` (see module doc)."""
    if strategy != "qdit" or qdit_coverage(params) != "sum" or local_rows >= n:
        return dict(params)
    alpha = float(params.get("alpha", 0.5))
    if alpha in (0.0, 1.0):
        return dict(params)
    return {**params, "alpha": alpha / (alpha + (1.0 - alpha) * n / local_rows)}


def nearest_pick_counts(x: np.ndarray, picks: np.ndarray) -> np.ndarray:
    """How many rows of ``x`` have each of ``picks`` (local positions) as nearest pick.

    Blocked argmax of x @ x[picks]^T: O(s l d) time, ~64 MB of temporaries.
    """
    counts = np.zeros(len(picks), dtype=np.int64)
    if not len(picks):
        return counts
    pt = np.ascontiguousarray(x[picks].T)
    step = max(64, ASSIGN_FLOATS // len(picks))
    for start in range(0, len(x), step):
        nearest = (x[start:start + step] @ pt).argmax(axis=1)
        counts += np.bincount(nearest, minlength=len(picks))
    return counts


def run_shard(task: tuple[int, np.ndarray], *, source: MatrixSource, strategy: str,
              params: dict[str, Any], per_shard: int, quality: np.ndarray | None,
              candidates: np.ndarray | None, must: np.ndarray, seed: int,
              weighted: bool) -> ShardOutcome:
    """Round 1 on shard ``task = (j, sorted global rows)``: the strategy for up to
    ``per_shard`` picks (plus the must-include rows that fall in this shard, picked first)."""
    start = time.perf_counter()
    j, rows = task
    position = {int(r): i for i, r in enumerate(rows)}
    local_must = [position[int(m)] for m in must if int(m) in position]
    mask = None if candidates is None else np.asarray(candidates[rows], dtype=bool).copy()
    free = len(rows) if mask is None else int(mask.sum())
    if mask is not None:
        free -= int(mask[local_must].sum()) if local_must else 0
    else:
        free -= len(local_must)
    budget = min(per_shard, free) + len(local_must)
    empty = np.zeros(0)
    if budget == 0:
        return ShardOutcome(j, np.zeros(0, dtype=np.int64), empty, empty,
                            np.zeros(0, dtype=np.int64) if weighted else None, len(rows),
                            time.perf_counter() - start)
    x = source.take(rows)
    ctx = SelectionContext(embeddings=x, quality=None if quality is None else quality[rows])
    strat = get_strategy(strategy, **local_params(strategy, params, len(rows), source.n))
    res = strat.select(ctx, budget, candidates=mask, must_include=local_must, seed=seed)
    weights = nearest_pick_counts(x, res.indices) if weighted else None
    return ShardOutcome(j, rows[res.indices], res.gains, res.objective_trace, weights,
                        len(rows), time.perf_counter() - start, res.stopped_early)


def run_merge(union: tuple[np.ndarray, np.ndarray | None], *, source: MatrixSource,
              strategy: str, params: dict[str, Any], k: int, quality: np.ndarray | None,
              must: np.ndarray, seed: int) -> MergeOutcome:
    """Round 2 on ``union = (global rows, weights or None)``: k picks from the shard picks.

    With weights (QDIT, alpha < 1) the weighted facility location of the module doc; else
    the registry strategy on the union. Must-include rows come first, in their order.
    """
    start = time.perf_counter()
    rows, weights = union
    order = np.argsort(rows, kind="stable")
    x = np.empty((len(rows), source.dim), dtype=np.float32)
    x[order] = source.take(rows[order])
    q = None if quality is None else quality[rows]
    position = {int(r): i for i, r in enumerate(rows)}
    local_must = [position[int(m)] for m in must]
    strat = get_strategy(strategy, **local_params(strategy, params, len(rows), source.n))
    if weights is not None and not strat.quality_only():
        picks, gains = weighted_qdit(x, q, weights, k, local_must, params, source.n)
        return MergeOutcome(rows[picks], gains, None, time.perf_counter() - start)
    res = strat.select(SelectionContext(embeddings=x, quality=q), min(k, len(rows)),
                       must_include=local_must, seed=seed)
    return MergeOutcome(rows[res.indices], res.gains, res.stopped_early,
                        time.perf_counter() - start)


def weighted_qdit(x: np.ndarray, q: np.ndarray | None, weights: np.ndarray, k: int,
                  must: list[int], params: dict[str, Any], n: int
                  ) -> tuple[np.ndarray, np.ndarray]:
    """Exact lazy greedy of QDIT's score with the weighted coverage gain on x's rows:
    (1 - alpha) * gain / G_t + alpha * q ("relative", G_t the best weighted gain of the step),
    (1 - alpha) * gain / n + alpha * q ("mean") or without the / n ("sum").

    The similarity is QDIT's own (dense up to ``dense_max_n`` rows, else the symmetrised
    kNN graph of x) with column u scaled by weights[u]. Returns (local picks, gains).
    """
    strat = QditStrategy(**params)
    strat.check_params()
    alpha = float(strat.alpha)
    qv = np.ones(len(x)) if q is None else np.asarray(q, dtype=np.float64)
    w = np.asarray(weights, dtype=np.float32)
    if strat.path(len(x)) == "dense":
        sim = dense_similarity(x)
        sim *= w[None, :]
    else:
        sim = symmetric_similarity(build_knn_graph(x)).multiply(w[None, :]).tocsr()
        sim.sort_indices()
    greedy = FacilityLocationGreedy(sim)
    free = np.setdiff1d(np.arange(len(x)), np.asarray(must, dtype=np.int64))
    budget = min(k, len(x)) - len(must)
    if strat.coverage == "relative":
        relative = RelativeGainGreedy(greedy, free, qv, alpha)
        picks = list(must)
        gains = [relative.force(p)[0] for p in must]
        if budget > 0:
            got, scores, _ = relative.pick(budget)
            picks.extend(got.tolist())
            gains.extend(scores.tolist())
        return np.asarray(picks, dtype=np.int64), np.asarray(gains, dtype=np.float64)
    scale = (1.0 - alpha) / (n if strat.coverage == "mean" else 1.0)
    picks = list(must)
    gains = [scale * greedy.add(p) + alpha * float(qv[p]) for p in must]
    if budget > 0:
        greedy.start(free, alpha * qv, scale)
        got, scores = greedy.pick(budget)
        picks.extend(got.tolist())
        gains.extend(scores.tolist())
    return np.asarray(picks, dtype=np.int64), np.asarray(gains, dtype=np.float64)
