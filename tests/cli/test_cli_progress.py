"""Progress on stderr: a bar from the start on a terminal, plain lines with a rate and an ETA
every few seconds without one, and a word before a model loads."""

from __future__ import annotations

import io

import pytest

from core.cli import progress as progress_mod
from core.cli.progress import Progress


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch):
    fake = Clock()
    monkeypatch.setattr(progress_mod.time, "monotonic", fake)
    return fake


def test_plain_lines_every_interval_with_rate_and_eta(clock):
    out = io.StringIO()
    p = Progress("embedding (m, instruction)", stream=out, tty=False, interval=5.0)
    p.start(2000)
    clock.now += 2.0
    p(100, 2000)
    assert out.getvalue() == ""  # nothing before the first interval: quick steps stay quiet
    clock.now += 3.0
    p(500, 2000)  # 500 rows in 5 s since start: 100 rows/s, 1,500 left: 15 s
    assert out.getvalue() == ("embedding (m, instruction): 500 / 2,000 rows (25%), "
                              "100 rows/s, about 15s left\n")
    clock.now += 1.0
    p(600, 2000)
    assert out.getvalue().count("\n") == 1  # at most one line per interval
    clock.now += 4.0
    p(1000, 2000)
    assert out.getvalue().splitlines()[-1].endswith("1,000 / 2,000 rows (50%), 100 rows/s, "
                                                    "about 10s left")
    p(2000, 2000)
    p.close()
    assert out.getvalue().splitlines()[-1] == ("embedding (m, instruction): 2,000 / 2,000 rows "
                                               "(100%), 200 rows/s")
    assert out.getvalue().count("2,000 / 2,000") == 1


def test_the_last_line_is_not_repeated_at_close(clock):
    out = io.StringIO()
    p = Progress("embedding", stream=out, tty=False, interval=5.0)
    p.start(100)
    clock.now += 6.0
    p(100, 100)  # a line for the end, printed by the update itself ...
    p.close()  # ... is not printed again
    assert out.getvalue().count("\n") == 1


def test_rate_leaves_out_rows_resumed_from_a_cache(clock):
    out = io.StringIO()
    p = Progress("embedding", stream=out, tty=False, interval=0.0)
    p.start(10_000, done=8_000)  # 8,000 rows were embedded by an earlier, killed run
    clock.now += 10.0
    p(9_000, 10_000)
    assert "9,000 / 10,000 rows (90%), 100 rows/s, about 10s left" in out.getvalue()


def test_terminal_bar_appears_at_start_not_after_the_first_chunk():
    out = io.StringIO()
    p = Progress("embedding", stream=out, tty=True)
    p.status("loading model all-MiniLM-L6-v2")
    assert out.getvalue() == "embedding: loading model all-MiniLM-L6-v2\n"
    p.start(2000)
    assert "0/2000" in out.getvalue().replace(",", "")  # the bar is drawn before any row
    p(256, 2000)
    p.close()


class LoadingEmbedder:
    """A model-backed embedder stand-in: says when it is loaded and embeds like hashing."""

    name = "slow-model"

    def __init__(self, events: list[str]) -> None:
        from core.embed import HashingEmbedder

        self.inner, self.events = HashingEmbedder(), events

    def config(self):
        return {"backend": "test", "model": self.name}

    def load(self):
        self.events.append("load")

    def embed(self, texts, progress=None):
        self.events.append("embed")
        return self.inner.embed(texts, progress)


def test_workspace_tells_status_and_progress_before_the_first_chunk(tiny_workspace):
    events: list[str] = []

    def status(message):
        events.append(f"status: {message}")

    def progress(done, total):
        events.append(f"progress {done}/{total}")
        return True

    tiny_workspace.embed(LoadingEmbedder(events), status=status, progress=progress,
                         chunk_rows=1000)
    n = tiny_workspace.n_rows
    assert events[:4] == ["status: loading model slow-model", "load", f"progress 0/{n}",
                          "embed"]


def test_cli_embed_without_a_terminal_prints_progress_lines(tmp_path, run_cli, tiny_pool_file,
                                                            monkeypatch):
    monkeypatch.setenv("QDX_PROGRESS_INTERVAL", "0")
    ws = tmp_path / "ws"
    assert run_cli("load", tiny_pool_file, "--workspace", ws)[0] == 0
    code, out, err = run_cli("embed", "--workspace", ws, "--model", "tfidf")
    assert code == 0, err
    lines = err.splitlines()
    assert lines[0] == "embedding (tfidf, instruction): fitting tfidf on 48 texts"
    assert lines[-1].startswith("embedding (tfidf, instruction): 48 / 48 rows (100%)")
    assert out.startswith("embedded 48 rows with tfidf")
