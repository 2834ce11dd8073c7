"""Quality scores as the selection engine consumes them: rank-normalised to [0, 1]."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from core.quality.base import rank_normalize
from core.quality.spec import parse_quality_spec


def quality_scores(frame: pd.DataFrame, spec: str | None) -> np.ndarray | None:
    """Rank-normalised quality (float64 (len(frame),) in [0, 1]) of the pool table ``frame``
    under ``spec``; None for "none". InputError for a bad spec or an unknown column."""
    scorer = parse_quality_spec(spec, columns=list(frame.columns))
    if scorer is None:
        return None
    return rank_normalize(scorer.score(frame))


def workspace_quality(ws: Any, spec: str | None) -> np.ndarray | None:
    """:func:`quality_scores` of a workspace's pool, cached in the workspace under the
    canonical spec (a second call with an equivalent spec reads the cache)."""
    scorer = parse_quality_spec(spec)
    if scorer is None:
        return None

    def compute() -> np.ndarray:
        frame = ws.pool_frame()
        return rank_normalize(parse_quality_spec(spec, columns=list(frame.columns))
                              .score(frame))

    key = {"spec": scorer.spec, "n_rows": int(ws.n_rows), "normalised": "rank"}
    return np.asarray(ws.cached_array("quality", key, compute), dtype=np.float64)
