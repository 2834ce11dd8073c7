"""TF-IDF + TruncatedSVD (LSA): fast, no model, fitted on the pool itself."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from core.embed.base import l2_normalise
from core.progress import ProgressFn, check_progress


class TfidfSvdEmbedder:
    """Word 1-2-gram TF-IDF (sublinear tf) reduced to ``dim`` components by randomized SVD.

    ``prepare(texts)`` fits on the whole pool (O(nnz * dim)); ``embed`` then transforms any
    texts. Deterministic for a given seed.
    """

    def __init__(self, dim: int = 256, max_features: int = 100_000, seed: int = 0) -> None:
        self.dim = int(dim)
        self.max_features = int(max_features)
        self.seed = int(seed)
        self.name = "tfidf"
        self._pipeline = None

    def config(self) -> dict[str, Any]:
        return {"backend": "tfidf", "dim": self.dim, "max_features": self.max_features,
                "seed": self.seed}

    def prepare(self, texts: Sequence[str]) -> None:
        from sklearn.decomposition import TruncatedSVD
        from sklearn.feature_extraction.text import TfidfVectorizer

        vec = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, min_df=2 if len(texts) > 50
                              else 1, max_features=self.max_features, dtype=np.float32)
        matrix = vec.fit_transform([t or "" for t in texts])
        dim = max(1, min(self.dim, matrix.shape[1] - 1, matrix.shape[0] - 1))
        svd = TruncatedSVD(n_components=dim, random_state=self.seed, algorithm="randomized",
                           n_iter=5)
        svd.fit(matrix)
        self._pipeline = (vec, svd)

    def embed(self, texts: Sequence[str], progress: ProgressFn | None = None) -> np.ndarray:
        if self._pipeline is None:
            self.prepare(texts)
        vec, svd = self._pipeline
        out = svd.transform(vec.transform([t or "" for t in texts])).astype(np.float32)
        out = l2_normalise(out)
        empty = ~out.any(axis=1)
        if empty.any():  # no known term: place such rows at one fixed point
            out[empty, 0] = 1.0
        check_progress(progress, len(texts), len(texts), "embedding")
        return out
