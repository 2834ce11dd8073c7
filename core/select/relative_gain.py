"""QDIT's "relative" greedy: exact lazy argmax of a score whose gain is divided by the best gain.

    f_t(c) = (1 - alpha) * gain_t(c) / G_t + alpha * q[c],   G_t = max over free b of gain_t(b)

on the facility-location coverage state of :mod:`core.select.facility_location` (gain_t(c)
is c's coverage gain at step t). When G_t = 0 (no candidate covers anything new) the ratio
0/0 counts as 1: every candidate has all of the best gain, so the pick is the best quality
and f_t = (1 - alpha) + alpha * q. Ties go to the lower row, so the picks equal a
brute-force greedy that takes ``argmax`` over rows in order.

Each step first finds G_t exactly with a lazy max-heap of gain upper bounds (gains only
shrink, so a stale gain is an upper bound). G_t changes every step, so a heap of scores
cannot be carried across steps; but among rows of equal quality the score is ordered by
the gain alone, so rows whose quality value is shared by at least TIER_MIN candidates (a
"tier": heuristic scores tie most of a pool at one value) keep one lazy gain heap per tier
across steps, and a tier costs one exact top per step. The other rows are scanned: their
score bounds (1 - alpha) * ub(c) / G_t + alpha * q[c] (O(rows) per step) are compared with
the best exact score known (the G_t row's, the best-quality row's, the tiers' tops) and
the few that reach it are resolved lazily in a small heap. Without the tiers every tied
row of a heuristic-scored pool reaches the bound at every step and is heapified at every
step (README, "Benchmarks", has the figures).

Invariants of :class:`RelativeState`, t being the coverage state's step (rows added):

- gval[c] >= gain_t(c), with equality when stamp[c] == t (a gain is evaluated at most once
  per step);
- taken[c] is True for picked rows and rows that were never candidates; free[0] counts the
  others;
- every free candidate is in ``gains`` and in exactly one of ``scanned`` and the tiers;
  every heap key is an upper bound on its row's gain; taken rows leave a heap lazily, when
  they reach its top;
- ``by_quality.order[by_quality.ptr[0]:]`` holds every free candidate.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numba import njit

from core.select.facility_location import FacilityLocationGreedy, Heap, cover, gain_of
from core.select.lazy import heapify, sift_down

# A quality value shared by at least this many candidates gets its own lazy gain heap in
# the relative greedy; rarer values are scanned every step.
TIER_MIN = 32


class Scanned(NamedTuple):
    """The untiered free candidates, scanned every step: rows[:count[0]] in any order,
    pos[row] the row's index there (-1 when taken or tiered), aq[i] = alpha * q[rows[i]] (the
    scan reads quality in the rows' order instead of gathering it)."""

    rows: np.ndarray
    pos: np.ndarray
    count: np.ndarray
    aq: np.ndarray


class Tiers(NamedTuple):
    """Quality tiers, best quality first: tier t's lazy max-heap of gain upper bounds is
    keys/rows[start[t]:start[t] + size[t]] and ``quality[t]`` its rows' quality; ``stack`` is
    scratch for a walk down the largest heap."""

    keys: np.ndarray
    rows: np.ndarray
    start: np.ndarray
    size: np.ndarray
    quality: np.ndarray
    stack: np.ndarray


class QualityOrder(NamedTuple):
    """The candidates by quality, best first, ties to the lower row; ptr[0] only moves past
    taken rows."""

    order: np.ndarray
    ptr: np.ndarray


class RelativeState(NamedTuple):
    """What the compiled steps read and write (invariants in the module docstring);
    ``shortlist`` is scratch (keys, rows) for one step's scanned rows that reach the bound."""

    gval: np.ndarray
    stamp: np.ndarray
    taken: np.ndarray
    free: np.ndarray
    gains: Heap
    scanned: Scanned
    tiers: Tiers
    by_quality: QualityOrder
    shortlist: tuple[np.ndarray, np.ndarray]


