"""Finding rows: text search and nearest neighbours in embedding space."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from core.errors import InputError

SEARCH_FIELDS = ("instruction", "input", "response")


def text_search(frame: pd.DataFrame, query: str, *, fields: tuple[str, ...] = SEARCH_FIELDS,
                regex: bool = False, case: bool = False) -> np.ndarray:
    """Rows (int64, ascending) whose ``fields`` contain ``query`` (substring or regex)."""
    if not query:
        return np.arange(0, dtype=np.int64)
    if regex:
        try:
            re.compile(query)
        except re.error as exc:
            raise InputError(f"invalid regular expression {query!r}: {exc}", field="search"
                             ) from None
    hit = np.zeros(len(frame), dtype=bool)
    for col in fields:
        if col in frame:
            hit |= frame[col].fillna("").str.contains(query, case=case, regex=regex).to_numpy(
                dtype=bool)
    return np.nonzero(hit)[0].astype(np.int64)


def nearest_rows(embeddings: np.ndarray, row: int, n: int = 20, *,
                 block: int = 65_536) -> tuple[np.ndarray, np.ndarray]:
    """The ``n`` rows most cosine-similar to ``row`` (itself excluded), best first.

    Exact: one pass of dot products over the (L2-normalised) matrix in blocks, O(n d).
    Returns (rows int64, cosine float32).
    """
    total = embeddings.shape[0]
    if not 0 <= row < total:
        raise InputError(f"row {row} is outside the pool (0..{total - 1})", field="row")
    q = np.asarray(embeddings[row], dtype=np.float32)
    sims = np.empty(total, dtype=np.float32)
    for start in range(0, total, block):
        sims[start:start + block] = np.asarray(embeddings[start:start + block]) @ q
    sims[row] = -np.inf
    n = max(0, min(n, total - 1))
    top = np.argpartition(-sims, n - 1)[:n] if n else np.arange(0)
    top = top[np.argsort(-sims[top], kind="stable")]
    return top.astype(np.int64), sims[top]
