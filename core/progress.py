"""The progress callback that every long computation takes, and how it cancels one.

``progress(done, total)`` is called as work is done (embedding batches, kNN blocks, the map,
selection picks, distributed tasks); returning False asks the computation to stop, which it
does by raising :class:`core.errors.CancelledError`. Any other return value goes on.
"""

from __future__ import annotations

from collections.abc import Callable

from core.errors import CancelledError

ProgressFn = Callable[[int, int], "bool | None"]


def check_progress(progress: ProgressFn | None, done: int, total: int, what: str,
                   unit: str | None = None) -> None:
    """Report ``done`` of ``total``; CancelledError("{what} cancelled[ after done of total
    unit]") when the callback returns False."""
    if progress is not None and progress(done, total) is False:
        after = f" after {done} of {total} {unit}" if unit else ""
        raise CancelledError(f"{what} cancelled{after}")


def against_total(progress: ProgressFn | None, total: int) -> ProgressFn | None:
    """``progress`` for one stage of a longer run whose own count already includes what
    came before it (a run with earlier picks pinned): reported as done of ``total``."""
    if progress is None:
        return None

    def report(done: int, _stage_total: int):
        return progress(min(int(done), total), total)
    return report
