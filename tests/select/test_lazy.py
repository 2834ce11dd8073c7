"""The lazy greedy queue: ordering, ties, and exactness against a plain argmax loop."""

from __future__ import annotations

import numpy as np

from core.select.lazy import LazyGreedy, LazyMaxQueue


def test_queue_pops_by_score_then_lower_row():
    rows = np.array([5, 3, 9, 1, 7])
    scores = np.array([0.5, 2.0, 2.0, -np.inf, 0.5])
    q = LazyMaxQueue(rows, scores)
    out = [q.pop()[1] for _ in range(len(rows))]
    assert out == [3, 9, 5, 7, 1]
    assert q.peek() is None


def test_push_back_keeps_heap_order():
    rng = np.random.default_rng(0)
    rows = np.arange(200)
    q = LazyMaxQueue(rows, rng.random(200))
    popped_rows, popped = q.pop_batch(50)
    assert np.all(np.diff(popped) <= 0)
    q.push_many(popped_rows, popped - 0.5)
    out = [q.pop() for _ in range(len(q))]
    keys = [(-s, r) for s, r in out]
    assert keys == sorted(keys)


def test_lazy_greedy_equals_argmax_for_shrinking_scores():
    """Scores that shrink with every pick (a coverage-like function): lazy == brute force."""
    rng = np.random.default_rng(1)
    n, k = 300, 60
    member = rng.random((n, 40)) < 0.1  # row -> the elements it covers
    weight = rng.random(40)

    def gains(rows, covered):
        return (member[rows] & ~covered) @ weight

    covered = np.zeros(40, dtype=bool)
    brute = []
    for _ in range(k):
        g = gains(np.arange(n), covered)
        g[brute] = -np.inf
        brute.append(int(np.argmax(g)))
        covered |= member[brute[-1]]

    covered = np.zeros(40, dtype=bool)
    picker = LazyGreedy(np.arange(n), gains(np.arange(n), covered), n, 0)
    lazy = []
    for step in range(k):
        row, _ = picker.pick(step, lambda rows, c=covered: gains(rows, c))
        lazy.append(row)
        covered |= member[row]
    assert lazy == brute
    assert picker.evaluations < n * k  # it did skip work
