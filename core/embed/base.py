"""The ``Embedder`` protocol and the checks every embedding matrix passes."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol, runtime_checkable

import numpy as np

from core.progress import ProgressFn


@runtime_checkable
class Embedder(Protocol):
    """Texts in, L2-normalised float32 (len(texts), dim) out.

    ``name`` identifies the model for people; ``config()`` holds everything that changes the
    vectors (it goes into the artifact key, so changing any of it recomputes). Embedders fit
    on the corpus (TF-IDF) also have ``prepare(all_texts)``, called once before ``embed``.
    ``progress(done, total)`` may return False to cancel.
    """

    name: str

    def config(self) -> dict[str, Any]: ...

    def embed(self, texts: Sequence[str], progress: ProgressFn | None = None) -> np.ndarray: ...


def l2_normalise(x: np.ndarray) -> np.ndarray:
    """Rows scaled to unit length (float32). Zero rows stay zero: callers decide what that means."""
    x = np.asarray(x, dtype=np.float32)
    norms = np.linalg.norm(x, axis=1, keepdims=True)
    return np.divide(x, norms, out=np.zeros_like(x), where=norms > 0)

