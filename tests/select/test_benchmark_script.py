"""benchmarks/select.py shares its name with the standard library's ``select``; sibling
scripts that run with benchmarks/ first on sys.path must still get the real module."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_import_select_from_the_benchmarks_folder_gives_the_stdlib_module():
    code = ("import sys; sys.path.insert(0, 'benchmarks'); import select, selectors, subprocess;"
            " assert hasattr(select, 'poll') and not hasattr(select, 'STRATEGY_RUNS');"
            " print(select.__name__)")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                         text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "select"


def test_benchmark_help_runs():
    out = subprocess.run([sys.executable, "benchmarks/select.py", "--help"], cwd=ROOT,
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert "--synthetic" in out.stdout and "--workspace" in out.stdout
