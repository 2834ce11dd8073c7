"""Composition measures of a selection: its training tokens (and what it is made of).

training_tokens = sum over the picks of (instruction tokens + response tokens), counted by
the workspace's tokenizer (``core.workspace.tokens``); ``MetricsPool.token_counts`` holds
the per-row totals (n,). The pool value is the whole pool's total.
"""

from __future__ import annotations

import numpy as np


def composition_values(token_counts: np.ndarray | None, idx: np.ndarray | None
                       ) -> dict[str, float | None]:
    """{"training_tokens": sum of token_counts[idx]} (all rows when ``idx`` is None);
    empty when the pool has no token counts."""
    if token_counts is None:
        return {}
    counts = np.asarray(token_counts, dtype=np.int64)
    return {"training_tokens": float(counts.sum() if idx is None else counts[idx].sum())}
