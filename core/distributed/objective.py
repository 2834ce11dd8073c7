"""A selection's single-machine objective on a sharded pool, by map-reduce.

The distributed rounds only ever see part of the pool, so the objective a distributed
result reports is recomputed here over the whole pool (or a uniform sample of it), with the
same formulas as the single-machine strategies:

- qdit: F_t = (1 - alpha) * D_t / n + alpha * (1 / t) sum_{s<=t} q(a_s) (``coverage=
  "relative"``, the default: the single-machine trace of that mode, weighted mean coverage
  and mean quality); F_t = (1 - alpha) * D_t / n + alpha * sum_{s<=t} q(a_s) (``"mean"``;
  the ``"sum"`` variant drops the / n); with D_t = sum_v min(1, max(0, max_{s<=t} cos(a_s, v)))
  the facility-location coverage of the first t picks. This is the *exact* dense cosine,
  the quantity the single-machine engine approximates with its kNN graph past 5,000 rows.
- kcenter: R_t = max over candidate rows v of w_v * (1 - max_{s<=t} cos(a_s, v)), the
  weighted covering radius after t picks (lower is better), w = (1 - beta) + beta * q.
- dpp: needs no pass over the pool (log det K_A depends on the picks alone), so its trace
  comes straight from the run that picked the rows.

Map: each task takes a block of pool rows (a row range, or sorted sample rows), forms
block @ picks^T in chunks of ~64 MB and folds the running max over the pick order with a
numba kernel; it returns one float64 vector of length k per candidate set. Reduce: sum
(qdit) or max (kcenter). Time O(n k d) in all, O(block * k) memory per task; several
candidate sets share one pass. With ``sample_rows`` the pass covers a seeded uniform
sample: D is then an unbiased estimate (scaled by n / sample) and R a lower bound.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from core.distributed.executor import Executor, ProgressFn
from core.distributed.shards import MatrixSource, row_ranges
from core.select.qdit import QditStrategy


def qdit_coverage(params: dict) -> str:
    """QDIT's coverage scaling for ``params`` (the strategy's own default when unset)."""
    return str(params.get("coverage", QditStrategy().coverage))

CHUNK_FLOATS = 16 * 1024 * 1024  # block rows x picks per matmul chunk (64 MB of float32)
BLOCK_ROWS = 100_000  # pool rows per map task


@njit(cache=True)
def _add_running_coverage(sims, start, stop, acc):
    """acc[t] += sum over rows of min(1, max(0, max_{start<=s<=t} sims[row, s]))."""
    for i in range(sims.shape[0]):
        run = 0.0
        for t in range(start, stop):
            s = min(sims[i, t], 1.0)
            if s > run:
                run = s
            acc[t] += run


@njit(cache=True)
def _max_weighted_radius(sims, start, stop, weights, acc):
    """acc[t] = max(acc[t], max over rows of weights[row] * (1 - max_{s<=t} sims[row, s]))."""
    for i in range(sims.shape[0]):
        run = -1.0
        w = weights[i]
        for t in range(start, stop):
            if sims[i, t] > run:
                run = sims[i, t]
            d = min(max(1.0 - run, 0.0), 2.0)
            if w * d > acc[t]:
                acc[t] = w * d


def evaluate_block(item, *, source: MatrixSource, pick_vectors: np.ndarray,
                   bounds: list[tuple[int, int]], kind: str,
                   weights: np.ndarray | None = None,
                   candidates: np.ndarray | None = None) -> np.ndarray:
    """Map step on one block of pool rows; ``item`` is (start, stop) or sorted row numbers.

    pick_vectors: (K, d) float32, the candidate sets' picks concatenated in pick order;
    bounds: each set's [a, b) slice of it. Returns float64 (K,): per-set coverage sums
    ("qdit") or per-set running weighted radii ("kcenter", rows limited to ``candidates``).
    """
    rows = np.arange(*item, dtype=np.int64) if isinstance(item, tuple) else item
    if kind == "kcenter" and candidates is not None:
        rows = rows[candidates[rows]]
    n_picks = pick_vectors.shape[0]
    acc = np.zeros(n_picks) if kind == "qdit" else np.full(n_picks, -np.inf)
    picks_t = np.ascontiguousarray(pick_vectors.T)
    chunk = max(64, CHUNK_FLOATS // max(1, n_picks))
    for start in range(0, len(rows), chunk):
        part = rows[start:start + chunk]
        sims = source.take(part) @ picks_t
        for a, b in bounds:
            if kind == "qdit":
                _add_running_coverage(sims, a, b, acc)
            else:
                w = np.ones(len(part)) if weights is None else weights[part]
                _max_weighted_radius(sims, a, b, w.astype(np.float64), acc)
    return acc


def evaluation_items(n: int, parallelism: int, sample_rows: int | None, seed: int) -> tuple[
        list, int]:
    """Map items (row ranges or sorted sample rows) and the number of rows they cover."""
    if sample_rows is not None and sample_rows < n:
        rows = np.sort(np.random.default_rng(seed + 7919).choice(n, sample_rows,
                                                                   replace=False))
        parts = max(parallelism, -(-len(rows) // BLOCK_ROWS))
        return [p for p in np.array_split(rows, parts) if len(p)], len(rows)
    parts = max(parallelism, -(-n // BLOCK_ROWS))
    return row_ranges(n, parts), n


def pool_objective_traces(source: MatrixSource, strategy: str, params: dict,
                          sets: list[np.ndarray], *, quality: np.ndarray | None,
                          candidates: np.ndarray | None, executor: Executor,
                          sample_rows: int | None = None, seed: int = 0,
                          progress: ProgressFn | None = None) -> tuple[list[np.ndarray], int]:
    """The objective trace of each ordered pick set in ``sets`` (qdit or kcenter).

    Returns (traces, rows evaluated). See the module docstring for the formulas.
    """
    n = source.n
    sets = [np.asarray(s, dtype=np.int64) for s in sets]
    ends = np.cumsum([len(s) for s in sets])
    bounds = [(int(e - len(s)), int(e)) for s, e in zip(sets, ends, strict=True)]
    allp = np.concatenate(sets)
    order = np.argsort(allp, kind="stable")
    vectors = np.empty((len(allp), source.dim), dtype=np.float32)
    vectors[order] = source.take(allp[order])
    q = np.ones(n) if quality is None else np.asarray(quality, dtype=np.float64)
    items, n_eval = evaluation_items(n, executor.parallelism(), sample_rows, seed)
    shared = {"source": source, "pick_vectors": vectors, "bounds": bounds, "kind": strategy}
    if strategy == "kcenter":
        beta = float(params.get("quality_weight", 0.0))
        mask = None
        if candidates is not None:
            mask = np.asarray(candidates, dtype=bool).copy()
            mask[allp] = True  # picked rows (must-include ones too) sit at distance 0
        shared.update(weights=(1.0 - beta) + beta * q, candidates=mask)
    parts = executor.map(evaluate_block, items, shared=shared, progress=progress)
    if strategy == "kcenter":
        radius = np.max(np.stack(parts), axis=0)
        return [radius[a:b] for a, b in bounds], n_eval
    cover = np.sum(np.stack(parts), axis=0)
    alpha = float(params.get("alpha", 0.5))
    coverage = qdit_coverage(params)
    scale = (1.0 - alpha) / (n_eval if coverage != "sum" else n_eval / n)
    if coverage == "relative":
        return [scale * cover[a:b] + alpha * np.cumsum(q[s]) / np.arange(1, len(s) + 1)
                for (a, b), s in zip(bounds, sets, strict=True)], n_eval
    return [scale * cover[a:b] + alpha * np.cumsum(q[s]) for (a, b), s in
            zip(bounds, sets, strict=True)], n_eval
