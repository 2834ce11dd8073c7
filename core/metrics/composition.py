"""Composition measures of a selection: its training tokens and the units it covers.

training_tokens = sum over the picks of (instruction tokens + response tokens), counted by
the workspace's tokenizer (``core.workspace.tokens``); ``MetricsPool.token_counts`` holds
the per-row totals (n,). The pool value is the whole pool's total.

distinct_units_{side} = |units of the picks| / |units of the pool| (Macro-to-Micro's meso
diversity; units by ``core.units``, rules parser), from ``MetricsPool.unit_labels[side]``
(int codes (n,)); the pool value is 1.
"""

from __future__ import annotations

import numpy as np


def composition_values(token_counts: np.ndarray | None, idx: np.ndarray | None,
                       unit_labels: dict[str, np.ndarray] | None = None
                       ) -> dict[str, float | None]:
    """training_tokens and distinct_units_{side} of the rows ``idx`` (all rows when None);
    a measure whose input the pool lacks is left out."""
    out: dict[str, float | None] = {}
    if token_counts is not None:
        counts = np.asarray(token_counts, dtype=np.int64)
        out["training_tokens"] = float(counts.sum() if idx is None else counts[idx].sum())
    for side, labels in (unit_labels or {}).items():
        labels = np.asarray(labels)
        total = np.unique(labels).size
        covered = total if idx is None else np.unique(labels[idx]).size
        out[f"distinct_units_{side}"] = covered / total if total else None
    return out
