"""A real browser against a real `streamlit run app.py`.

Needs Debian's chromium (installed by `make test` / .ci/run) and pip's playwright, driven
with executable_path=/usr/bin/chromium. Screenshots go to test-artifacts/e2e/.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts" / "e2e"
CHROMIUM = os.environ.get("QDX_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-quic"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_healthy(url: str, proc: subprocess.Popen, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"streamlit exited early with {proc.returncode}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as resp:
                if resp.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.5)
    raise TimeoutError(f"streamlit not healthy at {url} after {timeout}s")


def write_demo_pool(path: Path, n: int = 240) -> None:
    topics = {
        "math": "Compute {a} plus {b} and explain the steps.",
        "code": "Write a Python function named f{a} that returns {b}.",
        "travel": "Plan a {a}-day trip to a city with {b} museums.",
        "cooking": "Give a recipe using {a} eggs and {b} cups of flour.",
    }
    with path.open("w") as fh:
        for i in range(n):
            topic = list(topics)[i % len(topics)]
            fh.write(json.dumps({
                "instruction": topics[topic].format(a=i, b=i % 9 + 1), "input": "",
                "output": (f"Here is a careful answer about {topic}, item {i}. " * (1 + i % 5)),
                "category": topic, "score": float((i * 7) % 11)}) + "\n")


@pytest.fixture(scope="module")
def app_server(tmp_path_factory):
    if not Path(CHROMIUM).exists() and shutil.which("chromium") is None:
        message = "Debian chromium is not installed (make test installs it)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    tmp = tmp_path_factory.mktemp("e2e")
    pool = tmp / "demo.jsonl"
    write_demo_pool(pool)
    port = _free_port()
    env = {**os.environ, "QDX_WORKSPACE_ROOT": str(tmp / "workspaces"),
           "QDX_DEMO_POOL": str(pool), "QDX_DEMO_MODEL": "tfidf", "QDX_DATA_ROOTS": str(tmp)}
    log = (tmp / "streamlit.log").open("w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py"),
         "--server.port", str(port), "--server.address", "127.0.0.1",
         "--server.headless", "true"], cwd=tmp, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_healthy(url, proc)
        yield {"url": url, "tmp": tmp}
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM if Path(CHROMIUM).exists()
                              else shutil.which("chromium"), args=CHROMIUM_ARGS)
        yield b
        b.close()
