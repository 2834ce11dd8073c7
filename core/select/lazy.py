"""Lazy (priority-queue) greedy, shared by the greedy strategies.

Lazy greedy (Minoux 1978) is exact whenever a candidate's score can only go down as the
selection grows (diminishing returns: facility-location gains, DPP conditional variances,
k-center distances, token-coverage gains). A score computed at an earlier step is then an
upper bound on its current value, so the queue's top, once re-evaluated and still on top,
is the true argmax. Ties go to the lowest row number, exactly like ``np.argmax`` over rows
in order, so lazy and brute-force greedy pick the same rows.

The queue is a binary max-heap in two numpy arrays with numba-compiled operations; stale
rows are popped and re-evaluated a batch at a time so the evaluation can be one vectorised
numpy call.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from numba import njit

MIN_BATCH = 16
MAX_BATCH = 4096


class LazyMaxQueue:
    """Max-queue of (score, row): higher score first, then lower row."""

    def __init__(self, rows: np.ndarray, scores: np.ndarray) -> None:
        self.rows = np.array(rows, dtype=np.int64)
        self.scores = np.array(scores, dtype=np.float64)
        self.size = np.array([len(self.rows)], dtype=np.int64)
        heapify(self.scores, self.rows, len(self.rows))

    def __len__(self) -> int:
        return int(self.size[0])

    def peek(self) -> tuple[float, int] | None:
        """(score, row) of the top entry without removing it, or None when empty."""
        if self.size[0] == 0:
            return None
        return float(self.scores[0]), int(self.rows[0])

    def pop(self) -> tuple[float, int]:
        rows, scores = self.pop_batch(1)
        if not len(rows):
            raise IndexError("pop from an empty queue")
        return float(scores[0]), int(rows[0])

    def pop_batch(self, count: int) -> tuple[np.ndarray, np.ndarray]:
        """Remove and return the top ``count`` entries as (rows, scores), best first."""
        count = min(int(count), int(self.size[0]))
        out_rows = np.empty(count, dtype=np.int64)
        out_scores = np.empty(count, dtype=np.float64)
        _pop_batch(self.scores, self.rows, self.size, out_rows, out_scores)
        return out_rows, out_scores

    def push_many(self, rows: np.ndarray, scores: np.ndarray) -> None:
        """Push entries back (never more than were popped: the arrays do not grow)."""
        _push_many(self.scores, self.rows, self.size, np.asarray(rows, dtype=np.int64),
                   np.asarray(scores, dtype=np.float64))


class LazyGreedy:
    """Exact lazy greedy over ``rows`` whose scores only shrink as the selection grows.

    rows/scores: the candidates and their exact scores at ``step`` (or only upper bounds for
    the rows marked in ``stale``, a mask aligned with ``rows``: those are re-evaluated before
    they can be picked); size: one more than the largest row number. ``pick(step, evaluate)``
    pops the exact argmax at ``step``, where evaluate(rows) returns the rows' exact scores at
    that step. Stale rows are re-evaluated a batch at a time; the batch starts near half the
    number of re-evaluations the previous step needed and doubles while unresolved, so one
    step costs a few vectorised calls.
    """

    def __init__(self, rows: np.ndarray, scores: np.ndarray, size: int, step: int,
                 batch: int = MIN_BATCH, stale: np.ndarray | None = None) -> None:
        self.queue = LazyMaxQueue(rows, scores)
        self.stamp = np.full(size, step, dtype=np.int64)
        if stale is not None:
            self.stamp[np.asarray(rows)[stale]] = step - 1
        self.batch = batch
        self.evaluations = 0

    def pick(self, step: int, evaluate: Callable[[np.ndarray], np.ndarray]
             ) -> tuple[int, float] | None:
        """(row, score) of the exact argmax at ``step``; None when no candidate is left."""
        batch, used = self.batch, 0
        while True:
            top = self.queue.peek()
            if top is None:
                return None
            score, row = top
            if self.stamp[row] == step:
                self.queue.pop()
                self.batch = min(max(used // 2, MIN_BATCH), MAX_BATCH)  # np.clip: 5 us
                self.evaluations += used
                return row, score
            rows, scores = self.queue.pop_batch(batch)
            stale = self.stamp[rows] != step
            if stale.any():
                scores[stale] = evaluate(rows[stale])
                self.stamp[rows[stale]] = step
                used += int(stale.sum())
            self.queue.push_many(rows, scores)
            batch = min(2 * batch, MAX_BATCH)


@njit(cache=True)
def before(s1, r1, s2, r2):
    """Heap order: higher score first, then lower row."""
    return s1 > s2 or (s1 == s2 and r1 < r2)


@njit(cache=True)
def sift_down(scores, rows, size, i):
    while True:
        left = 2 * i + 1
        if left >= size:
            return
        best = left
        right = left + 1
        if right < size and before(scores[right], rows[right], scores[left], rows[left]):
            best = right
        if not before(scores[best], rows[best], scores[i], rows[i]):
            return
        scores[i], scores[best] = scores[best], scores[i]
        rows[i], rows[best] = rows[best], rows[i]
        i = best


@njit(cache=True)
def _sift_up(scores, rows, i):
    while i > 0:
        parent = (i - 1) // 2
        if not before(scores[i], rows[i], scores[parent], rows[parent]):
            return
        scores[i], scores[parent] = scores[parent], scores[i]
        rows[i], rows[parent] = rows[parent], rows[i]
        i = parent


@njit(cache=True)
def heapify(scores, rows, size):
    for i in range(size // 2 - 1, -1, -1):
        sift_down(scores, rows, size, i)


@njit(cache=True)
def _pop_batch(scores, rows, size_arr, out_rows, out_scores):
    size = size_arr[0]
    for j in range(out_rows.shape[0]):
        out_rows[j] = rows[0]
        out_scores[j] = scores[0]
        size -= 1
        scores[0] = scores[size]
        rows[0] = rows[size]
        sift_down(scores, rows, size, 0)
    size_arr[0] = size


@njit(cache=True)
def _push_many(scores, rows, size_arr, new_rows, new_scores):
    size = size_arr[0]
    for j in range(new_rows.shape[0]):
        scores[size] = new_scores[j]
        rows[size] = new_rows[j]
        _sift_up(scores, rows, size)
        size += 1
    size_arr[0] = size
