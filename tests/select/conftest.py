"""Fixtures for the selection tests: small in-memory pools (``shared_data`` comes from
tests/conftest.py)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from core.select import SelectionContext


def clustered_unit_vectors(n: int, d: int, n_centers: int, seed: int, noise: float = 0.35
                           ) -> np.ndarray:
    rng = np.random.default_rng(seed)
    centers = rng.normal(size=(n_centers, d))
    x = centers[rng.integers(0, n_centers, n)] + noise * rng.normal(size=(n, d))
    return (x / np.linalg.norm(x, axis=1, keepdims=True)).astype(np.float32)


def synthetic_texts(n: int, seed: int) -> list[str]:
    rng = np.random.default_rng(seed)
    words = ("river mountain apple quantum violin harbor lantern meadow copper falcon "
             "glacier orchard saddle thunder velvet canyon ember walnut prism tundra").split()
    return [" ".join(rng.choice(words, size=int(rng.integers(5, 25)))) for _ in range(n)]


@pytest.fixture(scope="session")
def small_ctx() -> SelectionContext:
    """120 clustered rows (d = 12) with quality, labels and texts: every strategy runs."""
    n = 120
    x = clustered_unit_vectors(n, 12, 5, seed=0)
    rng = np.random.default_rng(1)
    return SelectionContext(embeddings=x, quality=rng.random(n),
                            labels=rng.integers(0, 4, n), texts=synthetic_texts(n, 2))


def write_jsonl(path: Path, records: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path
