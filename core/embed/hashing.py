"""A deterministic, model-free embedder for tests and quick looks.

Feature hashing of word unigrams and bigrams (blake2b, so the same text gives the same
vector in every process and on every machine) into ``dim`` signed buckets, log-scaled and
L2-normalised. Texts that share words get similar vectors, which is enough for tests of the
map and of selection to mean something.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import Any

import numpy as np

from core.embed.base import l2_normalise
from core.progress import ProgressFn, check_progress
from core.text import word_tokens


class HashingEmbedder:
    def __init__(self, dim: int = 64, seed: int = 0) -> None:
        self.dim = int(dim)
        self.seed = int(seed)
        self.name = f"hashing-{self.dim}"

    def config(self) -> dict[str, Any]:
        return {"backend": "hashing", "dim": self.dim, "seed": self.seed}

    def _bucket(self, token: str) -> tuple[int, float]:
        h = hashlib.blake2b(f"{self.seed}:{token}".encode(), digest_size=8).digest()
        value = int.from_bytes(h, "little")
        return value % self.dim, 1.0 if (value >> 63) & 1 else -1.0

    def embed(self, texts: Sequence[str], progress: ProgressFn | None = None) -> np.ndarray:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for i, text in enumerate(texts):
            toks = word_tokens(text) or ["<empty>"]
            feats = toks + [a + " " + b for a, b in zip(toks, toks[1:], strict=False)]
            for tok in feats:
                j, sign = self._bucket(tok)
                out[i, j] += sign
            if i % 1000 == 999:
                check_progress(progress, i + 1, len(texts), "embedding")
        out = np.sign(out) * np.log1p(np.abs(out))
        zero = ~out.any(axis=1)
        if zero.any():  # all buckets cancelled out: fall back to the first token's bucket
            for i in np.nonzero(zero)[0]:
                j, sign = self._bucket((word_tokens(texts[i]) or ["<empty>"])[0])
                out[i, j] = sign
        check_progress(progress, len(texts), len(texts), "embedding")
        return l2_normalise(out)
