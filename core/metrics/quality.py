"""Quality of a selection: where its rows sit in the pool's quality distribution.

``quality`` is one float per pool row, higher = better (any ``core.quality`` scorer or a
user column). NaN rows (unscored) are ignored.
"""

from __future__ import annotations

import numpy as np

from core.errors import InputError

DEFAULT_LOW_QUANTILE = 0.25


def low_quality_threshold(quality: np.ndarray, quantile: float = DEFAULT_LOW_QUANTILE) -> float:
    """The pool's ``quantile`` of quality: rows strictly below it count as low quality."""
    q = np.asarray(quality, dtype=np.float64)
    finite = q[np.isfinite(q)]
    if finite.size == 0:
        raise InputError("the quality vector has no finite value", field="quality")
    return float(np.quantile(finite, quantile))


def quality_stats(quality: np.ndarray, indices=None, *, threshold: float | None = None
                  ) -> dict[str, float | None]:
    """{"mean", "median", "low_share"} of the selected rows' quality (all rows if None).

    low_share = share of selected (finite) rows with quality < ``threshold`` (default: the
    pool's 25th percentile, so the pool's own share is about 0.25 unless many rows tie).
    """
    q = np.asarray(quality, dtype=np.float64)
    if q.ndim != 1:
        raise InputError("expected one quality value per pool row", field="quality")
    if threshold is None:
        threshold = low_quality_threshold(q)
    picked = q if indices is None else q[np.asarray(indices, dtype=np.int64)]
    picked = picked[np.isfinite(picked)]
    if picked.size == 0:
        return {"mean": None, "median": None, "low_share": None}
    return {"mean": float(picked.mean()), "median": float(np.median(picked)),
            "low_share": float((picked < threshold).mean())}
