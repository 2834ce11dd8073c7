"""Each pick's gain split into a coverage part and a quality part.

The gain is the score a pick won with at its step (``SelectionResult.gains``; each
strategy's docstring defines it). ``quality_part`` is the term that comes from the quality
score q (rank-normalised to [0, 1]; all ones when the selection used no score), as the
strategy itself declares it (``Strategy.gain_quality_part``, next to its gain), and
``coverage_part = gain - quality_part`` the rest, so the two always sum to the gain:

- qdit: gain = (1 - alpha) * D_t + alpha * q  ->  quality_part = alpha * q;
- dpp: gain = theta * log q + (1 - theta) * log d^2  ->  quality_part = theta * log q;
- kcenter: gain = w * dist, w = (1 - beta) + beta * q  ->  quality_part = beta * q * dist;
- quality, deita, random: gain = q  ->  quality_part = gain;
- the others (cluster_balanced, token_coverage, daar, and any strategy that declares
  nothing): no quality term  ->  quality_part = 0.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from core.errors import InputError


def gain_parts(config: dict[str, Any], gains: np.ndarray, rows: np.ndarray,
               quality: np.ndarray | None, n: int) -> tuple[np.ndarray, np.ndarray]:
    """(coverage_part, quality_part), float64 (k,), for picks ``rows`` with ``gains``.

    ``config``: the result's config (strategy and params rebuild the strategy);
    ``quality``: the run's rank-normalised score per pool row, or None (then q = 1).
    A strategy no longer registered has quality_part 0.
    """
    from core.select.registry import get_strategy

    gains = np.asarray(gains, dtype=np.float64)
    rows = np.asarray(rows, dtype=np.int64)
    q = np.ones(n) if quality is None else np.asarray(quality, dtype=np.float64)
    try:
        strategy = get_strategy(str(config.get("strategy", "")), **(config.get("params") or {}))
    except InputError:
        return gains.copy(), np.zeros(len(rows))
    quality_part = np.asarray(strategy.gain_quality_part(gains, rows, q), dtype=np.float64)
    return gains - quality_part, quality_part
