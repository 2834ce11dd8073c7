"""A hand-made judged pool for the learned-quality, import and agreement tests."""

from __future__ import annotations

import json

import numpy as np
import pytest


def judged_records(n: int = 120, seed: int = 0) -> list[dict]:
    """``n`` distinct rows; even rows are "good" (long, on-topic answers), odd rows "bad"
    (short answers). ``good`` = 1/0 (judge), ``long_score`` agrees with it, ``anti`` is its
    opposite, ``rating`` is 1-5 increasing with goodness."""
    rng = np.random.default_rng(seed)
    topics = ["ocean", "forest", "desert", "city", "river", "mountain", "island", "valley"]
    out = []
    for i in range(n):
        topic = topics[i % len(topics)]
        good = i % 2 == 0
        words = " ".join(rng.choice(["calm", "wide", "old", "green", "quiet", "bright"], 3))
        response = (f"The {topic} is {words}. It has many features worth describing in detail, "
                    f"including its history, climate and the life it supports, item {i}."
                    if good else f"{topic} {i}.")
        out.append({"instruction": f"Describe the {topic} number {i} in a few sentences.",
                    "input": "", "output": response, "good": int(good),
                    "long_score": float(good) + rng.random() * 0.5,
                    "anti": float(not good) + rng.random() * 0.5,
                    "rating": (3 + 2 * good - int(rng.integers(0, 2)))})
    return out


@pytest.fixture
def judged_workspace(tmp_path):
    """A workspace of :func:`judged_records` embedded with the hashing embedder."""
    from core.embed import HashingEmbedder
    from core.pool import load_pool
    from core.workspace import Workspace

    path = tmp_path / "judged.json"
    path.write_text(json.dumps(judged_records()), encoding="utf-8")
    ws = Workspace.create(tmp_path / "ws", load_pool(path))
    ws.embed(HashingEmbedder(), "both")
    return ws
