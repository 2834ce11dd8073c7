"""Terminal progress for long steps: a tqdm bar on a terminal, silent otherwise."""

from __future__ import annotations

import sys
from collections.abc import Callable


def progress_bar(desc: str, unit: str = "rows"
                 ) -> tuple[Callable[[int, int], bool], Callable[[], None]]:
    """Return (callback(done, total) -> True, close()) drawing a tqdm bar on stderr."""
    from tqdm import tqdm

    bar = None
    disable = not sys.stderr.isatty()

    def update(done: int, total: int) -> bool:
        nonlocal bar
        if bar is None:
            bar = tqdm(total=total, desc=desc, unit=unit, disable=disable, leave=False)
        bar.total = total
        bar.n = done
        bar.refresh()
        return True

    def close() -> None:
        if bar is not None:
            bar.close()

    return update, close
