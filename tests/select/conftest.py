"""Fixtures for the selection tests: small in-memory pools (``shared_data`` comes from
tests/conftest.py)."""

from __future__ import annotations

import numpy as np
import pytest

from core.select import SelectionContext
from tests.synthetic import clustered_unit_vectors, synthetic_texts


@pytest.fixture(scope="session")
def small_ctx() -> SelectionContext:
    """120 clustered rows (d = 12) with quality, labels and texts: every strategy runs."""
    n = 120
    x = clustered_unit_vectors(n, 12, 5, seed=0)
    rng = np.random.default_rng(1)
    return SelectionContext(embeddings=x, quality=rng.random(n),
                            labels=rng.integers(0, 4, n), texts=synthetic_texts(n, 2))


