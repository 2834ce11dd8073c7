"""Comparing selections: overlap, per-cluster composition, Pareto front (sweeps: core.sweep)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd


def jaccard(a: Sequence[int], b: Sequence[int]) -> float:
    """|A ∩ B| / |A ∪ B| of two sets of pool rows (1.0 for two empty sets)."""
    sa, sb = set(map(int, a)), set(map(int, b))
    union = len(sa | sb)
    return 1.0 if union == 0 else len(sa & sb) / union


def jaccard_matrix(selections: Mapping[str, Sequence[int]]) -> pd.DataFrame:
    """Symmetric table of pairwise Jaccard overlaps, indexed by selection name."""
    names = list(selections)
    out = pd.DataFrame(np.eye(len(names)), index=names, columns=names)
    for i, a in enumerate(names):
        for b in names[i + 1:]:
            out.loc[a, b] = out.loc[b, a] = jaccard(selections[a], selections[b])
    return out


def cluster_coverage(labels: np.ndarray, selections: Mapping[str, Sequence[int]],
                     names: Mapping[int, str] | None = None) -> pd.DataFrame:
    """Long table: for each selection and cluster, rows picked and the share of the
    cluster covered (picked / cluster size)."""
    labels = np.asarray(labels)
    sizes = np.bincount(labels)
    rows = []
    for sel, idx in selections.items():
        picked = np.bincount(labels[np.asarray(idx, dtype=np.int64)], minlength=len(sizes))
        for c, size in enumerate(sizes):
            if size == 0:
                continue
            rows.append({"selection": sel, "cluster": names.get(c, str(c)) if names else str(c),
                         "picked": int(picked[c]), "cluster_size": int(size),
                         "share_covered": float(picked[c] / size)})
    return pd.DataFrame(rows)


def pareto_front(x: Sequence[float], y: Sequence[float]) -> np.ndarray:
    """bool mask of the points not dominated when both x and y are better larger.

    A point is dominated if another has x' >= x and y' >= y with one strictly greater.
    O(p log p).
    """
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    order = np.lexsort((-y, -x))  # by x descending, then y descending
    mask = np.zeros(len(x), dtype=bool)
    best_y = -np.inf
    for i in order:
        if y[i] > best_y:
            mask[i] = True
            best_y = y[i]
    # equal points share the fate of their twin
    for i in np.nonzero(~mask)[0]:
        twins = (x == x[i]) & (y == y[i]) & mask
        if twins.any():
            mask[i] = True
    return mask
