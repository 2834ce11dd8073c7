"""Metrics versus k: how diversity grows as a ranked selection grows, for live curves.

A selection's ``indices`` are in pick order, so its first k rows are what the strategy
would return for budget k (greedy strategies are prefix-consistent). Every trace is
evaluated on a grid of prefix sizes ``ks`` and costs about one evaluation at full size:

- facility location: the max-similarity vector is updated block by block of picks (a
  running max), O(n k d) in total; ``eval_rows`` restricts it to a sample of pool rows
  (an unbiased estimate of the mean, much cheaper for large pools);
- log det and LDD: one Cholesky of the selection's kernel gives every prefix;
- Vendi: the d x d covariance is accumulated pick by pick, one small eigensolve per point;
- cluster entropy and quality mean: cumulative counts and sums.

The random baseline's curve is the same call on ``report.random_subset(candidates, k,
seed)``: seeded random subsets are nested, so their prefixes are the random subsets of
every smaller size.
"""

from __future__ import annotations

import numpy as np

from core.errors import InputError
from core.metrics import cluster as cl
from core.metrics import embedding as emb
from core.metrics import logdet as ld

_BLOCK_FLOATS = 16 * 1024 * 1024


def trace_grid(k: int, step: int | None = None, points: int = 50) -> np.ndarray:
    """Prefix sizes step, 2 step, ..., k (k always included); step defaults to ~k/points."""
    if k < 1:
        raise InputError("a trace needs at least one pick", field="selection")
    step = max(1, k // points) if step is None else int(step)
    if step < 1:
        raise InputError(f"expected step >= 1, got {step}", field="step")
    grid = np.arange(step, k + 1, step, dtype=np.int64)
    return grid if grid.size and grid[-1] == k else np.append(grid, k)


def coverage_trace(embeddings: np.ndarray, indices, step: int | None = None, *,
                   eval_rows: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """(ks, FL after the first k picks) on the grid of :func:`trace_grid`.

    FL(k) = mean over evaluated rows of max(0, max_{t < k} cos(x, x_{pick t})). Rows are
    processed in blocks; inside a block the similarities to all picks (block x k, float32)
    get a running max along the picks, read at the grid columns. O(n k d) time,
    O(64 MB) memory. ``eval_rows`` (pool row indices) evaluates on those rows only.
    """
    x = np.asarray(embeddings)
    idx = emb.check_selection(indices, x.shape[0])
    ks = trace_grid(idx.size, step)
    rows = np.arange(x.shape[0]) if eval_rows is None else np.asarray(eval_rows, np.int64)
    picks_t = np.ascontiguousarray(np.asarray(x[idx], dtype=np.float32).T)
    totals = np.zeros(ks.size, dtype=np.float64)
    block = max(64, _BLOCK_FLOATS // idx.size)
    for start in range(0, rows.size, block):
        chunk = np.asarray(x[rows[start:start + block]], dtype=np.float32)
        sims = chunk @ picks_t
        np.maximum.accumulate(sims, axis=1, out=sims)
        totals += np.clip(sims[:, ks - 1], 0.0, 1.0).sum(axis=0, dtype=np.float64)
    return ks, totals / rows.size


def logdet_trace(embeddings: np.ndarray, indices, ks, *, gamma: float = ld.DEFAULT_GAMMA,
                 jitter: float = ld.DEFAULT_JITTER, reference_seeds=(0, 1, 2)
                 ) -> dict[str, np.ndarray]:
    """{"logdet": log det of the first k picks, "ldd": LDD_k (mean over references)}."""
    x = np.asarray(embeddings)
    idx = np.asarray(indices, dtype=np.int64)
    ks = np.asarray(ks, dtype=np.int64)
    curve = ld.logdet_prefix_curve(x[idx], gamma=gamma, jitter=jitter)
    refs = np.mean([ld.reference_logdet_curve(idx.size, x.shape[1], seed=s, gamma=gamma,
                                              jitter=jitter) for s in reference_seeds], axis=0)
    return {"logdet": curve[ks - 1], "ldd": (refs[ks - 1] - curve[ks - 1]) / ks}


def vendi_trace(embeddings: np.ndarray, indices, ks) -> np.ndarray:
    """Cosine-kernel Vendi score of the first k picks for each k: O(m d^2 + len(ks) d^3)."""
    x = np.asarray(embeddings)
    idx = np.asarray(indices, dtype=np.int64)
    d = x.shape[1]
    cov = np.zeros((d, d), dtype=np.float64)
    out = np.empty(len(ks), dtype=np.float64)
    done = 0
    for pos, k in enumerate(ks):
        chunk = np.asarray(x[idx[done:k]], dtype=np.float64)
        cov += chunk.T @ chunk
        done = int(k)
        out[pos] = emb.vendi_from_eigenvalues(np.linalg.eigvalsh(cov))
    return out


def metric_traces(embeddings: np.ndarray, indices, step: int | None = None, *,
                  cluster_labels: np.ndarray | None = None, quality: np.ndarray | None = None,
                  eval_rows: np.ndarray | None = None, with_logdet: bool = True,
                  gamma: float = ld.DEFAULT_GAMMA, jitter: float = ld.DEFAULT_JITTER
                  ) -> dict[str, np.ndarray]:
    """Every cheap metric-versus-k curve of a ranked selection, on one grid.

    Returns {"k", "facility_location", "vendi", "cluster_entropy" (with labels),
    "quality_mean" (with quality), "logdet" and "ldd" (with_logdet; O(m^3 / 3))}.
    """
    ks, fl = coverage_trace(embeddings, indices, step, eval_rows=eval_rows)
    idx = np.asarray(indices, dtype=np.int64)
    out = {"k": ks, "facility_location": fl, "vendi": vendi_trace(embeddings, idx, ks)}
    if cluster_labels is not None:
        out["cluster_entropy"] = cl.cluster_entropy_trace(cluster_labels, idx, ks)
    if quality is not None:
        q = np.asarray(quality, dtype=np.float64)[idx]
        finite = np.isfinite(q)
        sums = np.cumsum(np.where(finite, q, 0.0))[ks - 1]
        counts = np.cumsum(finite)[ks - 1]
        out["quality_mean"] = np.divide(sums, counts, out=np.full(ks.size, np.nan),
                                        where=counts > 0)
    if with_logdet:
        out.update(logdet_trace(embeddings, idx, ks, gamma=gamma, jitter=jitter))
    return out
