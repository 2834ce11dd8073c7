"""The 2-D map: UMAP built from the shared kNN graph, PCA as a fast preview.

UMAP reuses the graph from ``core.neighbors`` through umap-learn's ``precomputed_knn``,
so the map and the selection engine see the same neighbourhoods and the neighbour search
is not done twice. A fixed seed makes the layout reproducible (umap-learn then runs
single-threaded). The layout's settings have one owner, :data:`UMAP`: the workspace's map
cache key and map.json are made from the same object the layout reads, so they cannot drift.
"""

from __future__ import annotations

import warnings
from dataclasses import asdict, astuple, dataclass

import numpy as np

from core.neighbors import KnnGraph
from core.progress import ProgressFn, check_progress

MIN_UMAP_ROWS = 16


@dataclass(frozen=True)
class UmapSettings:
    """UMAP's n_neighbors (capped at the kNN graph's K), min_dist and random seed."""

    n_neighbors: int = 15
    min_dist: float = 0.1
    seed: int = 42

    def key_parts(self) -> tuple:
        """The values a cache key is made from, in field order."""
        return astuple(self)

    def as_dict(self) -> dict:
        return asdict(self)


UMAP = UmapSettings()


def pca_projection(embeddings: np.ndarray, seed: int = 0) -> np.ndarray:
    """First two principal components (n, 2) float32; O(n d^2)."""
    from sklearn.decomposition import PCA

    x = np.asarray(embeddings, dtype=np.float32)
    if x.shape[0] < 2:
        return np.zeros((x.shape[0], 2), dtype=np.float32)
    comps = min(2, x.shape[1], x.shape[0])
    out = PCA(n_components=comps, random_state=seed).fit_transform(x).astype(np.float32)
    if comps < 2:
        out = np.hstack([out, np.zeros((x.shape[0], 2 - comps), dtype=np.float32)])
    return out


def umap_projection(embeddings: np.ndarray, knn: KnnGraph, settings: UmapSettings = UMAP, *,
                    progress: ProgressFn | None = None) -> np.ndarray:
    """UMAP (n, 2) float32 from the precomputed cosine kNN graph, laid out with ``settings``.

    Pools smaller than ``MIN_UMAP_ROWS`` get PCA instead (UMAP needs a neighbourhood).
    """
    x = np.asarray(embeddings, dtype=np.float32)
    n = x.shape[0]
    if n < MIN_UMAP_ROWS:
        return pca_projection(x, settings.seed)
    import umap

    k = max(2, min(settings.n_neighbors, knn.k))
    dists = np.clip(1.0 - knn.sims[:, :k], 0.0, 2.0).astype(np.float32)
    dists[:, 0] = 0.0
    check_progress(progress, 0, 1, "map")
    reducer = umap.UMAP(n_neighbors=k, min_dist=settings.min_dist, metric="cosine",
                        random_state=settings.seed,
                        precomputed_knn=(knn.indices[:, :k].astype(np.int64), dists, None),
                        n_components=2, low_memory=True, verbose=False)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out = reducer.fit_transform(x).astype(np.float32)
    if progress is not None:
        progress(1, 1)
    return out
