"""Where the metrics keep arrays that are expensive and reusable across calls.

The report builder takes any callable with the signature of ``Workspace.cached_array``:
``cache(kind, key_parts, compute) -> np.ndarray`` (return the stored array for this kind and
key, else call ``compute()``, store and return it). :class:`MemoryArrayCache` is the
in-process version for callers without a workspace (tests, benchmarks, notebooks).
"""

from __future__ import annotations

import json
from collections import OrderedDict
from collections.abc import Callable

import numpy as np

ArrayCache = Callable[[str, dict, Callable[[], np.ndarray]], np.ndarray]


class MemoryArrayCache:
    """A least-recently-used in-memory ``cached_array`` with at most ``max_entries`` arrays."""

    def __init__(self, max_entries: int = 64) -> None:
        self.max_entries = int(max_entries)
        self._store: OrderedDict[tuple[str, str], np.ndarray] = OrderedDict()
        self.hits = 0
        self.misses = 0

    def __call__(self, kind: str, key_parts: dict, compute: Callable[[], np.ndarray]
                 ) -> np.ndarray:
        key = (kind, json.dumps(key_parts, sort_keys=True, default=str))
        if key in self._store:
            self.hits += 1
            self._store.move_to_end(key)
            return self._store[key]
        self.misses += 1
        value = np.asarray(compute())
        self._store[key] = value
        while len(self._store) > self.max_entries:
            self._store.popitem(last=False)
        return value

    def __len__(self) -> int:
        return len(self._store)


def cached_or_computed(cache: ArrayCache | None, kind: str, key_parts: dict | None,
                       compute: Callable[[], np.ndarray]) -> np.ndarray:
    """``cache(kind, key_parts, compute)`` when both are given, else ``compute()``."""
    if cache is None or key_parts is None:
        return np.asarray(compute())
    return np.asarray(cache(kind, key_parts, compute))
