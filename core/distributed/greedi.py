"""Distributed selection: two-round GreeDi (Mirzasoleiman, Karbasi, Sarkar, Krause 2013).

    result = greedi_select(MatrixSource.from_workspace(ws), "qdit", 10_000, {"alpha": 0.5},
                           quality=q, executor=ex, shards=40)

1. Partition the pool uniformly at random (seeded) into m shards.
2. Round 1, one task per shard: run the strategy on the shard for l picks (``per_shard``;
   default min(k, ceil(oversample * k / m)) with oversample 4, so k / m <= l <= k, and
   m * l at most the per-process row limit when that still leaves l >= k / m), must-include
   rows of the shard first. Measured on 100,000 clustered rows (benchmarks/scale.py, m = 4,
   k = 1,000), objective relative to the single-machine greedy: oversample 2 -> 0.961,
   4 (l = k, GreeDi's own setting) -> 0.984, 8 -> 0.993; round 1's cost is dominated by the
   shard's kNN graph, not by l. QDIT shards also count, for each pick, the shard rows nearest to it.
3. Round 2, one task: run the strategy on the union of the shard picks for k picks (QDIT:
   the weighted merge of core.distributed.rounds, an estimate of the whole-pool objective).
4. Keep the better of the merged result and the best shard result (the shard whose first k
   picks score best on its own objective; only shards with l >= k picks qualify, which is
   GreeDi's own setting l = k), judged by the single-machine objective evaluated on the
   whole pool by map-reduce (core.distributed.objective; ``eval_sample`` rows instead
   make it a documented estimate). The result's gains and objective_trace are that
   whole-pool objective, so ``result.objective`` compares directly with a single-machine
   run evaluated the same way.

Validity: QDIT's objective is monotone submodular, where GreeDi guarantees
(1 - 1/e)^2 / min(m, k) of the optimum with l = k and does far better on random partitions
in practice (measured: within 1% of the single-machine greedy on 20,000 rows). k-center is
the two-round scheme of Malkomes et al. 2015 (a constant-factor approximation of the
radius). DPP greedy MAP is not monotone (log det can fall), so for ``dpp`` this is a
heuristic without a guarantee; its objective needs no pool pass (it depends on the picks
only). Other strategies raise InputError.

Cost with n rows, m shards, k picks, d dimensions: round 1 runs m independent selections
of n/m rows (QDIT: an exact kNN graph per shard, O(n^2 d / m) in all, plus the greedy);
round 2 one selection of m*l ~ 2k rows on one worker; the evaluation O(n k d) split over
the workers. Memory per process: one shard (n/m rows), the union (m*l rows) or one
evaluation block, never the whole matrix (see core.distributed.shards for the limit).
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from typing import Any

import numpy as np

from core.distributed.executor import Executor, InProcessExecutor, ProgressFn
from core.distributed.objective import pool_objective_traces, qdit_coverage
from core.distributed.rounds import run_merge, run_shard
from core.distributed.shards import (
    MatrixSource,
    check_rows_fit,
    max_rows_per_process,
    partition_rows,
)
from core.errors import CancelledError, InputError
from core.select.base import SelectionPlan
from core.select.registry import get_strategy
from core.select.result import SelectionResult

GREEDI_STRATEGIES = ("qdit", "kcenter", "dpp")
DEFAULT_SHARD_ROWS = 25_000
DEFAULT_OVERSAMPLE = 4.0
MERGES = ("weighted", "plain")
LOWER_IS_BETTER = {"kcenter"}


def default_shards(n: int, parallelism: int) -> int:
    """m = max(workers, ceil(n / 25,000)): every worker busy, shards of at most 25,000 rows
    (an exact kNN graph per shard stays cheap: O(shard^2 d))."""
    return max(1, min(n, max(parallelism, math.ceil(n / DEFAULT_SHARD_ROWS))))


def default_per_shard(k: int, m: int, oversample: float) -> int:
    """l = min(k, ceil(oversample * k / m)), lowered so the union m * l fits one process
    (``max_rows_per_process``) but never below GreeDi's minimum ceil(k / m)."""
    per = min(k, math.ceil(oversample * k / m), max_rows_per_process() // m)
    return max(per, math.ceil(k / m))


def greedi_select(source: MatrixSource, strategy: str, k: int,
                  params: dict[str, Any] | None = None, *, quality: np.ndarray | None = None,
                  candidates: np.ndarray | None = None, must_include: Sequence[int] = (),
                  seed: int = 0, executor: Executor | None = None, shards: int | None = None,
                  per_shard: int | None = None, oversample: float = DEFAULT_OVERSAMPLE,
                  merge: str = "weighted", eval_sample: int | None = None,
                  progress: ProgressFn | None = None) -> SelectionResult:
    """Select k rows of ``source`` with ``strategy`` by two-round GreeDi (module docstring).

    quality: (n,) rank-normalised quality or None; candidates: bool (n,) mask or None;
    shards: m (default :func:`default_shards`); per_shard: l; merge: "weighted" or "plain";
    eval_sample: evaluate the final objective on this many uniformly sampled rows instead of
    all n. InputError for a strategy other than qdit/kcenter/dpp, bad options, or a shard
    or union over the per-process row limit.
    """
    started = time.perf_counter()
    executor = executor or InProcessExecutor()
    params = dict(params or {})
    n = source.n
    cfg = _check_options(strategy, params, n, k, candidates, must_include, shards, per_shard,
                         oversample, merge, eval_sample, executor)
    m, per, weighted = cfg["shards"], cfg["per_shard"], cfg["weighted"]
    plan = SelectionPlan.build(n, k, candidates, must_include)
    mask = None if candidates is None else np.asarray(candidates, dtype=bool)
    q = None if quality is None else np.asarray(quality, dtype=np.float64)
    parts = partition_rows(n, m, seed)
    common = {"source": source, "strategy": strategy, "params": params, "quality": q,
              "must": plan.must, "seed": seed}
    report = _PhaseProgress(progress, m + 2)
    t0 = time.perf_counter()
    outcomes = executor.map(run_shard, list(enumerate(parts)),
                            shared={**common, "per_shard": per, "candidates": mask,
                                    "weighted": weighted}, progress=report.phase(0))
    t1 = time.perf_counter()
    union = np.concatenate([o.picks for o in outcomes])
    check_rows_fit(len(union), "the merged round", "lower --shards or per_shard")
    weights = np.concatenate([o.weights for o in outcomes]) if weighted else None
    merged = executor.map(run_merge, [(union, weights)],
                          shared={**common, "k": plan.k})[0]
    report.done(m + 1)
    t2 = time.perf_counter()
    chosen, info = _choose(strategy, params, plan.k, merged, outcomes, source, q, mask,
                           executor, eval_sample, seed, plan.must)
    report.done(m + 2)
    t3 = time.perf_counter()
    info.update({"scheme": "greedi", "shards": m, "per_shard": per, "oversample": oversample,
                 "merge": merge, "merged_rows": int(len(union)), "eval_sample": eval_sample,
                 "shard_seconds": [round(o.seconds, 3) for o in outcomes],
                 "merge_seconds": round(merged.seconds, 3)})
    config = {"strategy": strategy, "params": params, "k": plan.k, "seed": int(seed),
              "n_rows": n, "n_candidates": int(len(plan.candidates) + len(plan.must)),
              "must_include": [int(i) for i in plan.must], "executor": executor.describe(),
              "distributed": info}
    return SelectionResult(indices=chosen[0], gains=chosen[1], objective_trace=chosen[2],
                           config=config, stopped_early=chosen[3],
                           timings={"round1": t1 - t0, "merge": t2 - t1, "evaluate": t3 - t2,
                                    "select": time.perf_counter() - started})


def _check_options(strategy, params, n, k, candidates, must, shards, per_shard, oversample,
                   merge, eval_sample, executor) -> dict[str, Any]:
    if strategy not in GREEDI_STRATEGIES:
        raise InputError(f"strategy '{strategy}' cannot run distributed; choose one of "
                         f"{', '.join(GREEDI_STRATEGIES)} or --executor local",
                         field="strategy")
    get_strategy(strategy, **params)  # InputError for unknown or invalid parameters
    SelectionPlan.build(n, k, candidates, must)
    if merge not in MERGES:
        raise InputError(f"merge must be one of {', '.join(MERGES)}; got {merge!r}",
                         field="merge")
    if shards is not None and (isinstance(shards, bool) or int(shards) != shards
                               or not 1 <= shards <= n):
        raise InputError(f"--shards must be a whole number in 1..{n}, got {shards!r}",
                         field="shards")
    if not (isinstance(oversample, (int, float)) and oversample >= 1):
        raise InputError(f"oversample must be a number >= 1, got {oversample!r}",
                         field="oversample")
    if eval_sample is not None and (int(eval_sample) != eval_sample or eval_sample < 1):
        raise InputError(f"eval_sample must be a whole number >= 1, got {eval_sample!r}",
                         field="eval_sample")
    m = int(shards) if shards else default_shards(n, executor.parallelism())
    check_rows_fit(math.ceil(n / m), f"{m} shard(s) of a {n:,}-row pool",
                   f"use --shards {math.ceil(n / 250_000) if n > 250_000 else m + 1} or more")
    per = int(per_shard) if per_shard else default_per_shard(k, m, oversample)
    if per < math.ceil(k / m):
        raise InputError(f"per_shard must be at least k / shards = {math.ceil(k / m)}, got "
                         f"{per}", field="per_shard")
    weighted = merge == "weighted" and strategy == "qdit"
    return {"shards": m, "per_shard": per, "weighted": weighted}


def _choose(strategy, params, k, merged, outcomes, source, q, mask, executor, eval_sample,
            seed, must) -> tuple[tuple, dict[str, Any]]:
    """The better of the merged result and the best shard result (module docstring).

    A shard result qualifies only with k picks that hold every must-include row (a shard
    picks its own must-include rows first, so: all of them fell in that shard)."""
    sign = -1.0 if strategy in LOWER_IS_BETTER else 1.0
    full = [o for o in outcomes if len(o.picks) >= k
            and np.isin(must, o.picks[:k]).all()]
    best = max(full, key=lambda o: sign * o.objective_trace[k - 1], default=None)
    runs = [("merged", merged.picks, merged.gains, merged.stopped_early)]
    if best is not None:
        runs.append((f"shard {best.shard}", best.picks[:k], best.gains[:k], best.stopped_early))
    if strategy == "dpp":
        traces = [np.cumsum(gains) for _, _, gains, _ in runs]
        n_eval = 0
    else:
        traces, n_eval = pool_objective_traces(source, strategy, params,
                                               [r[1] for r in runs], quality=q,
                                               candidates=mask, executor=executor,
                                               sample_rows=eval_sample, seed=seed)
    finals = [sign * t[-1] if len(t) else -np.inf for t in traces]
    pick = int(np.argmax(finals))
    name, rows, gains, stopped = runs[pick]
    trace = traces[pick]
    if strategy == "qdit" and qdit_coverage(params) != "relative":
        gains = np.diff(trace, prepend=0.0)  # the whole-pool marginal gains
    # ("relative": the trace is a weighted mean, not a sum of gains; the run's own f_t stay)
    info = {"chosen": name, "objective_rows": n_eval,
            "merged_objective": float(traces[0][-1]) if len(traces[0]) else None,
            "best_shard_objective": float(traces[1][-1]) if len(runs) > 1 else None}
    return (rows, gains, trace, stopped), info


class _PhaseProgress:
    """Maps the rounds' progress onto one (done, total) count: m shards, merge, evaluation."""

    def __init__(self, progress: ProgressFn | None, total: int) -> None:
        self.progress = progress
        self.total = total

    def phase(self, offset: int) -> ProgressFn | None:
        if self.progress is None:
            return None
        return lambda done, _total: self.progress(offset + done, self.total)

    def done(self, count: int) -> None:
        if self.progress is not None and self.progress(count, self.total) is False:
            raise CancelledError(f"distributed selection cancelled at step {count}")
