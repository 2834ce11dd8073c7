"""A reader that closes stdout early (``... | head``) ends the command quietly with exit 0."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from tests.conftest import REPO_ROOT


def run_into_closed_pipe(tmp_path, *argv: str) -> subprocess.CompletedProcess:
    """Run ``python -m core ARGV`` with stdout a pipe whose read end is already closed, so
    the first write fails with EPIPE (what ``| head -c 10`` causes once head has exited)."""
    read_fd, write_fd = os.pipe()
    os.close(read_fd)
    env = {**os.environ, "QDX_LOG_DIR": str(tmp_path), "PYTHONPATH": str(REPO_ROOT)}
    try:
        return subprocess.run([sys.executable, "-m", "core", *argv], cwd=REPO_ROOT, env=env,
                              stdout=write_fd, stderr=subprocess.PIPE, text=True, timeout=120)
    finally:
        os.close(write_fd)


def test_closed_pipe_after_the_work_exits_quietly(tmp_path, tiny_records):
    pool = tmp_path / "pool.json"
    pool.write_text(json.dumps(tiny_records), encoding="utf-8")
    ws = tmp_path / "ws"
    proc = run_into_closed_pipe(tmp_path, "load", str(pool), "--workspace", str(ws))
    assert proc.stderr == "" and proc.returncode == 0
    assert (ws / "workspace.json").is_file()  # the work itself was done
    proc = run_into_closed_pipe(tmp_path, "info", "--workspace", str(ws), "--json")
    assert (proc.returncode, proc.stderr) == (0, "")
    assert not list(tmp_path.glob("qdx-error-*.log"))
