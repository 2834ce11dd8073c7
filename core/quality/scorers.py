"""Quality scorers: a numeric column, response length in tokens, and a weighted combination.

The text heuristics live in core.quality.heuristics; every scorer follows the protocol of
core.quality.base (a float per row, higher is better).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from core.errors import InputError
from core.quality.base import QualityScorer, rank_normalize


def require_column(frame: pd.DataFrame, column: str, purpose: str = "quality") -> pd.Series:
    """frame[column], or InputError naming the column and the available ones."""
    if column not in frame.columns:
        raise InputError(f"unknown column '{column}' for {purpose}; available columns: "
                         f"{', '.join(map(str, frame.columns))}", field=purpose)
    return frame[column]


class ColumnScorer:
    """A numeric pool column (e.g. a rating), higher is better unless ``lower_is_better``.

    Values that are missing or not numbers score NaN (ranked lowest). A column with no
    numeric value at all is an InputError.
    """

    def __init__(self, column: str, lower_is_better: bool = False) -> None:
        self.column = column
        self.lower_is_better = lower_is_better
        self.spec = f"column:{'-' if lower_is_better else ''}{column}"

    def columns(self) -> list[str]:
        return [self.column]

    def score(self, frame: pd.DataFrame) -> np.ndarray:
        raw = require_column(frame, self.column)
        if raw.dtype == bool:
            raw = raw.astype(np.int64)
        values = pd.to_numeric(raw, errors="coerce").to_numpy(dtype=np.float64,
                                                              na_value=np.nan)
        if len(values) and np.isnan(values).all() and raw.notna().any():
            raise InputError(f"column '{self.column}' has no numeric values, so it cannot "
                             "be a quality score", field="quality")
        return -values if self.lower_is_better else values


class LengthScorer:
    """Length of the response in WordPiece tokens (the DPP paper's quality proxy)."""

    spec = "length"

    def __init__(self, field: str = "response") -> None:
        self.field = field

    def columns(self) -> list[str]:
        return [self.field]

    def score(self, frame: pd.DataFrame) -> np.ndarray:
        from core.text import subword_lengths

        texts = require_column(frame, self.field).fillna("").astype(str).tolist()
        return subword_lengths(texts).astype(np.float64)


class WeightedScorer:
    """sum_i w_i * rank_normalize(score_i): parts are put on one scale before mixing."""

    def __init__(self, parts: Sequence[tuple[float, QualityScorer]]) -> None:
        if not parts:
            raise ValueError("a weighted score needs at least one part")
        self.parts = list(parts)
        self.spec = "+".join(f"{_fmt(w)}*{s.spec}" for w, s in self.parts)

    def columns(self) -> list[str]:
        seen: dict[str, None] = {}
        for _, scorer in self.parts:
            seen.update(dict.fromkeys(scorer.columns()))
        return list(seen)

    def score(self, frame: pd.DataFrame) -> np.ndarray:
        total = np.zeros(len(frame), dtype=np.float64)
        for weight, scorer in self.parts:
            total += weight * rank_normalize(scorer.score(frame))
        return total


def _fmt(weight: float) -> str:
    return f"{weight:g}"
