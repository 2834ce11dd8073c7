"""The seam between engine and UI is enforced, not just promised."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _ruff_banned_import(path: str) -> subprocess.CompletedProcess:
    """ruff's TID251 on ``import streamlit`` as if it were the file ``path`` (read from
    stdin: nothing is written into the source tree)."""
    return subprocess.run([sys.executable, "-m", "ruff", "check", "--no-cache", "--select",
                           "TID251", "--stdin-filename", path, "-"], cwd=ROOT,
                          input="import streamlit\n", capture_output=True, text=True)


def test_ruff_bans_streamlit_inside_core():
    out = _ruff_banned_import("core/_probe_banned_import.py")
    assert out.returncode == 1
    assert "TID251" in out.stdout and "streamlit" in out.stdout
    # ... and only there: the dashboard's own folders may import it
    assert _ruff_banned_import("pages/_probe.py").returncode == 0
    assert not (ROOT / "core" / "_probe_banned_import.py").exists()


def test_no_core_module_imports_streamlit():
    offenders = [p for p in (ROOT / "core").rglob("*.py")
                 if "import streamlit" in p.read_text() or "from streamlit" in p.read_text()]
    assert offenders == []


def test_test_files_have_unique_basenames():
    # pytest's default prepend import mode refuses to collect two test modules with the
    # same basename, which stops the whole suite at collection (it happened twice).
    from collections import Counter

    root = Path(__file__).resolve().parent
    names = Counter(p.name for p in root.rglob("test_*.py"))
    assert [n for n, c in names.items() if c > 1] == []
