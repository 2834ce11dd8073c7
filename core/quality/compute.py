"""Quality scores as the selection engine consumes them: rank-normalised to [0, 1]."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from core.quality.base import QualityScorer, rank_normalize
from core.quality.scorers import ColumnScorer, WeightedScorer
from core.quality.spec import parse_quality_spec
from core.workspace.columns import column_values_key


def quality_scores(frame: pd.DataFrame, spec: str | None) -> np.ndarray | None:
    """Rank-normalised quality (float64 (len(frame),) in [0, 1]) of the pool table ``frame``
    under ``spec``; None for "none". InputError for a bad spec or an unknown column, and
    for ``learned:`` / ``reward:`` terms, which need a workspace (:func:`workspace_quality`)."""
    scorer = parse_quality_spec(spec, columns=list(frame.columns))
    if scorer is None:
        return None
    return rank_normalize(scorer.score(frame))


def atoms(scorer: QualityScorer) -> list[QualityScorer]:
    """The atoms of a (possibly weighted) scorer, in spec order."""
    if isinstance(scorer, WeightedScorer):
        return [part for _, part in scorer.parts]
    return [scorer]


def quality_inputs(ws: Any, spec: str | None) -> dict[str, Any]:
    """What a spec's score depends on beyond the pool, per atom that has such inputs:
    the learned model's inputs (column, label type, model, feature set, embedding key,
    judged rows' hash), a reward model's cache key, and the value hash of an added column
    (imported scores, labels). Empty for specs read from the pool alone. Part of the cache
    key of :func:`workspace_quality` and recorded in selection configs and manifests."""
    scorer = parse_quality_spec(spec, columns=list(ws.pool_frame().columns))
    if scorer is None:
        return {}
    added = set(ws.added_columns())
    out: dict[str, Any] = {}
    for atom in atoms(scorer):
        if hasattr(atom, "inputs"):
            out[atom.spec] = atom.inputs(ws)
        elif isinstance(atom, ColumnScorer) and atom.column in added:
            values = ws.pool_frame([atom.column])[atom.column].to_numpy(np.float64)
            out[atom.spec] = {"kind": "added column", "column": atom.column,
                              "values_sha256": column_values_key(values)}
    return out


def raw_workspace_score(ws: Any, scorer: QualityScorer, progress=None) -> np.ndarray:
    """Raw (not rank-normalised) scores (n,) of ``scorer`` on the workspace's pool; weighted
    sums mix rank-normalised parts as WeightedScorer does."""
    if isinstance(scorer, WeightedScorer):
        total = np.zeros(int(ws.n_rows), dtype=np.float64)
        for weight, part in scorer.parts:
            total += weight * rank_normalize(raw_workspace_score(ws, part, progress))
        return total
    if hasattr(scorer, "workspace_score"):
        return np.asarray(scorer.workspace_score(ws, progress=progress), dtype=np.float64)
    return scorer.score(ws.pool_frame())


def workspace_quality(ws: Any, spec: str | None, progress=None) -> np.ndarray | None:
    """:func:`quality_scores` of a workspace's pool (``learned:`` and ``reward:`` terms
    included), cached in the workspace under the canonical spec and its inputs
    (:func:`quality_inputs`): a second call with an equivalent spec and unchanged inputs
    reads the cache; labelling one more row or importing new scores recomputes."""
    scorer = parse_quality_spec(spec)
    if scorer is None:
        return None

    def compute() -> np.ndarray:
        frame = ws.pool_frame()
        return rank_normalize(raw_workspace_score(
            ws, parse_quality_spec(spec, columns=list(frame.columns)), progress))

    key = {"spec": scorer.spec, "n_rows": int(ws.n_rows), "normalised": "rank"}
    inputs = quality_inputs(ws, spec)
    if inputs:  # keys of specs without inputs stay as before, so old caches stay valid
        key["inputs"] = inputs
    return np.asarray(ws.cached_array("quality", key, compute), dtype=np.float64)
