"""The one entry point the CLI, the dashboard and export/reproduce share.

    result = run_selection(ws, "qdit", 1000, {"alpha": 0.7}, quality_spec="heuristic")
    ws.save_selection("qdit-1000", result)

It validates everything cheap first (strategy, parameters, quality spec, filter, k), then
fills a SelectionContext with exactly what the configured strategy needs, reading the
workspace's cached artifacts (embeddings, kNN graph, k-means clusters, quality scores,
token ids) and computing + caching what is missing, and runs the strategy.
``result.config`` holds everything needed to run it again (:func:`rerun_selection`):
strategy, params, k, seed, where, must_include, the canonical quality spec and the
workspace's current embedding. Quality is rank-normalised over the whole pool, not over the
rows the ``where`` filter keeps, so a row's score does not change with the filter.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

import numpy as np

from core.errors import InputError
from core.quality import DEFAULT_SPEC, canonical_spec, workspace_quality
from core.quality.compute import quality_inputs
from core.select.base import ProgressFn, SelectionContext, SelectionPlan, Strategy
from core.select.registry import get_strategy
from core.select.result import SelectionResult


def run_selection(ws: Any, strategy: str, k: int, params: dict[str, Any] | None = None, *,
                  quality_spec: str | None = DEFAULT_SPEC, seed: int = 0,
                  where: str | None = None, must_include: Sequence[int] = (),
                  exclude_ids: Sequence[str] = (), restrict_ids: Sequence[str] | None = None,
                  progress: ProgressFn | None = None) -> SelectionResult:
    """Run ``strategy`` with ``params`` on the workspace ``ws``; see the module docstring.

    InputError (one line) for an unknown strategy or parameter, a bad value, a bad quality
    spec or unknown quality column, a bad ``where`` predicate, or k larger than the
    candidates.
    """
    start = time.perf_counter()
    strat = get_strategy(strategy, **(params or {}))
    spec = canonical_spec(quality_spec)
    where = where.strip() if where and where.strip() else None
    candidates = ws.candidate_mask(where) if where else None
    candidates = _id_filters(ws, candidates, exclude_ids, restrict_ids)
    SelectionPlan.build(ws.n_rows, k, candidates, must_include)  # fail fast on a bad k
    ctx = build_context(ws, strat, spec, seed)
    prepared = time.perf_counter() - start
    result = strat.select(ctx, k, candidates=candidates, must_include=must_include, seed=seed,
                          progress=progress)
    info = ws.embedding_info()  # recorded even when unused: k-means labels depend on it
    result.config.update({
        "quality": spec,
        "where": where,
        # Rows the map lasso restricted to or excluded, by id, so the run is reproducible.
        "restrict_ids": None if restrict_ids is None else sorted(map(str, restrict_ids)),
        "exclude_ids": sorted(map(str, exclude_ids)),
        "embedding": None if info is None else {key: info.get(key) for key in
                                                ("key", "model", "field", "dim")},
    })
    if "quality" in strat.context_needs(int(ws.n_rows)):
        inputs = quality_inputs(ws, spec)  # a learned model's inputs, imported columns' hash
        if inputs:
            result.config["quality_inputs"] = inputs
    result.timings = {"context": prepared, **result.timings,
                      "total": time.perf_counter() - start}
    return result


def rerun_selection(ws: Any, config: dict[str, Any], progress: ProgressFn | None = None
                    ) -> SelectionResult:
    """Run again from a result's ``config`` (e.g. a loaded selection or a manifest)."""
    try:
        return run_selection(ws, config["strategy"], int(config["k"]), config.get("params"),
                             quality_spec=config.get("quality", DEFAULT_SPEC),
                             seed=int(config.get("seed", 0)), where=config.get("where"),
                             must_include=config.get("must_include", ()),
                             exclude_ids=config.get("exclude_ids") or (),
                             restrict_ids=config.get("restrict_ids"), progress=progress)
    except KeyError as exc:
        raise InputError(f"selection config lacks {exc.args[0]!r}", field="config") from None


def _id_filters(ws: Any, candidates: np.ndarray | None, exclude_ids: Sequence[str],
                restrict_ids: Sequence[str] | None) -> np.ndarray | None:
    """AND the ``where`` mask with id-based restrict/exclude lists (from the map)."""
    if restrict_ids is None and not len(exclude_ids):
        return candidates
    ids = ws.pool_frame(["id"])["id"]
    mask = np.ones(len(ids), dtype=bool) if candidates is None else candidates.copy()
    if restrict_ids is not None:
        mask &= ids.isin(list(restrict_ids)).to_numpy()
    if len(exclude_ids):
        mask &= ~ids.isin(list(exclude_ids)).to_numpy()
    return mask


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
