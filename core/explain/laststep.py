"""The score a row would have had at a run's last step, to say by how much it was missed.

The last step chose pick k among the free candidates given A = the first k - 1 picks, and
its gain is that pick's score. For any other candidate r the same formula at that state:

- qdit: (1 - alpha) * g(r | A) / G + alpha * q_r ("relative"; G = max over the free
  candidates of g(b | A), 0 / 0 = 1), g / n ("mean") or g ("sum") in place of g / G; g is the
  facility-location gain on the similarity the run used (dense cosine or the kNN graph);
- dpp: theta * log q_r + (1 - theta) * log d_r^2, d_r^2 = 1 - k_A,r^T K_A^{-1} k_A,r
  (floored at min_variance), from a Cholesky factor of K_A: O(k^3 + k d) for one row;
- kcenter: ((1 - beta) + beta * q_r) * (1 - max over A of cos(x_r, x_a)) (2 when A is empty);
- quality, deita: q_r (deita may also have skipped r as redundant: the caller says so).

Other strategies (random, cluster_balanced, token_coverage, daar) get None: their last step
is not a comparison of scores that can be restated for one row cheaply.
"""

from __future__ import annotations

from typing import Any

import numpy as np

SCORED = ("qdit", "dpp", "kcenter", "quality", "deita")


def candidate_mask(ws: Any, config: dict[str, Any]) -> np.ndarray:
    """bool (n,): the rows the run could pick (core.select.run.candidate_rows of its
    request: the where filter and the map's id lists) plus its must-include rows."""
    from core.select.request import SelectionRequest
    from core.select.run import candidate_rows

    rows = candidate_rows(ws, SelectionRequest.from_config(config))
    mask = np.ones(int(ws.n_rows), dtype=bool) if rows is None else np.array(rows, dtype=bool)
    mask[np.asarray(config.get("must_include") or [], dtype=np.int64)] = True
    return mask


def last_step_scores(ws: Any, result: Any, rows: np.ndarray, quality: np.ndarray | None
                     ) -> np.ndarray | None:
    """Score (float64, len(rows)) of ``rows`` at the last step of ``result``, or None when
    the strategy is not in SCORED. ``quality``: rank-normalised (n,) or None (q = 1)."""
    config = result.config
    strategy = config.get("strategy")
    if strategy not in SCORED:
        return None
    params = config.get("params") or {}
    rows = np.asarray(rows, dtype=np.int64)
    q = np.ones(int(ws.n_rows)) if quality is None else np.asarray(quality, dtype=np.float64)
    before = np.asarray(result.indices[:-1], dtype=np.int64)
    if strategy in ("quality", "deita"):
        return q[rows]
    if strategy == "kcenter":
        beta = float(params.get("quality_weight", 0.0))
        return ((1.0 - beta) + beta * q[rows]) * _kcenter_distance(ws.embeddings(), before, rows)
    if strategy == "dpp":
        return _dpp_scores(ws.embeddings(), before, rows, q, params)
    return _qdit_scores(ws, result, before, rows, q, params)


def _kcenter_distance(x: np.ndarray, before: np.ndarray, rows: np.ndarray) -> np.ndarray:
    if not len(before):
        return np.full(len(rows), 2.0)
    cos = np.asarray(x[rows], dtype=np.float64) @ np.asarray(x[before], dtype=np.float64).T
    return 1.0 - cos.max(axis=1)


def _dpp_scores(x: np.ndarray, before: np.ndarray, rows: np.ndarray, q: np.ndarray,
                params: dict) -> np.ndarray:
    from core.select.dpp import kernel_block

    theta = float(params.get("lam", 0.5))
    logq = np.log(np.maximum(q[rows], float(params.get("quality_floor", 1e-6))))
    if theta == 1.0:
        return logq
    kern = {"kernel": params.get("kernel", "exp_cosine"), "gamma": float(params.get("gamma", 1.0))}
    d2 = np.ones(len(rows))
    if len(before):
        from scipy.linalg import cho_factor, cho_solve

        xa = np.asarray(x[before], dtype=np.float64)
        factor = cho_factor(kernel_block(xa, xa, **kern), lower=True)
        kar = kernel_block(xa, np.asarray(x[rows], dtype=np.float64), **kern)
        d2 = 1.0 - np.einsum("ij,ij->j", kar, cho_solve(factor, kar))
    d2 = np.maximum(d2, float(params.get("min_variance", 1e-10)))
    return theta * logq + (1.0 - theta) * np.log(d2)


def _qdit_scores(ws: Any, result: Any, before: np.ndarray, rows: np.ndarray, q: np.ndarray,
                 params: dict) -> np.ndarray:
    from core.select.facility_location import (
        FacilityLocationGreedy,
        dense_similarity,
        symmetric_similarity,
    )

    alpha = float(params.get("alpha", 0.5))
    if alpha == 1.0:
        return q[rows]
    path = (result.config.get("info") or {}).get("path", "dense")
    sim = (symmetric_similarity(ws.knn()) if path == "sparse"
           else dense_similarity(ws.embeddings()))
    greedy = FacilityLocationGreedy(sim)
    for row in before:
        greedy.add(int(row))
    g = greedy.gains(rows)
    mode = params.get("coverage", "relative")
    if mode == "relative":
        free = candidate_mask(ws, result.config)
        free[before] = False
        best = float(greedy.gains(np.flatnonzero(free)).max())
        d = np.ones(len(rows)) if best == 0 else g / best
    else:
        d = g / int(ws.n_rows) if mode == "mean" else g
    return (1.0 - alpha) * d + alpha * q[rows]
