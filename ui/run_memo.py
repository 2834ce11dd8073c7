"""The pages' run memo: selection runs (one :class:`SelectionRequest` each) and their metrics,
memoised per session so moving a slider back is free, and the glue to the session's
prefetcher, which computes slow runs next to the current slider value ahead (ui.prefetch)."""

from __future__ import annotations

import functools
import json
from collections import OrderedDict

import numpy as np
import streamlit as st

from core.metrics import MetricsOptions, compute_all_metrics, coverage_trace
from core.metrics.workspace_pool import metrics_pool_from_workspace
from core.select.progressive import first_stage_size, run_progressively
from core.select.request import SelectionRequest
from core.select.run import run_selection
from core.workspace import Workspace
from core.workspace.columns import added_columns_file
from ui import settings
from ui.prefetch import Prefetcher, neighbours

MEMO_KEY = "qdx_run_memo"
PREFIX_KEY = "qdx_run_prefixes"  # request-without-k key -> the ks memoised
MEMO_SIZE = 32
METRICS_MEMO_KEY = "qdx_metrics_memo"
TRACE_ROWS = 2_000
# Self-BLEU on demand
LIVE_FAMILIES = ("embedding", "logdet", "cluster", "text", "quality", "composition")
# The Select page computes FIRST_FAMILIES, then log det (O(k^3)) and the cheap text
# measures, draws the six cards and then the map; the compression ratio (zlib over the
# selection, the slowest text measure) only joins the table at the end. (Computing the later
# measures on a worker thread was slower on 2 cores: both sides' BLAS threads fought.)
FIRST_FAMILIES = ("embedding", "cluster", "quality", "composition")
LATER_FAMILIES = ("logdet", "text")
LATER_TEXT = ("distinct", "entropy", "lengths")  # the compression ratio comes last
LAST_TEXT = ("compression",)


def run_key(ws: Workspace, request: SelectionRequest) -> str:
    """The request's key with the workspace's pool and embedding keys (and its current
    near-duplicate drop when the request follows it: applying or undoing a drop on the
    Pool page changes the candidates)."""
    info = ws.embedding_info() or {}
    drop = ws.drop_filter() if request.drop_filter is None else None
    # The added columns (labels, imported scores) feed column: and learned: quality specs;
    # a label click must not invalidate a heuristic run.
    columns = added_columns_file(ws) if _reads_columns(request.quality) else None
    return json.dumps([ws.pool_key, info.get("key"), columns, request.key(), drop],
                      default=str)


def _reads_columns(quality: str | None) -> bool:
    return any(part in str(quality or "") for part in ("column:", "learned:"))


def run(ws: Workspace, request: SelectionRequest, progress=None, on_partial=None):
    """``run_selection(ws, request)``, memoised per session by the request and the
    workspace's pool and embedding keys. A run the session's background prefetcher has done
    (or is doing: it is waited for) is taken from there; otherwise the prefetcher is stopped
    first, so the foreground run has both cores. With ``on_partial``, a large enough run of
    a resumable strategy calls ``on_partial(head)`` with its first quarter of picks as soon
    as they are made (:func:`first_stage`), then finishes (the same result)."""
    key = run_key(ws, request)

    def compute():
        longer = longer_run(ws, request)
        if longer is not None:
            return prefix_of(longer, request.k)
        pf = prefetcher()
        ahead = pf.wait(key, progress)
        if ahead is not None:
            return ahead
        pf.stop()
        first = first_stage(request, ws.n_rows, int((ws.embedding_info() or {}).get("dim", 1)))
        if on_partial is not None and first:
            return run_progressively(ws, request, first, on_partial, progress)
        return run_selection(ws, request, progress=progress)

    result = _memoised(MEMO_KEY, key, compute)
    _remember_k(ws, request)
    return result


def first_stage(request: SelectionRequest, n_rows: int, dim: int) -> int:
    """How many picks a run shows before it ends (a quarter of k, fewer for dpp on a large
    pool: core.select.progressive.first_stage_size), or 0: only for k of at least
    QDX_PROGRESSIVE_K and a strategy that resumes from its own picks."""
    min_k = settings.progressive_min_k()
    if not min_k or request.k < min_k:
        return 0
    return first_stage_size(request, n_rows, dim)


def longer_run(ws: Workspace, request: SelectionRequest):
    """A memoised run of the same request with a larger k, when its first ``request.k``
    picks are the answer: the strategy is greedy (picks are final in order) and no quota
    or token budget reshapes the order. The largest such run, or None."""
    from core.select.registry import STRATEGIES

    cls = STRATEGIES.get(request.strategy)
    if cls is None or not cls.greedy or request.quota is not None or \
            request.budget_tokens is not None:
        return None
    memo = st.session_state.get(MEMO_KEY, {})
    best = None
    for k in st.session_state.get(PREFIX_KEY, {}).get(run_key(ws, request.replace(k=0)), ()):
        result = memo.get(run_key(ws, request.replace(k=k)))
        if k > request.k and result is not None and result.k >= request.k and \
                (best is None or result.k > best.k):
            best = result
    return best


def prefix_of(result, k: int):
    """The first k picks of a greedy run, as the k-run's result (same config but k)."""
    from core.select.result import SelectionResult

    return SelectionResult(indices=result.indices[:k], gains=result.gains[:k],
                           objective_trace=result.objective_trace[:k],
                           config={**result.config, "k": int(k)},
                           timings={"total": 0.0, "prefix_of_k": float(result.k)})


def _remember_k(ws: Workspace, request: SelectionRequest) -> None:
    """Index the memoised run by its request without k (for :func:`longer_run`)."""
    index = st.session_state.setdefault(PREFIX_KEY, {})
    ks = index.setdefault(run_key(ws, request.replace(k=0)), set())
    ks.add(int(request.k))


