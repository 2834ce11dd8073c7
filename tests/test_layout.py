"""The seam between engine and UI is enforced, not just promised."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_ruff_bans_streamlit_inside_core(tmp_path):
    probe = ROOT / "core" / "_probe_banned_import.py"
    probe.write_text("import streamlit\n")
    try:
        out = subprocess.run([sys.executable, "-m", "ruff", "check", "--select", "TID251",
                              str(probe)], cwd=ROOT, capture_output=True, text=True)
    finally:
        probe.unlink()
    assert out.returncode == 1
    assert "TID251" in out.stdout and "streamlit" in out.stdout


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
