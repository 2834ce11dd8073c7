"""ui.warmup: a fresh server's one background warm-up (strategies imported, compiled loops
loaded) before the first Select visit."""

from __future__ import annotations

from ui import warmup


def test_warm_runs_every_step_and_leaves_the_compiled_loops_loaded():
    from core.select.lazy import heapify
    from core.select.relative_gain import _relative_steps

    done = warmup.warm()
    # A step that raised would end the list early (warm() logs and never raises).
    assert done[1:] == ["page modules",
                        "qdit method=sparse", "qdit method=sparse coverage=mean", "kcenter", "dpp"]
    assert done[0].endswith(" strategies") and int(done[0].split()[0]) >= 10
    assert heapify.signatures and _relative_steps.signatures


def test_start_runs_once_per_process_and_obeys_qdx_warmup(monkeypatch):
    monkeypatch.setattr(warmup, "_thread", None)
    monkeypatch.setenv("QDX_WARMUP", "0")
    assert warmup.start() is False and warmup._thread is None
    monkeypatch.setenv("QDX_WARMUP", "1")
    assert warmup.start() is True
    assert warmup.start() is False  # once per process
    assert warmup.join(120)


def test_a_failing_step_is_logged_not_raised(monkeypatch, caplog):
    monkeypatch.setattr(warmup, "PAGE_MODULES", ("ui.no_such_module",))
    done = warmup.warm()
    assert done == [done[0]]  # the strategies, then the failure
    assert "dashboard warm-up failed" in caplog.text
