"""Helpers of the metrics tests (a uniquely named module: importing ``conftest`` by name
breaks when several test folders have one)."""

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


def unit_rows(n: int, d: int, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n, d)).astype(np.float32)
    return x / np.linalg.norm(x, axis=1, keepdims=True)
