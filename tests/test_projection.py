"""The 2-D map: UMAP from the precomputed kNN graph (faithful and reproducible with its
seed), PCA as the preview and as the fallback for tiny pools."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.manifold import trustworthiness

from core.errors import CancelledError, InputError
from core.neighbors import build_knn_graph
from core.projection import MIN_UMAP_ROWS, UmapSettings, pca_projection, umap_projection


def clustered(n: int = 600, d: int = 32, centres: int = 8, noise: float = 0.15, seed: int = 0):
    rng = np.random.default_rng(seed)
    c = rng.normal(size=(centres, d))
    labels = np.arange(n) % centres
    x = c[labels] + noise * rng.normal(size=(n, d))
    return (x / np.linalg.norm(x, axis=1, keepdims=True)).astype(np.float32), labels


@pytest.fixture(scope="module")
def umap_case():
    x, labels = clustered()
    graph = build_knn_graph(x, k=32, method="exact")
    return x, labels, graph, umap_projection(x, graph)


def test_umap_is_faithful(umap_case):
    x, labels, _, y = umap_case
    assert y.shape == (600, 2) and y.dtype == np.float32 and np.isfinite(y).all()
    assert trustworthiness(x, y, n_neighbors=10, metric="cosine") >= 0.9
    # Clusters stay together: each point's nearest 2-D neighbour shares its cluster.
    d2 = ((y[:, None, :] - y[None, :, :]) ** 2).sum(-1)
    np.fill_diagonal(d2, np.inf)
    assert (labels[d2.argmin(axis=1)] == labels).mean() > 0.95


def test_umap_is_deterministic_with_its_seed(umap_case):
    x, _, graph, y = umap_case
    assert np.array_equal(umap_projection(x, graph), y)
    assert not np.allclose(umap_projection(x, graph, UmapSettings(seed=7)), y)


def test_umap_progress_and_cancel(umap_case):
    x, _, graph, _ = umap_case
    with pytest.raises(CancelledError):
        umap_projection(x, graph, progress=lambda d, t: False)


def test_tiny_pools_fall_back_to_pca():
    x, _ = clustered(n=MIN_UMAP_ROWS - 1, d=8)
    graph = build_knn_graph(x, k=32)
    y = umap_projection(x, graph)
    assert y.shape == (MIN_UMAP_ROWS - 1, 2)
    np.testing.assert_allclose(y, pca_projection(x), atol=1e-6)


def test_pca_projection_shapes_and_edge_cases():
    x, labels = clustered(n=200, d=16)
    y = pca_projection(x)
    assert y.shape == (200, 2) and y.dtype == np.float32
    assert np.array_equal(pca_projection(x), y)
    assert trustworthiness(x, y, n_neighbors=5) > 0.7
    assert pca_projection(x[:1]).tolist() == [[0.0, 0.0]]
    one_dim = pca_projection(np.arange(6, dtype=np.float32).reshape(6, 1))
    assert one_dim.shape == (6, 2) and (one_dim[:, 1] == 0).all()
    two = pca_projection(x[:2])
    assert two.shape == (2, 2) and np.isfinite(two).all()


def test_workspace_map_for_a_tiny_pool(tiny_workspace):
    ws = tiny_workspace
    umap_coords = ws.build_map("umap")
    pca_coords = ws.build_map("pca")
    assert umap_coords.shape == pca_coords.shape == (ws.n_rows, 2)
    assert ws.info()["mapped"] is True
    assert np.array_equal(ws.map_coords("pca"), pca_coords)
    with pytest.raises(InputError, match="unknown map method 'tsne'"):
        ws.build_map("tsne")
