"""Selection runs and their metrics for the pages, memoised so moving a slider back is free."""

from __future__ import annotations

import json
from collections import OrderedDict
from typing import Any

import numpy as np
import streamlit as st

from core.metrics import MetricsOptions, compute_all_metrics, coverage_trace
from core.metrics.workspace_pool import metrics_pool_from_workspace
from core.select.run import run_selection
from core.workspace import Workspace

MEMO_KEY = "qdx_run_memo"
MEMO_SIZE = 32
LIVE_FAMILIES = ("embedding", "logdet", "cluster", "text", "quality")  # Self-BLEU on demand


def run_key(ws: Workspace, request: dict[str, Any]) -> str:
    info = ws.embedding_info() or {}
    return json.dumps([ws.pool_key, info.get("key"), request], sort_keys=True, default=str)


def run(ws: Workspace, request: dict[str, Any], progress=None):
    """``run_selection`` for ``request`` (strategy, k, params, quality, seed, filters), memoised
    per session by the request and the workspace's pool and embedding keys."""
    memo: OrderedDict = st.session_state.setdefault(MEMO_KEY, OrderedDict())
    key = run_key(ws, request)
    if key in memo:
        memo.move_to_end(key)
        return memo[key]
    result = run_selection(
        ws, request["strategy"], request["k"], request.get("params") or {},
        quality_spec=request.get("quality"), seed=request.get("seed", 0),
        where=request.get("where"), exclude_ids=request.get("exclude_ids") or (),
        restrict_ids=request.get("restrict_ids"), progress=progress)
    memo[key] = result
    while len(memo) > MEMO_SIZE:
        memo.popitem(last=False)
    return result


@st.cache_resource(show_spinner=False, max_entries=6)
def _metrics_pool(path: str, embedding_key: str, quality: str, where: str | None):
    import dataclasses

    from core.quality import workspace_quality
    from ui.data import open_workspace

    ws = open_workspace(path)
    pool = metrics_pool_from_workspace(ws, quality="none", where=where)
    # The same quality vector the selection engine uses for this spec.
    return dataclasses.replace(pool, quality=workspace_quality(ws, quality),
                               quality_key=f"core.quality:{quality}")


def metrics_pool(ws: Workspace, quality: str | None, where: str | None = None):
    info = ws.embedding_info()
    return _metrics_pool(str(ws.root), info["key"], quality or "none", where)


def metrics(ws: Workspace, indices: np.ndarray, quality: str | None, *, full: bool = False,
            candidate_mask: np.ndarray | None = None) -> dict:
    """Every live measure beside the pool and the random baseline (Self-BLEU when ``full``)."""
    pool = metrics_pool(ws, quality)
    if candidate_mask is not None and not candidate_mask.all():
        import dataclasses

        pool = dataclasses.replace(pool, candidate_mask=candidate_mask)
    families = LIVE_FAMILIES + (("self_bleu",) if full else ())
    return compute_all_metrics(pool, indices, MetricsOptions(families=families))


def traces(ws: Workspace, indices: np.ndarray, quality: str | None) -> dict[str, np.ndarray]:
    """The cheap metric-versus-k curves (coverage, cluster entropy, mean quality): the
    Vendi and log-det traces cost eigen/Cholesky work per grid point, too slow per slider move.
    """
    from core.metrics.cluster import cluster_entropy_trace

    pool = metrics_pool(ws, quality)
    idx = np.asarray(indices, dtype=np.int64)
    ks, fl = coverage_trace(pool.embeddings, idx)
    out = {"k": ks, "facility_location": fl}
    if pool.cluster_labels is not None:
        out["cluster_entropy"] = cluster_entropy_trace(pool.cluster_labels, idx, ks)
    if pool.quality is not None:
        out["quality_mean"] = np.cumsum(pool.quality[idx])[ks - 1] / ks
    return out
