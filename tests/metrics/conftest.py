"""Fixtures for the metrics tests: small synthetic pools and the shared real data."""

from __future__ import annotations

import numpy as np
import pytest
from metrics_helpers import require_shared_data, unit_rows


@pytest.fixture(scope="session")
def shared_data():
    """Path to ../shared/data: fails under CI when missing, skips with a reason otherwise."""
    return require_shared_data()


@pytest.fixture
def clustered_pool():
    """400 unit rows in 8 tight clusters of 50 (d = 16) and their labels."""
    rng = np.random.default_rng(1)
    centres = unit_rows(8, 16, seed=2)
    labels = np.repeat(np.arange(8), 50)
    x = centres[labels] + 0.15 * rng.standard_normal((400, 16)).astype(np.float32)
    x /= np.linalg.norm(x, axis=1, keepdims=True)
    return x.astype(np.float32), labels.astype(np.int32)
