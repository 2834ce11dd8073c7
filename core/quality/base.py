"""The quality protocol and rank normalisation.

A quality scorer turns the pool table into one float per row, higher is better. NaN means
"unknown" and ranks below every known value. Before a score meets a selection objective it
is rank-normalised to [0, 1] (:func:`rank_normalize`), so scorers with different units
(tokens, ratings, heuristics) mean the same thing to every strategy and combine linearly.
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

import numpy as np
import pandas as pd


@runtime_checkable
class QualityScorer(Protocol):
    """Scores pool rows; ``spec`` is the canonical spec string that rebuilds the scorer."""

    spec: str

    def columns(self) -> list[str]:
        """The pool columns ``score`` reads."""
        ...

    def score(self, frame: pd.DataFrame) -> np.ndarray:
        """float64 (len(frame),), higher is better, NaN for unknown."""
        ...


def rank_normalize(values: np.ndarray) -> np.ndarray:
    """Ranks scaled to [0, 1]: (rank - 1) / (n - 1), ties share their average rank.

    The worst row gets 0 and the best 1; NaN ranks below everything (all NaNs tie); a
    constant score gives 0.5 everywhere; a single row gets 1. O(n log n).
    """
    v = np.asarray(values, dtype=np.float64).copy()
    n = len(v)
    if n == 0:
        return v
    if n == 1:
        return np.ones(1)
    v[np.isnan(v)] = -np.inf
    return (average_ranks(v) - 1.0) / (n - 1.0)


def average_ranks(values: np.ndarray) -> np.ndarray:
    """1-based ranks with ties sharing their average rank (scipy's rankdata "average")."""
    order = np.argsort(values, kind="mergesort")
    ordered = values[order]
    starts = np.flatnonzero(np.concatenate([[True], ordered[1:] != ordered[:-1]]))
    ends = np.append(starts[1:], len(values))  # exclusive
    group_rank = (starts + 1 + ends) / 2.0  # mean of ranks starts+1 .. ends
    ranks = np.empty(len(values), dtype=np.float64)
    ranks[order] = np.repeat(group_rank, ends - starts)
    return ranks
