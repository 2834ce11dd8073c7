"""AppTest fixtures: the dashboard on a small pool with a fast embedder, in a temp root."""

from __future__ import annotations

import json

import pytest


@pytest.fixture
def app_env(tmp_path, monkeypatch):
    """Environment for the app: temp workspace root, a tiny demo pool, TF-IDF embeddings."""
    pool = tmp_path / "demo.jsonl"
    topics = {
        "math": ["Add {a} and {b}.", "What is {a} times {b}?", "Subtract {b} from {a}."],
        "code": ["Write a Python function that returns {a} plus {b}.",
                 "Write code printing the number {a}.", "Implement a loop up to {b} in Python."],
        "travel": ["Suggest a trip of {a} days to Spain.", "Plan {b} nights in Rome.",
                   "What to pack for {a} days of hiking?"],
    }
    with pool.open("w") as fh:
        for i in range(120):
            topic = list(topics)[i % 3]
            tmpl = topics[topic][(i // 3) % 3]
            inst = tmpl.format(a=i, b=i % 7 + 1)
            fh.write(json.dumps({"instruction": inst, "input": "",
                                 "output": f"Answer about {topic} number {i}. " * (1 + i % 4),
                                 "category": topic, "score": float(i % 5)}) + "\n")
    monkeypatch.setenv("QDX_WORKSPACE_ROOT", str(tmp_path / "workspaces"))
    monkeypatch.setenv("QDX_DEMO_POOL", str(pool))
    monkeypatch.setenv("QDX_DEMO_MODEL", "tfidf")
    monkeypatch.setenv("QDX_DATA_ROOTS", str(tmp_path))
    monkeypatch.chdir(tmp_path)
    yield tmp_path
    from ui.prefetch import stop_all

    stop_all()  # no background run outlives its test
