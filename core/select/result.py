"""The one result type every selection strategy returns."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np


@dataclass
class SelectionResult:
    """A ranked subset of the pool.

    indices: int64 pool rows in pick order (position = rank).
    gains: float64 marginal gain of each pick under the strategy's objective (same length).
    objective_trace: float64 objective value after each pick (for live curves).
    config: everything needed to reproduce the run (strategy name, parameters, k, seed,
        candidate predicate, quality spec, embedding key...). JSON-serialisable.
    timings: seconds per phase, e.g. {"prepare": 0.01, "select": 0.2, "total": 0.21}.
    stopped_early: a reason string when fewer than k rows could be picked (e.g. a DPP whose
        conditional variance vanished), else None.
    """

    indices: np.ndarray
    gains: np.ndarray
    objective_trace: np.ndarray
    config: dict[str, Any] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)
    stopped_early: str | None = None

    def __post_init__(self) -> None:
        self.indices = np.asarray(self.indices, dtype=np.int64)
        self.gains = np.asarray(self.gains, dtype=np.float64)
        self.objective_trace = np.asarray(self.objective_trace, dtype=np.float64)
        if not (len(self.indices) == len(self.gains) == len(self.objective_trace)):
            raise ValueError("indices, gains and objective_trace must have the same length")

    @property
    def k(self) -> int:
        return int(len(self.indices))

    @property
    def objective(self) -> float:
        return float(self.objective_trace[-1]) if len(self.objective_trace) else 0.0
