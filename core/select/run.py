"""The one entry point the CLI, the dashboard, the sweep and export/reproduce share.

    request = SelectionRequest("qdit", 1000, {"alpha": 0.7}, quality="heuristic")
    result = run_selection(ws, request)
    ws.save_selection("qdit-1000", result)

It validates everything cheap first (strategy, parameters, quality spec, filter, k), then
fills a SelectionContext with exactly what the configured strategy needs, reading the
workspace's cached artifacts (embeddings, kNN graph, k-means clusters, quality scores,
token ids) and computing + caching what is missing, and runs the strategy (part by part
under a quota, cut at a token budget: core.select.compose). ``result.config`` holds the
request (:meth:`SelectionRequest.to_config`, with every declared parameter) and the
workspace's current embedding, so :func:`rerun_selection` runs it again. Quality is
rank-normalised over the whole pool, not over the rows the ``where`` filter keeps, so a
row's score does not change with the filter.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any

import numpy as np

from core.errors import InputError
from core.quality import workspace_quality
from core.quality.compute import quality_inputs
from core.select.base import ProgressFn, SelectionContext, SelectionPlan, Strategy
from core.select.compose import cut_to_token_budget, quota_summary, select_with_quota
from core.select.registry import get_strategy
from core.select.request import SelectionRequest
from core.select.result import SelectionResult
from core.workspace.filters import require_match


def run_selection(ws: Any, request: SelectionRequest, progress: ProgressFn | None = None
                  ) -> SelectionResult:
    """Run ``request`` on the workspace ``ws``; see the module docstring.

    InputError (one line) for an unknown strategy or parameter, a bad value, a bad quality
    spec or unknown quality column, a bad ``where`` predicate, a bad quota, or k larger than
    the candidates.
    """
    if not isinstance(request, SelectionRequest):
        raise TypeError("run_selection takes a SelectionRequest")
    start = time.perf_counter()
    strat = get_strategy(request.strategy, **request.params)
    request = pin_drop(ws, request)
    candidates = candidate_rows(ws, request)
    SelectionPlan.build(ws.n_rows, request.k, candidates, request.must_include)  # fail fast
    values = _quota_values(ws, request)
    ctx = build_context(ws, strat, request.quality, request.seed)
    prepared = time.perf_counter() - start
    tokens, counted = (None, "") if request.budget_tokens is None else row_tokens(ws)
    if values is not None:
        result = select_with_quota(strat, ctx, request.k, values, request.quota, candidates,
                                   request.must_include, request.seed, progress,
                                   tokens=tokens, budget=request.budget_tokens)
    else:
        result = strat.select(ctx, request.k, candidates=candidates,
                              must_include=request.must_include, seed=request.seed,
                              progress=progress)
    if tokens is not None:
        result = cut_to_token_budget(result, tokens, request.budget_tokens,
                                     f"instruction + response, {counted}")
    if values is not None:
        result.config.setdefault("info", {})["quota"] = quota_summary(
            values, request.quota, request.k, result.indices)
    info = ws.embedding_info()  # recorded even when unused: k-means labels depend on it
    config = request.to_config()
    config["params"] = result.config["params"]  # every declared parameter, defaults included
    result.config.update(config)
    result.config["embedding"] = None if info is None else {
        key: info.get(key) for key in ("key", "model", "field", "dim")}
    if "quality" in strat.context_needs(int(ws.n_rows)):
        inputs = quality_inputs(ws, request.quality)  # a learned model's inputs, added columns
        if inputs:
            result.config["quality_inputs"] = inputs
    result.timings = {"context": prepared, **result.timings,
                      "total": time.perf_counter() - start}
    return result


def rerun_selection(ws: Any, config: Mapping[str, Any], progress: ProgressFn | None = None
                    ) -> SelectionResult:
    """Run again from a result's ``config`` (e.g. a loaded selection or a manifest)."""
    return run_selection(ws, SelectionRequest.from_config(config), progress=progress)


def candidate_rows(ws: Any, request: SelectionRequest) -> np.ndarray | None:
    """The rows the request may pick: its ``where`` predicate AND its id filters (the map's
    lasso); None when nothing restricts them."""
    candidates = (require_match(ws.candidate_mask(request.where), request.where)
                  if request.where else None)
    candidates = ws.apply_drop_filter(candidates,
                                      dict(pin_drop(ws, request).drop_filter) or None)
    if request.restrict_ids is None and not request.exclude_ids:
        return candidates
    ids = ws.pool_frame(["id"])["id"]
    mask = np.ones(len(ids), dtype=bool) if candidates is None else candidates.copy()
    if request.restrict_ids is not None:
        mask &= ids.isin(list(request.restrict_ids)).to_numpy()
    if request.exclude_ids:
        mask &= ~ids.isin(list(request.exclude_ids)).to_numpy()
    return mask


