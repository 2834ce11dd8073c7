"""Selection metrics on a sharded pool by map-reduce, equal to core.metrics' single-machine ones.

- :func:`sharded_coverage`: facility-location coverage FL(A) = (1/n) sum_v min(1, max(0,
  max_{a in A} cos(v, a))) (``core.metrics.embedding.facility_location_coverage``) and the
  k-center radius max_v (1 - max_a cos(v, a)). Map: a block of pool rows -> (sum of clipped
  max similarity, max distance); reduce: sum and max. O(n k d) time, O(block k) memory
  per task.
- :func:`sharded_cluster_entropy`: the entropy of the selection over the pool's clusters
  (``core.metrics.cluster.cluster_entropy``: entropy, ratio, empty, empty_share). Clusters
  are the nearest of ``centroids`` (k-means fitted on a uniform sample, see
  :func:`sample_centroids`) or a given label array. Map: a block -> (pool count per
  cluster, selection count per cluster); reduce: sum. No process holds a label per row
  unless ``labels`` was given.
"""

from __future__ import annotations

import numpy as np

from core.distributed.executor import Executor
from core.distributed.objective import CHUNK_FLOATS, evaluation_items
from core.distributed.shards import MatrixSource, check_rows_fit
from core.metrics.cluster import entropy_from_counts
from core.metrics.embedding import check_selection


def coverage_block(item, *, source: MatrixSource, pick_vectors: np.ndarray
                   ) -> tuple[float, float, int]:
    """(sum of clipped max cosine, max cosine distance, rows) over one block of rows."""
    rows = np.arange(*item, dtype=np.int64) if isinstance(item, tuple) else item
    picks_t = np.ascontiguousarray(pick_vectors.T)
    chunk = max(64, CHUNK_FLOATS // max(1, pick_vectors.shape[0]))
    total, far = 0.0, 0.0
    for start in range(0, len(rows), chunk):
        best = (source.take(rows[start:start + chunk]) @ picks_t).max(axis=1)
        best = best.astype(np.float64)
        total += float(np.clip(best, 0.0, 1.0).sum())
        far = max(far, float(np.clip(1.0 - best, 0.0, 2.0).max()))
    return total, far, len(rows)


def sharded_coverage(source: MatrixSource, indices, *, executor: Executor,
                     sample_rows: int | None = None, seed: int = 0) -> dict[str, float]:
    """{"coverage": FL(A), "radius": k-center radius} of the selection ``indices``.

    With ``sample_rows`` the pass covers a seeded uniform sample (coverage unbiased,
    radius a lower bound).
    """
    idx = check_selection(indices, source.n)
    check_rows_fit(len(idx), "the selection's vectors", "evaluate a smaller selection")
    order = np.argsort(idx)
    vectors = np.empty((len(idx), source.dim), dtype=np.float32)
    vectors[order] = source.take(idx[order])
    items, _ = evaluation_items(source.n, executor.parallelism(), sample_rows, seed)
    parts = executor.map(coverage_block, items,
                         shared={"source": source, "pick_vectors": vectors})
    rows = sum(p[2] for p in parts)
    return {"coverage": sum(p[0] for p in parts) / rows, "radius": max(p[1] for p in parts)}


def sample_centroids(source: MatrixSource, n_clusters: int | None = None, *,
                     sample_rows: int = 50_000, seed: int = 0) -> np.ndarray:
    """k-means centroids (c, d) fitted on a seeded uniform sample of the pool's rows."""
    from core.clusters import default_n_clusters, kmeans_labels

    n = source.n
    rows = np.sort(np.random.default_rng(seed).choice(n, min(n, sample_rows), replace=False))
    c = default_n_clusters(n) if n_clusters is None else int(n_clusters)
    _, centroids = kmeans_labels(source.take(rows), c, seed=seed)
    return centroids


def cluster_count_block(item, *, selected: np.ndarray, n_clusters: int,
                        source: MatrixSource | None = None,
                        centroids: np.ndarray | None = None,
                        labels: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """(pool counts, selection counts) per cluster over one block of rows."""
    rows = np.arange(*item, dtype=np.int64) if isinstance(item, tuple) else item
    if labels is not None:
        lab = np.asarray(labels[rows], dtype=np.int64)
    else:
        lab = np.empty(len(rows), dtype=np.int64)
        cent_t = np.ascontiguousarray(np.asarray(centroids, dtype=np.float32).T)
        for start in range(0, len(rows), 8192):
            part = rows[start:start + 8192]
            lab[start:start + len(part)] = (source.take(part) @ cent_t).argmax(axis=1)
    picked = lab[np.isin(rows, selected, assume_unique=True)]
    return (np.bincount(lab, minlength=n_clusters), np.bincount(picked, minlength=n_clusters))


def sharded_cluster_entropy(source: MatrixSource, indices, *, executor: Executor,
                            centroids: np.ndarray | None = None,
                            labels: np.ndarray | None = None) -> dict[str, float]:
    """Cluster entropy of the selection; clusters from ``centroids`` or ``labels``."""
    idx = np.sort(check_selection(indices, source.n))
    if (centroids is None) == (labels is None):
        raise ValueError("give exactly one of centroids and labels")
    if labels is not None:
        c = int(np.max(labels)) + 1
        shared = {"labels": np.asarray(labels)}
    else:
        c = int(np.asarray(centroids).shape[0])
        shared = {"source": source, "centroids": np.asarray(centroids, dtype=np.float32)}
    items, _ = evaluation_items(source.n, executor.parallelism(), None, 0)
    parts = executor.map(cluster_count_block, items,
                         shared={**shared, "selected": idx, "n_clusters": c})
    pool = np.sum([p[0] for p in parts], axis=0)
    sel = np.sum([p[1] for p in parts], axis=0)
    return entropy_from_counts(pool, sel)
