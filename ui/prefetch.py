"""Selection runs computed ahead, on one background thread, for the slider values next to the
one just shown: a release onto a neighbour is then answered from memory.

Only strategies too slow to rerun within the page's latency target take part: those that
declare ``prefetch = True`` (the DPP, whose exact greedy MAP costs O(n k^2): seconds at
k = 2,000 on a 50,000-row pool, while facility location answers in under a second); their
main slider's declaration (core.select.params) gives the step and range. After a run is
drawn, the page queues the neighbours within ``REACH`` slider steps, the side the slider
last moved towards first. A release then finds its run

- done: returned at once (the same ``run_selection`` call with the same arguments, so the
  same result as running it in the foreground);
- in progress: the page waits for it, showing its progress;
- neither: the background run is cancelled (both cores go to the foreground run) and the
  queue is dropped; the next ``after_run`` queues new neighbours.

The runs are kept per session (ui.run_memo keeps one prefetcher in each session's state: a
key holds the workspace's pool and embedding keys and the whole request), at most ``KEEP``
of them. Nothing here touches
Streamlit: the worker runs core code on its own Workspace object.
"""

from __future__ import annotations

import threading
import time
import weakref
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

from core.errors import CancelledError
from core.select.params import Param
from core.select.request import SelectionRequest

REACH = 2  # slider steps either side
KEEP = 24  # results kept (at k = 2,000 a result is ~50 KB)

Job = tuple[str, Callable[[Callable[[int, int], bool]], Any]]
_LIVE: weakref.WeakSet = weakref.WeakSet()  # every session's prefetcher


def sliders() -> dict[str, Param]:
    """strategy -> its main slider's declaration, for the strategies computed ahead."""
    from core.select.registry import STRATEGIES

    out = {}
    for name, cls in STRATEGIES.items():
        main = cls.main_param()
        if cls.prefetch and main is not None and main.step:
            out[name] = main
    return out


def neighbours(request: SelectionRequest, direction: int = 0) -> list[SelectionRequest]:
    """Requests for the slider values within REACH steps of ``request``'s, nearest first,
    the side of ``direction`` (+1 up, -1 down, 0 up first) before the other at each reach."""
    param = sliders().get(request.strategy)
    if param is None:
        return []
    value = float(request.params.get(param.name, param.default))
    sides = (-1, 1) if direction < 0 else (1, -1)
    out = []
    for reach in range(1, REACH + 1):
        for side in sides:
            v = round(value + side * reach * param.step, 6)
            if param.low - 1e-9 <= v <= param.high + 1e-9:
                out.append(request.with_params(**{param.name: v}))
    return out


def stop_all() -> None:
    """Stop every session's prefetcher (tests: no background run outlives its test)."""
    for pf in list(_LIVE):
        pf.stop()


class Prefetcher:
    """One background worker with a queue of (key, compute) jobs and a small result cache.

    ``compute(progress)`` runs a selection; ``progress(done, total)`` returning False
    cancels it (core's ProgressReporter raises CancelledError).
    """

    def __init__(self, keep: int = KEEP) -> None:
        _LIVE.add(self)
        self.keep = keep
        self._cv = threading.Condition()
        self._results: OrderedDict[str, Any] = OrderedDict()
        self._queue: list[Job] = []
        self._current: str | None = None
        self._progress = (0, 1)
        self._cancel = False
        self._working = False  # a worker thread is running (or about to)
        self.computed = 0  # runs finished in the background (for tests and the benchmark)

    def get(self, key: str) -> Any | None:
        """A finished result, or None."""
        with self._cv:
            if key in self._results:
                self._results.move_to_end(key)
                return self._results[key]
            return None

    def running(self, key: str) -> bool:
        with self._cv:
            return self._current == key

    def progress(self) -> tuple[int, int]:
        with self._cv:
            return self._progress

    def wait(self, key: str, on_progress: Callable[[int, int], Any] | None = None,
             poll: float = 0.1) -> Any | None:
        """The result of ``key`` if it is done or being computed (waiting for it), else None.
        ``on_progress(done, total)`` is called while waiting (on the caller's thread)."""
        while True:
            with self._cv:
                if key in self._results:
                    self._results.move_to_end(key)
                    return self._results[key]
                if self._current != key:
                    return None
                self._cv.wait(poll)
                done, total = self._progress
            if on_progress is not None:
                on_progress(done, total)

    def schedule(self, jobs: list[Job]) -> None:
        """Replace the queue with ``jobs`` (those already done are skipped); the run in
        progress, if any, goes on."""
        with self._cv:
            self._queue = [(key, fn) for key, fn in jobs
                           if key not in self._results and key != self._current]
            if self._queue and not self._working:
                self._working = True
                threading.Thread(target=self._work, name="qdx-prefetch", daemon=True).start()
            self._cv.notify_all()

    def stop(self) -> None:
        """Drop the queue and cancel the run in progress (returns once it has stopped)."""
        with self._cv:
            self._queue = []
            if self._current is None:
                return
            self._cancel = True
            self._cv.notify_all()
            while self._current is not None:
                self._cv.wait(0.05)

    def _work(self) -> None:
        while True:
            with self._cv:
                if not self._queue:
                    self._working = False  # decided under the lock: schedule() starts anew
                    return
                key, fn = self._queue.pop(0)
                self._current, self._cancel, self._progress = key, False, (0, 1)
            try:
                result = fn(self._report)
            except CancelledError:
                result = None
            except Exception:  # noqa: BLE001 - a failed guess is simply not kept;
                result = None  # the foreground run of the same request reports the error
            with self._cv:
                if result is not None:
                    self._results[key] = result
                    self.computed += 1
                    while len(self._results) > self.keep:
                        self._results.popitem(last=False)
                self._current = None
                self._cv.notify_all()

    def _report(self, done: int, total: int) -> bool:
        with self._cv:
            self._progress = (int(done), int(total))
            return not self._cancel

    def idle(self, timeout: float = 0.0) -> bool:
        """True once nothing is queued or running (waiting up to ``timeout`` seconds)."""
        end = time.monotonic() + timeout
        with self._cv:
            while self._queue or self._current is not None:
                left = end - time.monotonic()
                if left <= 0:
                    return False
                self._cv.wait(min(left, 0.05))
            return True