def pin_drop(ws: Any, request: SelectionRequest) -> SelectionRequest:
    """The request with the near-duplicate drop it runs with made explicit: its own (a
    rerun: exactly what was recorded) or, when it names none, the workspace's current one;
    ``{}`` for none. The result's config records it, so a rerun applies the same drop."""
    if request.drop_filter is not None:
        return request
    return request.replace(drop_filter=ws.drop_filter() or {})


def _quota_values(ws: Any, request: SelectionRequest) -> np.ndarray | None:
    """The quota column as text per pool row (None without a quota)."""
    if request.quota is None:
        return None
    column = request.quota.column
    frame = ws.pool_frame()
    if column not in frame.columns:
        raise InputError(f"unknown quota column '{column}'; available columns: "
                         f"{', '.join(map(str, frame.columns))}", field="quota")
    return frame[column].astype("string").fillna("").to_numpy(dtype=object).astype(str)


def row_tokens(ws: Any) -> tuple[np.ndarray, str]:
    """(training tokens per pool row: instruction + input + response, counted with the
    workspace's current tokenizer (core.workspace.tokens; cached), that tokenizer's label)."""
    from core.workspace.tokens import current_tokenizer, token_counts

    counts = token_counts(ws).sum(axis=1).to_numpy(dtype=np.int64)
    return counts, (current_tokenizer(ws) or {}).get("label", "bundled tokenizer")


def build_context(ws: Any, strategy: Strategy, quality_spec: str | None, seed: int = 0
                  ) -> SelectionContext:
    """A SelectionContext holding what ``strategy`` needs on this workspace's pool."""
    n = int(ws.n_rows)
    needs = strategy.context_needs(n)
    ctx = SelectionContext(n=n)
    if "quality" in needs:
        ctx.quality = workspace_quality(ws, quality_spec)
    if "embeddings" in needs:
        ctx.embeddings = ws.embeddings()
    if "knn" in needs:
        ctx.knn = ws.knn()
    if "labels" in needs:
        ctx.labels, ctx.label_names = _labels(ws, strategy, seed)
    if "texts" in needs:
        ctx.token_ids = workspace_token_ids(ws, getattr(strategy, "text_field", "response"))
    return ctx


def _labels(ws: Any, strategy: Strategy, seed: int) -> tuple[np.ndarray, list[str] | None]:
    from core.clusters import column_labels

    if getattr(strategy, "unit_side", None):  # unit_balanced: instruction units, cached
        from core.workspace.units import workspace_units

        return workspace_units(ws, strategy.unit_side, strategy.parser)[:2]
    column = getattr(strategy, "label_column", None)
    if column:
        frame = ws.pool_frame()
        if column not in frame.columns:
            raise InputError(f"unknown label column '{column}'; available columns: "
                             f"{', '.join(map(str, frame.columns))}", field="label_column")
        codes, names = column_labels(frame[column])
        return codes, names
    n_clusters = getattr(strategy, "n_clusters", None) or getattr(strategy, "n_domains", None)
    labels, _ = ws.clusters(n_clusters=n_clusters, seed=seed)
    return np.asarray(labels), None


def workspace_token_ids(ws: Any, field: str) -> tuple[np.ndarray, np.ndarray]:
    """WordPiece ids of ``ws.texts(field)`` as (flat ids, offsets), cached in the workspace."""
    from core.select.token_coverage import flat_token_ids

    box: dict[str, np.ndarray] = {}

    def compute() -> tuple[np.ndarray, np.ndarray]:
        if "flat" not in box:
            ctx = SelectionContext(texts=ws.texts(field))
            box["flat"], box["offsets"] = flat_token_ids(ctx, "token_coverage")
        return box["flat"], box["offsets"]

    key = {"field": field, "tokenizer": "all-MiniLM-L6-v2 WordPiece"}
    offsets = ws.cached_array("subword-offsets", key, lambda: compute()[1])
    flat = ws.cached_array("subword-ids", key, lambda: compute()[0])
    return np.asarray(flat, dtype=np.int64), np.asarray(offsets, dtype=np.int64)
