"""k-means clusters of the embeddings and label columns, shared by strategies, metrics and
the map."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.metrics import adjusted_rand_score

from core.clusters import (
    cluster_top_terms,
    column_labels,
    default_n_clusters,
    kmeans_labels,
    label_centroids,
)


def clustered(n: int, d: int = 16, centres: int = 5, noise: float = 0.1, seed: int = 0):
    rng = np.random.default_rng(seed)
    c = rng.normal(size=(centres, d))
    labels = rng.integers(0, centres, size=n)
    x = c[labels] + noise * rng.normal(size=(n, d))
    return (x / np.linalg.norm(x, axis=1, keepdims=True)).astype(np.float32), labels


@pytest.mark.parametrize("n, expected", [(0, 1), (1, 1), (3, 1), (4, 2), (100, 3), (900, 10),
                                         (10_000, 33), (1_000_000, 40)])
def test_default_n_clusters(n, expected):
    assert default_n_clusters(n) == expected


def test_kmeans_recovers_clusters_and_is_deterministic():
    x, truth = clustered(400)
    labels, centroids = kmeans_labels(x, 5, seed=0)
    assert labels.dtype == np.int32 and labels.shape == (400,)
    assert centroids.dtype == np.float32 and centroids.shape == (5, 16)
    np.testing.assert_allclose(np.linalg.norm(centroids, axis=1), 1.0, atol=1e-5)
    assert adjusted_rand_score(truth, labels) > 0.95
    again, _ = kmeans_labels(x, 5, seed=0)
    assert np.array_equal(labels, again)


def test_kmeans_minibatch_path_for_large_pools():
    x, truth = clustered(10_050, d=8, noise=0.05)
    labels, centroids = kmeans_labels(x, 5, seed=0)
    assert labels.shape == (10_050,) and centroids.shape == (5, 8)
    assert adjusted_rand_score(truth, labels) > 0.9


def test_kmeans_edge_cases():
    x, _ = clustered(6)
    labels, cent = kmeans_labels(x, 50)
    assert len(np.unique(labels)) <= 6 and cent.shape[0] == 6  # capped at n
    labels, cent = kmeans_labels(x, 1)
    assert (labels == 0).all() and cent.shape == (1, 16)
    labels, _ = kmeans_labels(x)  # default count
    assert labels.max() < default_n_clusters(6)


def test_label_centroids_with_an_empty_label():
    x = np.array([[1, 0], [1, 0], [0, 1]], dtype=np.float32)
    cent = label_centroids(x, np.array([0, 0, 2]), 4)
    np.testing.assert_allclose(cent, [[1, 0], [0, 0], [0, 1], [0, 0]])


def test_column_labels_sorted_with_missing():
    codes, names = column_labels(["qa", None, "code", "qa", np.nan])
    assert names == ["(missing)", "code", "qa"]
    assert codes.tolist() == [2, 0, 1, 2, 0]
    assert codes.dtype == np.int32


def test_cluster_top_terms_names_each_topic():
    texts = (["bake the chocolate cake with flour and sugar"] * 5
             + ["compile the python program and fix the bug"] * 5)
    labels = np.array([0] * 5 + [1] * 5)
    names = cluster_top_terms(texts, labels, n_terms=3)
    assert set(names) == {0, 1}
    assert any(w in names[0] for w in ("cake", "chocolate", "flour", "sugar", "bake"))
    assert any(w in names[1] for w in ("python", "program", "compile", "bug", "fix"))
    assert "cake" not in names[1]


def test_cluster_top_terms_without_vocabulary():
    assert cluster_top_terms(["!!", "??"], np.array([3, 7])) == {3: "cluster 3", 7: "cluster 7"}
