"""Good/bad labels a person gives rows (dashboard): a workspace column, 1 = good,
0 = bad, NaN = not labelled, stored with core.workspace.columns (atomic, survives restarts)
and usable as a judge (``learned:label``, ``python -m core quality --against label``)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from core.errors import InputError

LABEL_COLUMN = "label"
GOOD, BAD = 1.0, 0.0


def row_labels(ws, column: str = LABEL_COLUMN) -> np.ndarray:
    """float64 (n,): 1 good, 0 bad, NaN unlabelled (all NaN when the column is absent)."""
    frame = ws.pool_frame()
    if column not in frame.columns:
        return np.full(ws.n_rows, np.nan)
    return np.asarray(frame[column].to_numpy(np.float64, na_value=np.nan), dtype=np.float64)


def set_labels(ws, rows: Sequence[int], value: float | None,
               column: str = LABEL_COLUMN) -> np.ndarray:
    """Label ``rows`` good (1), bad (0) or clear them (None) and store the column; returns
    the new labels. InputError for a row outside the pool or a column of the loaded pool."""
    rows = np.asarray(list(rows), dtype=np.int64)
    if rows.size and (rows.min() < 0 or rows.max() >= ws.n_rows):
        raise InputError(f"row {int(rows.max() if rows.max() >= ws.n_rows else rows.min())} is "
                         f"outside the pool (0..{ws.n_rows - 1})", field="row")
    if value is not None and value not in (GOOD, BAD):
        raise InputError(f"a label is 1 (good) or 0 (bad), got {value!r}", field="label")
    if column in ws.pool_columns():
        raise InputError(f"column '{column}' is a column of the loaded pool; labels need their "
                         "own column", field="label")
    labels = row_labels(ws, column).copy()
    labels[rows] = np.nan if value is None else float(value)
    ws.set_columns({column: labels})
    return labels


def label_counts(labels: np.ndarray) -> tuple[int, int]:
    """(good, bad) counts."""
    return int(np.sum(labels == GOOD)), int(np.sum(labels == BAD))