PREFETCHER_KEY = "qdx_prefetcher"


def prefetcher() -> Prefetcher:
    """This session's background prefetcher (one per browser session: one user's page
    switch never cancels another user's runs)."""
    pf = st.session_state.get(PREFETCHER_KEY)
    if pf is None:
        pf = st.session_state[PREFETCHER_KEY] = Prefetcher()
    return pf


def prefetch_neighbours(ws: Workspace, request: SelectionRequest, direction: int = 0) -> int:
    """Queue background runs of the slider values next to ``request``'s (see ui.prefetch)
    that neither this session nor the prefetcher has; returns how many were queued (none
    when QDX_PREFETCH turns it off)."""
    if not settings.prefetch_enabled():
        return 0
    memo = st.session_state.get(MEMO_KEY, {})
    pf = prefetcher()
    jobs = []
    for near in neighbours(request, direction):
        key = run_key(ws, near)
        if key not in memo and pf.get(key) is None:
            jobs.append((key, functools.partial(_background_run, str(ws.root), near)))
    pf.schedule(jobs)
    return len(jobs)


def stop_prefetch() -> None:
    """Called by the pages other than Select (and by its Cancel button): a run computed
    ahead for the Select page's slider stops, so the page being drawn has both cores (page
    switch under 2 s)."""
    prefetcher().stop()


def computed_ahead(ws: Workspace, request: SelectionRequest) -> bool:
    """True when the run for ``request`` came from the background prefetcher."""
    return prefetcher().get(run_key(ws, request)) is not None


def _background_run(path: str, request: SelectionRequest, progress):
    # Its own Workspace object: the page's one (and its database connection) stays the
    # page thread's.
    return run_selection(Workspace.open(path), request, progress=progress)


def _memoised(memo_key: str, key: str, compute):
    """``compute()`` kept in the session's LRU memo ``memo_key`` (MEMO_SIZE entries) under
    ``key``."""
    memo: OrderedDict = st.session_state.setdefault(memo_key, OrderedDict())
    if key in memo:
        memo.move_to_end(key)
        return memo[key]
    value = compute()
    memo[key] = value
    while len(memo) > MEMO_SIZE:
        memo.popitem(last=False)
    return value


@st.cache_resource(show_spinner=False, max_entries=6)
def _metrics_pool(path: str, embedding_key: str, quality: str, where: str | None,
                  columns_file: str | None = None):
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
    return _metrics_pool(str(ws.root), info["key"], quality or "none", where,
                         added_columns_file(ws) if _reads_columns(quality) else None)


def metrics(ws: Workspace, indices: np.ndarray, quality: str | None, *, full: bool = False,
            candidate_mask: np.ndarray | None = None,
            families: tuple[str, ...] | None = None,
            text_parts: tuple[str, ...] | None = None, random: bool = True) -> dict:
    """Every live measure beside the pool and the random baseline (Self-BLEU when ``full``;
    only ``families`` when given; no baseline with ``random=False``), memoised per session:
    a page switch or a slider moved back redraws without recomputing."""
    import hashlib

    idx = np.ascontiguousarray(indices, dtype=np.int64)
    if families is None:
        families = LIVE_FAMILIES + (("self_bleu",) if full else ())
    opts = MetricsOptions(families=tuple(families),
                          **({} if text_parts is None else {"text_parts": tuple(text_parts)}),
                          **({} if random else {"n_random": 0}))
    digest = hashlib.sha1(idx.tobytes())
    if candidate_mask is not None:
        digest.update(np.packbits(np.asarray(candidate_mask, dtype=bool)).tobytes())
    info = ws.embedding_info() or {}
    columns = added_columns_file(ws) if _reads_columns(quality) else None
    key = json.dumps([ws.pool_key, info.get("key"), columns, quality,
                      list(opts.families),
                      list(opts.text_parts), opts.n_random, digest.hexdigest()])
    return _memoised(METRICS_MEMO_KEY, key,
                     lambda: _compute_metrics(ws, idx, quality, opts, candidate_mask))


def _compute_metrics(ws: Workspace, indices: np.ndarray, quality: str | None,
                     opts: MetricsOptions, candidate_mask: np.ndarray | None) -> dict:
    pool = metrics_pool(ws, quality)
    if candidate_mask is not None and not candidate_mask.all():
        import dataclasses

        pool = dataclasses.replace(pool, candidate_mask=candidate_mask)
    return compute_all_metrics(pool, indices, opts)


def traces(ws: Workspace, indices: np.ndarray, quality: str | None) -> dict[str, np.ndarray]:
    """The cheap metric-versus-k curves (coverage, cluster entropy, mean quality): the
    Vendi and log-det traces cost eigen/Cholesky work per grid point, too slow per slider move.
    """
    from core.metrics.cluster import cluster_entropy_trace

    pool = metrics_pool(ws, quality)
    idx = np.asarray(indices, dtype=np.int64)

    # Coverage is averaged over a fixed seeded sample of TRACE_ROWS pool rows: the curve's
    # shape is what the chart shows (the exact value is on the card; the sample's standard
    # error is about 0.005), at 1/25 of the cost on a 50,000-row pool.
    n = pool.embeddings.shape[0]
    sample = None
    if n > TRACE_ROWS:
        sample = np.sort(np.random.default_rng(0).choice(n, TRACE_ROWS, replace=False))
    ks, fl = coverage_trace(pool.embeddings, idx, eval_rows=sample)
    out = {"k": ks, "facility_location": fl}
    if pool.cluster_labels is not None:
        out["cluster_entropy"] = cluster_entropy_trace(pool.cluster_labels, idx, ks)
    if pool.quality is not None:
        out["quality_mean"] = np.cumsum(pool.quality[idx])[ks - 1] / ks
    return out
