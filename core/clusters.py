"""Clusters of the pool: k-means on the embeddings or a user label column.

Shared by the cluster-balanced and DaaR strategies, the cluster-entropy metrics and the
map's colouring and labels, so every view of "cluster" means the same partition. The
workspace caches the k-means labels under a key of (embedding key, n_clusters, seed).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd


def default_n_clusters(n: int) -> int:
    """A readable default: about sqrt(n)/3 clusters, between 2 and 40."""
    return int(np.clip(round(np.sqrt(max(n, 1)) / 3), 2, 40)) if n >= 4 else 1


def kmeans_labels(embeddings: np.ndarray, n_clusters: int | None = None, *, seed: int = 0
                  ) -> tuple[np.ndarray, np.ndarray]:
    """k-means on L2-normalised embeddings (n, d).

    Returns (labels int32 of shape (n,), centroids float32 (c, d), L2-normalised so that
    cosine to a centroid is a dot product). Mini-batch k-means past 10,000 rows: O(n d c)
    per pass. Deterministic for a given seed.
    """
    from sklearn.cluster import KMeans, MiniBatchKMeans

    x = np.asarray(embeddings, dtype=np.float32)
    n = x.shape[0]
    c = default_n_clusters(n) if n_clusters is None else int(n_clusters)
    c = max(1, min(c, n))
    if c == 1:
        labels = np.zeros(n, dtype=np.int32)
    elif n <= 10_000:
        km = KMeans(n_clusters=c, n_init=3, random_state=seed).fit(x)
        labels = km.labels_.astype(np.int32)
    else:
        km = MiniBatchKMeans(n_clusters=c, n_init=3, random_state=seed, batch_size=4096,
                             max_iter=50).fit(x)
        labels = km.labels_.astype(np.int32)
    return labels, label_centroids(x, labels, c)


def label_centroids(embeddings: np.ndarray, labels: np.ndarray, n_labels: int | None = None
                    ) -> np.ndarray:
    """Normalised mean embedding of each label 0..n_labels-1 (a zero row for an empty label)."""
    x = np.asarray(embeddings, dtype=np.float32)
    c = int(labels.max()) + 1 if n_labels is None else int(n_labels)
    cent = np.zeros((c, x.shape[1]), dtype=np.float64)
    np.add.at(cent, labels, x)
    norms = np.linalg.norm(cent, axis=1, keepdims=True)
    cent = np.divide(cent, norms, out=np.zeros_like(cent), where=norms > 0)
    return cent.astype(np.float32)


def column_labels(values: Sequence | pd.Series) -> tuple[np.ndarray, list[str]]:
    """Integer codes of a label column (e.g. Dolly's ``category``) and the label names.

    Missing values become their own label "(missing)". Codes follow sorted label order.
    """
    s = pd.Series(values).astype("string").fillna("(missing)")
    names = sorted(s.unique().tolist())
    lookup = {name: i for i, name in enumerate(names)}
    return s.map(lookup).to_numpy(dtype=np.int32), names


def cluster_top_terms(texts: Sequence[str], labels: np.ndarray, n_terms: int = 3,
                      max_features: int = 20_000) -> dict[int, str]:
    """A short name per cluster: its top class-based TF-IDF terms."""
    from sklearn.feature_extraction.text import CountVectorizer

    labels = np.asarray(labels)
    uniq = np.unique(labels)
    vec = CountVectorizer(stop_words="english", max_features=max_features, min_df=2,
                          token_pattern=r"(?u)\b[a-zA-Z][a-zA-Z]+\b")
    try:
        counts = vec.fit_transform([t or "" for t in texts])
    except ValueError:  # empty vocabulary
        return {int(c): f"cluster {int(c)}" for c in uniq}
    vocab = np.asarray(vec.get_feature_names_out())
    import scipy.sparse as sp

    onehot = sp.csr_matrix((np.ones(len(labels)), (np.searchsorted(uniq, labels),
                                                    np.arange(len(labels)))),
                           shape=(len(uniq), len(labels)))
    per = np.asarray((onehot @ counts).todense(), dtype=np.float64)  # (clusters, vocab)
    tf = per / np.maximum(per.sum(axis=1, keepdims=True), 1)
    idf = np.log(1 + len(uniq) / np.maximum((per > 0).sum(axis=0), 1))
    score = tf * idf
    names = {}
    for row, c in enumerate(uniq):
        top = np.argsort(-score[row])[:n_terms]
        terms = [vocab[t] for t in top if score[row, t] > 0]
        names[int(c)] = ", ".join(terms) if terms else f"cluster {int(c)}"
    return names
