"""Synthetic pools shared by the test packages, imported as ``tests.synthetic``.

Plain functions, not fixtures: importing them with ``from conftest import ...`` picked up
whichever conftest pytest had loaded first, so two test folders could not both do it.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

WORDS = ("river mountain apple quantum violin harbor lantern meadow copper falcon glacier "
         "orchard saddle thunder velvet canyon ember walnut prism tundra").split()


def clustered_unit_vectors(n: int, d: int, n_centers: int, seed: int, noise: float = 0.35
                           ) -> np.ndarray:
    """Unit vectors around ``n_centers`` random centres (noise 1.0: overlapping clusters)."""
    rng = np.random.default_rng(seed)
    centers = rng.normal(size=(n_centers, d))
    x = centers[rng.integers(0, n_centers, n)] + noise * rng.normal(size=(n, d))
    return (x / np.linalg.norm(x, axis=1, keepdims=True)).astype(np.float32)


def synthetic_texts(n: int, seed: int) -> list[str]:
    rng = np.random.default_rng(seed)
    return [" ".join(rng.choice(WORDS, size=int(rng.integers(5, 25)))) for _ in range(n)]


def instruction_records(n: int, seed: int) -> list[dict]:
    rng = np.random.default_rng(seed)
    return [{"instruction": " ".join(rng.choice(WORDS, int(rng.integers(3, 12)))) + f" #{i}",
             "input": "" if i % 3 else f"context {i}",
             "output": " ".join(rng.choice(WORDS, int(rng.integers(4, 20)))),
             "rating": int(i % 5)} for i in range(n)]


def write_jsonl(path: Path, records: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


def exact_traces(source, strategy, params, sets, quality=None, candidates=None):
    """Whole-pool objective traces of ``sets`` computed in-process (core.distributed)."""
    from core.distributed.executor import InProcessExecutor
    from core.distributed.objective import pool_objective_traces

    traces, _ = pool_objective_traces(source, strategy, params, sets, quality=quality,
                                      candidates=candidates, executor=InProcessExecutor())
    return traces


def brute_coverage_trace(x, picks):
    """Mean clipped facility-location coverage after each pick, by brute force."""
    sims = np.clip(x @ x[picks].T, 0.0, 1.0)
    return np.maximum.accumulate(sims, axis=1).sum(axis=0) / len(x)