class RelativeGainGreedy:
    """Exact lazy greedy of f_t(c) = (1 - alpha) * gain(c) / G_t + alpha * q[c].

    Usage: ``RelativeGainGreedy(fl, candidates, quality, alpha)`` on a FacilityLocationGreedy
    ``fl`` (its coverage state is shared and advanced), ``force(row)`` for must-include rows,
    then ``pick(n_steps)`` repeatedly. Memory O(n); time per step: one exact top per quality
    tier, the scan of the untiered rows, and the lazy gain evaluations.
    """

    def __init__(self, fl: FacilityLocationGreedy, candidates: np.ndarray,
                 quality: np.ndarray, alpha: float) -> None:
        self.fl = fl
        n = fl.n
        rows = np.asarray(candidates, dtype=np.int64)
        self.q = np.asarray(quality, dtype=np.float64)
        self.alpha = float(alpha)
        gval = np.zeros(n)
        gval[rows] = fl.gains(rows)
        stamp = np.full(n, -1, dtype=np.int64)
        stamp[rows] = fl.step
        taken = np.ones(n, dtype=np.bool_)
        taken[rows] = False
        tiers, scanned = _quality_tiers(rows, self.q, gval)
        pos = np.full(n, -1, dtype=np.int64)
        pos[scanned] = np.arange(len(scanned))
        self.state = RelativeState(
            gval=gval, stamp=stamp, taken=taken, free=np.array([len(rows)]),
            gains=Heap.build(gval[rows], rows),
            scanned=Scanned(scanned.copy(), pos, np.array([len(scanned)]),
                            self.alpha * self.q[scanned]),
            tiers=tiers,
            by_quality=QualityOrder(rows[np.lexsort((rows, -self.q[rows]))],
                                    np.zeros(1, dtype=np.int64)),
            shortlist=(np.empty(len(scanned)), np.empty(len(scanned), dtype=np.int64)))

    def force(self, row: int) -> tuple[float, float]:
        """Add a must-include ``row``; return (f_t, unscaled gain), G_t counting the row too."""
        gain = float(self.fl.gains(np.array([row]))[0])
        best = max(gain, _best_gain(self.fl.sim, self.fl.cur, self.state, self.fl.step))
        ratio = gain / best if best > 0.0 else 1.0
        _take(self.state, int(row))
        self.fl.add(int(row))
        return (1.0 - self.alpha) * ratio + self.alpha * float(self.q[row]), gain

    def pick(self, n_steps: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Up to ``n_steps`` greedy picks: (rows, f_t of each pick, unscaled gains)."""
        rows = np.empty(n_steps, dtype=np.int64)
        scores = np.empty(n_steps, dtype=np.float64)
        gains = np.empty(n_steps, dtype=np.float64)
        done = _relative_steps(self.fl.sim, self.fl.cur, self.q, self.alpha, self.state,
                               self.fl.step, n_steps, rows, scores, gains)
        self.fl.record_added(done)
        return rows[:done], scores[:done], gains[:done]


def _quality_tiers(candidates: np.ndarray, q: np.ndarray, gval: np.ndarray
                   ) -> tuple[Tiers, np.ndarray]:
    """Split ``candidates`` into tiers (quality values held by >= TIER_MIN of them, best
    quality first, each heap keyed by ``gval``) and the rest, returned to be scanned."""
    values, inverse, counts = np.unique(q[candidates], return_inverse=True, return_counts=True)
    inverse = inverse.ravel()
    tiered = counts[inverse] >= TIER_MIN
    tier_values = np.flatnonzero(counts >= TIER_MIN)[::-1]  # best quality first
    rank = np.full(values.size, -1, dtype=np.int64)
    rank[tier_values] = np.arange(tier_values.size)
    members = candidates[tiered]
    order = np.lexsort((members, rank[inverse[tiered]]))
    rows = members[order].astype(np.int64)
    sizes = counts[tier_values].astype(np.int64)
    start = np.zeros(sizes.size + 1, dtype=np.int64)
    np.cumsum(sizes, out=start[1:])
    keys = gval[rows].astype(np.float64)
    for t in range(sizes.size):
        heapify(keys[start[t]:start[t + 1]], rows[start[t]:start[t + 1]], int(sizes[t]))
    tiers = Tiers(keys, rows, start, sizes.copy(), values[tier_values].astype(np.float64),
                  np.empty(int(sizes.max()) if sizes.size else 1, dtype=np.int64))
    return tiers, candidates[~tiered]


@njit(cache=True)
def _tier_best(sim, cur, state, step, w, alpha, best, t, best_s, best_r):
    """(score, row) of the better of (best_s, best_r) and tier t's best free candidate.

    The tier's top is made exact lazily (taken rows popped, stale bounds tightened to a
    gain evaluated since, or re-evaluated): it is then the largest gain, lowest row among
    equal gains, so the tier's best score. If rounding can give a smaller gain the same
    score (w * (g / best) + alpha * q equal for the next float below g: whenever the quality
    term is the larger, never at g = 0), the heap is also walked down from the top, without
    changing it, through every entry whose bound still reaches the best score (usually the
    top's children end the walk), so equal scores go to the lower row as in a brute-force
    argmax."""
    gval, stamp, taken, tiers = state.gval, state.stamp, state.taken, state.tiers
    qt = tiers.quality[t]
    keys = tiers.keys[tiers.start[t]:tiers.start[t + 1]]
    rows = tiers.rows[tiers.start[t]:tiers.start[t + 1]]
    size = tiers.size[t]
    while size > 0:
        # not even the bound can win; a stale key may exceed G_t = best, but no gain does
        if w * (min(keys[0], best) / best) + alpha * qt < best_s:
            tiers.size[t] = size
            return best_s, best_r
        size, exact = _refine_top(sim, cur, gval, stamp, taken, keys, rows, size, step)
        if exact:
            break
    tiers.size[t] = size
    if size == 0:
        return best_s, best_r
    g0 = keys[0]
    s0 = w * (g0 / best) + alpha * qt
    if s0 > best_s or (s0 == best_s and rows[0] < best_r):
        best_s, best_r = s0, rows[0]
    if s0 < best_s or g0 <= 0.0 or w * (np.nextafter(g0, -np.inf) / best) + alpha * qt < s0:
        return best_s, best_r
    stack = tiers.stack
    stack[0] = 0
    depth = 1
    while depth > 0:
        depth -= 1
        i = stack[depth]
        if w * (keys[i] / best) + alpha * qt < best_s:
            continue  # the whole subtree is bounded by this key
        row = rows[i]
        if not taken[row]:
            s = w * (_fresh_gain(sim, cur, gval, stamp, row, step) / best) + alpha * qt
            if s > best_s or (s == best_s and row < best_r):
                best_s = s
                best_r = row
        for child in (2 * i + 1, 2 * i + 2):
            if child < size:
                stack[depth] = child
                depth += 1
    return best_s, best_r


@njit(cache=True)
def _take(state, row):
    """Mark ``row`` picked and swap it out of the scanned candidates (a tier's heap drops it
    when it reaches the top)."""
    if not state.taken[row]:
        state.free[0] -= 1
    state.taken[row] = True
    scanned = state.scanned
    i = scanned.pos[row]
    if i < 0:
        return
    last_i = scanned.count[0] - 1
    last = scanned.rows[last_i]
    scanned.rows[i] = last
    scanned.aq[i] = scanned.aq[last_i]
    scanned.pos[last] = i
    scanned.pos[row] = -1
    scanned.count[0] = last_i


@njit(cache=True)
def _fresh_gain(sim, cur, gval, stamp, row, step):
    """gval[row] made exact at ``step`` (evaluated at most once per step). The hot helpers
    take the arrays they use, not the whole state: passing a state of some twenty arrays to
    every gain evaluation costs a reference-count update per array."""
    if stamp[row] != step:
        gval[row] = gain_of(sim, cur, row)
        stamp[row] = step
    return gval[row]


@njit(cache=True)
def _refine_top(sim, cur, gval, stamp, taken, keys, rows, size, step):
    """One move of a lazy max-heap of gain upper bounds (keys, rows: its first ``size``
    entries) towards an exact top: a taken top leaves, a stale top takes a gain evaluated
    since its key was set (by another heap, a tier or the scan: a tighter bound, free) or
    is evaluated. Returns (new size, whether the top is exact: then keys[0] is its gain and,
    the others being upper bounds, the heap's maximum)."""
    row = rows[0]
    if taken[row]:
        size -= 1
        keys[0] = keys[size]
        rows[0] = rows[size]
        sift_down(keys, rows, size, 0)
        return size, False
    if stamp[row] != step and gval[row] < keys[0]:
        keys[0] = gval[row]
        sift_down(keys, rows, size, 0)
        return size, False
    g = _fresh_gain(sim, cur, gval, stamp, row, step)
    if keys[0] == g:
        return size, True
    keys[0] = g
    sift_down(keys, rows, size, 0)
    return size, False


@njit(cache=True)
def _best_gain(sim, cur, state, step):
    """G_t: the exact largest gain among free candidates (0 when none is left); afterwards
    the gain heap's top row is that candidate, fresh."""
    gval, stamp, taken, heap = state.gval, state.stamp, state.taken, state.gains
    size = heap.size[0]
    while size > 0:
        size, exact = _refine_top(sim, cur, gval, stamp, taken, heap.keys, heap.rows, size,
                                  step)
        if exact:
            break
    heap.size[0] = size
    return heap.keys[0] if size > 0 else 0.0


@njit(cache=True)
def _best_quality_row(by_quality, taken):
    """The free candidate with the best quality (ties to the lower row)."""
    order, ptr = by_quality
    while taken[order[ptr[0]]]:
        ptr[0] += 1
    return order[ptr[0]]


@njit(cache=True)
def _relative_argmax(sim, cur, q, alpha, best, state, step):
    """(row, f_t) maximising (1 - alpha) * gain / best + alpha * q over free candidates.

    Lower bound: the exact scores of the G_t row and of the best-quality row, raised by each
    tier's exact best (:func:`_tier_best`). Then the scanned rows: those whose bound
    (1 - alpha) * gval / best + alpha * q (gval a stale upper bound or exact) reaches it go
    into a lazy heap that re-evaluates stale rows until an exact score is on top."""
    gval, stamp = state.gval, state.stamp
    top = state.gains.rows[0]
    qrow = _best_quality_row(state.by_quality, state.taken)
    _fresh_gain(sim, cur, gval, stamp, qrow, step)
    w = 1.0 - alpha
    best_r = top
    best_s = w * (gval[top] / best) + alpha * q[top]
    s = w * (gval[qrow] / best) + alpha * q[qrow]
    if s > best_s or (s == best_s and qrow < best_r):
        best_s, best_r = s, qrow
    for t in range(state.tiers.size.shape[0]):
        best_s, best_r = _tier_best(sim, cur, state, step, w, alpha, best, t, best_s, best_r)
    keys, rows = state.shortlist
    m = 0
    scale = w / best
    # The scan's bound w / best * gval + alpha * q is rounded differently from the scores
    # (w * (gval / best) + alpha * q); a relative slack of 1e-12 keeps every row whose exact
    # score could reach ``best_s`` (the shortlist is then scored with the exact formula).
    cut = best_s - 1e-12 * abs(best_s)
    cand_rows, aq = state.scanned.rows, state.scanned.aq
    for i in range(state.scanned.count[0]):
        row = cand_rows[i]
        key = scale * gval[row] + aq[i]
        if key >= cut:
            key = w * (gval[row] / best) + alpha * q[row]
            if key >= best_s:
                keys[m] = key
                rows[m] = row
                m += 1
    if m == 0:
        return best_r, best_s
    heapify(keys, rows, m)
    while stamp[rows[0]] != step:  # keys of rows fresh at this step are exact
        row = rows[0]
        keys[0] = w * (_fresh_gain(sim, cur, gval, stamp, row, step) / best) + alpha * q[row]
        sift_down(keys, rows, m, 0)
    if keys[0] > best_s or (keys[0] == best_s and rows[0] < best_r):
        return rows[0], keys[0]
    return best_r, best_s


@njit(cache=True)
def _relative_steps(sim, cur, q, alpha, state, step, n_steps, out_rows, out_scores, out_gains):
    done = 0
    while done < n_steps and state.free[0] > 0:
        best = _best_gain(sim, cur, state, step)
        if best > 0.0 and alpha == 0.0:
            # Pure coverage: the gain heap's top is already the argmax of gain / G_t (the
            # largest gain, ties to the lower row), so the bound scan is skipped.
            row = state.gains.rows[0]
            score = 1.0
            gain = best
        elif best > 0.0 and alpha == 1.0:
            # Pure quality: every score is 0 * (gain / G_t) + q exactly, so the best quality
            # (ties to the lower row) is the pick.
            row = _best_quality_row(state.by_quality, state.taken)
            score = q[row]
            gain = _fresh_gain(sim, cur, state.gval, state.stamp, row, step)
        elif best > 0.0:
            row, score = _relative_argmax(sim, cur, q, alpha, best, state, step)
            gain = state.gval[row]
        else:  # everything is covered: 0 / 0 counts as 1, quality decides
            row = _best_quality_row(state.by_quality, state.taken)
            score = (1.0 - alpha) + alpha * q[row]
            gain = 0.0
        out_rows[done] = row
        out_scores[done] = score
        out_gains[done] = gain
        _take(state, row)
        cover(sim, cur, row)
        done += 1
        step += 1
    return done

