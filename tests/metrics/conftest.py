"""Fixtures for the metrics tests: small synthetic pools and the shared real data."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

SHARED_DATA = (Path(__file__).resolve().parents[2] / ".." / "shared" / "data").resolve()


def require_shared_data(path: Path = SHARED_DATA) -> Path:
    """``path`` if it exists; else fail under CI (env CI set), skip with a reason otherwise."""
    if not path.is_dir():
        message = f"real data missing: {path} (tests read ../shared/data)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return path


@pytest.fixture(scope="session")
def shared_data():
    """Path to ../shared/data: fails under CI when missing, skips with a reason otherwise."""
    return require_shared_data()


def unit_rows(n: int, d: int, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n, d)).astype(np.float32)
    return x / np.linalg.norm(x, axis=1, keepdims=True)


@pytest.fixture
def clustered_pool():
    """400 unit rows in 8 tight clusters of 50 (d = 16) and their labels."""
    rng = np.random.default_rng(1)
    centres = unit_rows(8, 16, seed=2)
    labels = np.repeat(np.arange(8), 50)
    x = centres[labels] + 0.15 * rng.standard_normal((400, 16)).astype(np.float32)
    x /= np.linalg.norm(x, axis=1, keepdims=True)
    return x.astype(np.float32), labels.astype(np.int32)
