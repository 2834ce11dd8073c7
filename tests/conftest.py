"""Fixtures shared by every test area.

- ``shared_data``: the real pools in ``<repo>/../shared/data``. Missing data fails the test
  when the environment variable ``CI`` is set (CI must not silently skip) and skips it with a
  clear reason otherwise.
- ``tiny_records`` / ``tiny_pool_file`` / ``tiny_workspace``: a small in-memory pool of
  clearly different task families, written as a JSON array, loaded into a fresh workspace and
  embedded with the deterministic ``HashingEmbedder`` (no model, milliseconds).
- ``run_cli``: ``python -m core ...`` in-process, returning (exit code, stdout, stderr).
- ``run_cli_subprocess``: the same in a real subprocess (for "no traceback reaches a user").
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
if str(REPO_ROOT) not in sys.path:  # `pytest` (not `python -m pytest`) leaves cwd off sys.path
    sys.path.insert(0, str(REPO_ROOT))

SHARED_DATA = (REPO_ROOT / ".." / "shared" / "data").resolve()


def require_shared_data() -> Path:
    """The shared data folder; pytest.fail under CI and pytest.skip otherwise when missing."""
    if not SHARED_DATA.is_dir():
        reason = (f"real data folder {SHARED_DATA} (../shared/data beside the repo) is missing")
        if os.environ.get("CI"):
            pytest.fail(reason + "; CI is set, so this is a failure, not a skip")
        pytest.skip(reason + "; set up ../shared/data to run the real-data tests")
    return SHARED_DATA


@pytest.fixture(scope="session")
def shared_data() -> Path:
    return require_shared_data()


@pytest.fixture(scope="session")
def alpaca_5000_tfidf(shared_data, tmp_path_factory):
    """The 5,000-row Alpaca file in a workspace, TF-IDF embedded (instruction): one real
    pool shared by the explain and sweep tests (selections they save have their own names;
    none replaces another's)."""
    from core.embed import create_embedder
    from core.pool import load_pool
    from core.workspace import Workspace

    root = tmp_path_factory.mktemp("alpaca-5000")
    ws = Workspace.create(root / "ws", load_pool(shared_data / "alpaca" / "alpaca_5000.json"))
    ws.embed(create_embedder("tfidf"), "instruction")
    return ws


_FAMILIES = [
    ("Solve the math word problem: a farmer has {a} cows and buys {b} more. How many cows?",
     "The farmer has {a} + {b} = {s} cows.", "math"),
    ("Write a Python function that returns the sum of the first {a} integers.",
     "def total():\n    return sum(range({a} + 1))", "code"),
    ("Translate into French: 'I have {a} red apples and {b} green pears.'",
     "J'ai {a} pommes rouges et {b} poires vertes.", "translation"),
    ("Summarise the following news report about the harbour festival in {a} words.",
     "The harbour festival drew crowds with boats, music and food stalls.", "summarisation"),
    ("Classify the sentiment of this review: 'The hotel room number {a} was dirty and loud.'",
     "Negative", "classification"),
    ("Write a short poem about the ocean at night with {a} lines.",
     "Waves whisper softly under silver moonlight, the tide sings.", "creative"),
]


def make_records(n: int = 48) -> list[dict]:
    """``n`` distinct Alpaca records from six task families, with extra columns.

    Extra columns: ``category`` (the family name, text), ``score`` (int) and ``meta``
    (a nested dict, which the pool stores as JSON text).
    """
    out = []
    for i in range(n):
        inst, resp, family = _FAMILIES[i % len(_FAMILIES)]
        a, b = i + 2, (i * 7) % 11 + 1
        out.append({"instruction": inst.format(a=a, b=b),
                    "input": f"Context number {i}." if i % 4 == 0 else "",
                    "output": resp.format(a=a, b=b, s=a + b),
                    "category": family, "score": i % 5, "meta": {"i": i, "family": family}})
    return out


@pytest.fixture
def tiny_records() -> list[dict]:
    return make_records()


@pytest.fixture
def tiny_pool_file(tmp_path: Path, tiny_records: list[dict]) -> Path:
    """The tiny pool as a JSON array file (``tiny.json``)."""
    path = tmp_path / "tiny.json"
    path.write_text(json.dumps(tiny_records), encoding="utf-8")
    return path


@pytest.fixture
def tiny_workspace(tmp_path: Path, tiny_pool_file: Path):
    """A ``Workspace`` holding the tiny pool, embedded (instruction) with ``HashingEmbedder``."""
    from core.embed import HashingEmbedder
    from core.pool import load_pool
    from core.workspace import Workspace

    ws = Workspace.create(tmp_path / "ws", load_pool(tiny_pool_file))
    ws.embed(HashingEmbedder(), "instruction")
    return ws


@pytest.fixture
def run_cli(capsys) -> Callable[..., tuple[int, str, str]]:
    """Run ``core.cli.main(argv)`` in-process; argparse exits are turned into exit codes."""
    from core.cli import main

    def run(*argv: str | os.PathLike) -> tuple[int, str, str]:
        capsys.readouterr()
        try:
            code = main([str(a) for a in argv])
        except SystemExit as exc:  # argparse usage errors
            code = exc.code if isinstance(exc.code, int) else 2
        out, err = capsys.readouterr()
        return code, out, err

    return run


@pytest.fixture
def run_cli_subprocess(tmp_path: Path) -> Callable[..., subprocess.CompletedProcess]:
    """Run ``python -m core ...`` in a subprocess from the repo root (offline, logs in tmp)."""

    def run(*argv: str | os.PathLike, timeout: float = 120) -> subprocess.CompletedProcess:
        env = {**os.environ, "HF_HUB_OFFLINE": "1", "HF_DATASETS_OFFLINE": "1",
               "QDX_LOG_DIR": str(tmp_path), "PYTHONPATH": str(REPO_ROOT)}
        return subprocess.run([sys.executable, "-m", "core", *map(str, argv)], cwd=REPO_ROOT,
                              env=env, capture_output=True, text=True, timeout=timeout)

    return run
