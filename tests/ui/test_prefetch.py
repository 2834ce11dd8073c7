"""The background prefetcher: neighbour order, queue, cancel, failures, the result cache."""

from __future__ import annotations

import threading

import pytest

from core.errors import CancelledError
from core.select.request import SelectionRequest
from ui.prefetch import Prefetcher, neighbours


def _req(lam, strategy="dpp"):
    params = {"lam": lam} if strategy == "dpp" else {"alpha": lam}
    return SelectionRequest(strategy, 10, params, quality="length")


def _lams(reqs):
    return [r.params["lam"] for r in reqs]


def test_neighbours_nearest_first_moving_side_first_and_inside_the_slider():
    assert _lams(neighbours(_req(0.5))) == [0.55, 0.45, 0.6, 0.4]
    assert _lams(neighbours(_req(0.5), direction=-1)) == [0.45, 0.55, 0.4, 0.6]
    assert _lams(neighbours(_req(0.0))) == [0.05, 0.1]
    assert _lams(neighbours(_req(0.95), direction=1)) == [1.0, 0.9, 0.85]
    # float steps are rounded: 0.35 + 0.05 is 0.4, the slider's value, not 0.39999999999999997
    assert _lams(neighbours(_req(0.35)))[0] == 0.4
    assert neighbours(_req(0.5, strategy="qdit")) == []
    other = neighbours(_req(0.5))[0]
    assert other.k == 10 and other.quality == "length" and other.strategy == "dpp"


def _job(log, value, gate=None):
    def compute(progress):
        if gate is not None:
            gate.wait(5)
        log.append(value)
        progress(1, 1)
        return value
    return compute


def test_schedule_runs_in_order_keeps_results_and_skips_done_ones():
    pf, log = Prefetcher(), []
    pf.schedule([("a", _job(log, 1)), ("b", _job(log, 2))])
    assert pf.idle(timeout=5)
    assert log == [1, 2] and pf.get("a") == 1 and pf.get("b") == 2 and pf.get("c") is None
    pf.schedule([("a", _job(log, 10)), ("c", _job(log, 3))])  # "a" is done: not run again
    assert pf.idle(timeout=5)
    assert log == [1, 2, 3] and pf.get("a") == 1 and pf.computed == 3


def test_wait_returns_a_run_in_progress_and_none_for_an_unknown_key():
    pf, log, gate = Prefetcher(), [], threading.Event()
    pf.schedule([("slow", _job(log, 7, gate))])
    assert pf.wait("other") is None
    seen = []
    threading.Timer(0.2, gate.set).start()
    assert pf.wait("slow", on_progress=lambda d, t: seen.append((d, t))) == 7
    assert seen  # progress was reported to the waiting page thread


def test_stop_cancels_the_running_job_and_drops_the_queue():
    pf, log, started = Prefetcher(), [], threading.Event()

    def endless(progress):
        started.set()
        while progress(0, 10):
            pass
        raise CancelledError("cancelled")

    pf.schedule([("loop", endless), ("next", _job(log, 1))])
    assert started.wait(5)
    pf.stop()
    assert pf.idle(timeout=5)
    assert pf.get("loop") is None and pf.get("next") is None and log == []
    pf.schedule([("next", _job(log, 1))])  # the worker starts again
    assert pf.idle(timeout=5) and pf.get("next") == 1


def test_a_failing_job_is_not_kept_and_the_queue_goes_on():
    pf, log = Prefetcher(), []

    def broken(progress):
        raise ValueError("bad")

    pf.schedule([("bad", broken), ("good", _job(log, 5))])
    assert pf.idle(timeout=5)
    assert pf.get("bad") is None and pf.get("good") == 5


def test_keeps_at_most_keep_results_dropping_the_least_recently_used():
    pf, log = Prefetcher(keep=2), []
    pf.schedule([("a", _job(log, 1)), ("b", _job(log, 2))])
    assert pf.idle(timeout=5)
    assert pf.get("a") == 1  # "a" used last: "b" is the one to go
    pf.schedule([("c", _job(log, 3))])
    assert pf.idle(timeout=5)
    assert pf.get("b") is None and pf.get("a") == 1 and pf.get("c") == 3


@pytest.mark.parametrize("count", [1, 5])
def test_schedule_right_after_the_worker_finished_is_not_lost(count):
    """The worker decides to exit under the lock, so a schedule() racing it starts a new one."""
    pf, log = Prefetcher(), []
    for i in range(count * 20):
        pf.schedule([(f"k{i}", _job(log, i))])
    assert pf.idle(timeout=10)
    assert pf.get(f"k{count * 20 - 1}") == count * 20 - 1
