"""Cluster / domain diversity of a selection.

Clusters are any partition of the pool given as integer labels 0..c-1: k-means on the
embeddings (``core.clusters.kmeans_labels``) or a label column such as Dolly's
``category`` (``core.clusters.column_labels``). Entropies are in nats.
"""

from __future__ import annotations

import numpy as np

from core.errors import InputError


def cluster_counts(labels: np.ndarray, indices=None, n_clusters: int | None = None
                   ) -> np.ndarray:
    """How many selected rows fall in each cluster: (c,) int64 (all rows if indices None)."""
    lab = np.asarray(labels)
    if lab.ndim != 1 or (lab.size and lab.min() < 0):
        raise InputError("expected 1-D non-negative integer cluster labels", field="labels")
    c = int(lab.max()) + 1 if n_clusters is None else int(n_clusters)
    picked = lab if indices is None else lab[np.asarray(indices, dtype=np.int64)]
    return np.bincount(picked, minlength=c).astype(np.int64)


def entropy_of_counts(counts: np.ndarray) -> float:
    """Shannon entropy H = -sum p log p (nats) of a count vector; 0 for an empty one."""
    c = np.asarray(counts, dtype=np.float64)
    total = c.sum()
    if total <= 0:
        return 0.0
    p = c[c > 0] / total
    return float(-(p * np.log(p)).sum())


def cluster_entropy(labels: np.ndarray, indices=None) -> dict[str, float]:
    """Entropy of the selection over the pool's clusters, its ratio to the maximum, empties.

    Returns {"entropy": H, "ratio": H / log(min(C, m)), "empty": number of clusters that
    hold pool rows but no selected row, "empty_share": empty / C}, where C is the number of
    non-empty clusters of the pool and m the selection size: log(min(C, m)) is the largest
    entropy a selection of m rows can reach (ratio 1 = perfectly balanced). ratio is 1 when
    that maximum is 0 (one cluster or one row).
    """
    pool_counts = cluster_counts(labels)
    return entropy_from_counts(pool_counts, cluster_counts(labels, indices, pool_counts.size))


def entropy_from_counts(pool_counts: np.ndarray, sel_counts: np.ndarray) -> dict[str, float]:
    """:func:`cluster_entropy`'s record from per-cluster counts of the pool and the selection
    (the distributed mode reduces shards to these counts)."""
    present = pool_counts > 0
    n_present = int(present.sum())
    m = int(sel_counts.sum())
    h = entropy_of_counts(sel_counts)
    h_max = float(np.log(max(1, min(n_present, m))))
    empty = int((present & (sel_counts == 0)).sum())
    return {"entropy": h, "ratio": h / h_max if h_max > 0 else 1.0, "empty": float(empty),
            "empty_share": empty / max(1, n_present)}


def cluster_entropy_trace(labels: np.ndarray, indices, ks) -> np.ndarray:
    """Cluster entropy (nats) of the first k picks for each k in ``ks``: O(m + len(ks) C)."""
    lab = np.asarray(labels)
    idx = np.asarray(indices, dtype=np.int64)
    c = int(lab.max()) + 1
    onehot_cum = np.zeros(c, dtype=np.int64)
    out = np.empty(len(ks), dtype=np.float64)
    done = 0
    for pos, k in enumerate(ks):
        np.add.at(onehot_cum, lab[idx[done:k]], 1)
        done = k
        out[pos] = entropy_of_counts(onehot_cum)
    return out


def domain_diversity(embeddings: np.ndarray, labels: np.ndarray, centroids: np.ndarray,
                     indices=None) -> dict[str, float]:
    """DaaR's inter- and intra-domain diversity, averaged over the selection.

    For x in domain k (its label) with unit domain centroids C_j:
    inter(x) = sum_{j != k} cos(x, C_j), intra(x) = cos(x, C_k), as in the paper (a sum,
    so inter grows with the number of domains). O(m c d).
    """
    x = np.asarray(embeddings)
    lab = np.asarray(labels)
    cent = np.asarray(centroids, dtype=np.float32)
    if cent.ndim != 2 or cent.shape[1] != x.shape[1] or lab.max() >= cent.shape[0]:
        raise InputError("centroids must be (c, d) with a row for every label",
                         field="centroids")
    rows = np.arange(x.shape[0]) if indices is None else np.asarray(indices, dtype=np.int64)
    inter_sum = 0.0
    intra_sum = 0.0
    for start in range(0, rows.size, 16384):
        chunk = rows[start:start + 16384]
        sims = np.asarray(x[chunk], dtype=np.float32) @ cent.T
        own = sims[np.arange(chunk.size), lab[chunk]].astype(np.float64)
        intra_sum += own.sum()
        inter_sum += sims.sum(dtype=np.float64) - own.sum()
    return {"inter": inter_sum / rows.size, "intra": intra_sum / rows.size}
