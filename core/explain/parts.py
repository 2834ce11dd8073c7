"""Each pick's gain split into a coverage part and a quality part, and the score any row
would have had at a run's last step ("missed by").

The gain is the score a pick won with at its step (``SelectionResult.gains``; each
strategy's docstring defines it). ``quality_part`` is the term that comes from the quality
score q (rank-normalised to [0, 1]; all ones when the selection used no score) and
``coverage_part = gain - quality_part`` the rest, so the two always sum to the gain:

- qdit: gain = (1 - alpha) * D_t + alpha * q  ->  quality_part = alpha * q
  (D_t = g / G_t in "relative" mode, g / n in "mean", g in "sum");
- dpp: gain = theta * log q + (1 - theta) * log d^2  ->  quality_part = theta * log q
  (q floored at ``quality_floor``, as the strategy does);
- kcenter: gain = w * dist with w = (1 - beta) + beta * q  ->  quality_part = beta * q * dist
  (the share of the weighted distance the quality adds);
- quality, deita, random: gain = q  ->  quality_part = gain;
- cluster_balanced, token_coverage, daar: no quality term  ->  quality_part = 0.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

QualityPart = Callable[[np.ndarray, np.ndarray, np.ndarray, dict[str, Any]], np.ndarray]


def _qdit(gains: np.ndarray, rows: np.ndarray, q: np.ndarray, params: dict) -> np.ndarray:
    return float(params.get("alpha", 0.5)) * q[rows]


def _dpp(gains: np.ndarray, rows: np.ndarray, q: np.ndarray, params: dict) -> np.ndarray:
    theta = float(params.get("lam", 0.5))
    return theta * np.log(np.maximum(q[rows], float(params.get("quality_floor", 1e-6))))


def _kcenter(gains: np.ndarray, rows: np.ndarray, q: np.ndarray, params: dict) -> np.ndarray:
    beta = float(params.get("quality_weight", 0.0))
    weight = (1.0 - beta) + beta * q[rows]
    share = np.divide(beta * q[rows], weight, out=np.zeros(len(rows)), where=weight > 0)
    return gains * share


def _all_quality(gains: np.ndarray, rows: np.ndarray, q: np.ndarray, params: dict
                 ) -> np.ndarray:
    return np.asarray(gains, dtype=np.float64).copy()


def _no_quality(gains: np.ndarray, rows: np.ndarray, q: np.ndarray, params: dict) -> np.ndarray:
    return np.zeros(len(rows))


QUALITY_PARTS: dict[str, QualityPart] = {
    "qdit": _qdit, "dpp": _dpp, "kcenter": _kcenter,
    "quality": _all_quality, "deita": _all_quality, "random": _all_quality,
    "cluster_balanced": _no_quality, "token_coverage": _no_quality, "daar": _no_quality,
}


def gain_parts(config: dict[str, Any], gains: np.ndarray, rows: np.ndarray,
               quality: np.ndarray | None, n: int) -> tuple[np.ndarray, np.ndarray]:
    """(coverage_part, quality_part), float64 (k,), for picks ``rows`` with ``gains``.

    ``quality``: the run's rank-normalised score per pool row, or None (then q = 1).
    """
    strategy = str(config.get("strategy", ""))
    rule = QUALITY_PARTS.get(strategy, _no_quality)
    q = np.ones(n) if quality is None else np.asarray(quality, dtype=np.float64)
    gains = np.asarray(gains, dtype=np.float64)
    quality_part = rule(gains, np.asarray(rows, dtype=np.int64), q, config.get("params") or {})
    return gains - quality_part, quality_part
