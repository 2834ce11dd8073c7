"""``token_coverage``: the micro strategy of Macro-to-Micro (arXiv 2505.24768).

Token types are WordPiece ids of the offline all-MiniLM-L6-v2 tokenizer
(core.text.subword_ids) of the context's texts (run_selection feeds the ``text_field``
text: "response" by default, the paper finding response-side micro diversity matters most;
"instruction" is the instruction plus its input; "both" the two joined).
Only the middle-frequency band counts: types whose total number of occurrences in
the whole pool lies in [min_count, max_count] (default 10..500, the paper's band; very
common types say nothing about diversity, very rare ones are mostly noise). On much larger
pools than the paper's you may want to scale the band with the pool size.

Greedy maximum coverage: each step picks the candidate that adds the most band types not yet
covered by the selection, ties by higher quality, then lower row. Once every reachable type
is covered, the remaining picks go by quality. (The paper prunes in reverse; forward
greedy optimises the same coverage objective with the usual 1 - 1/e guarantee and is
prefix-consistent.) Exact lazy greedy: coverage gains only shrink.

gains: the number of new band types each pick covers; objective_trace: the number of band
types covered after each pick. O(total tokens) to build, O(band entries) memory.
"""

from __future__ import annotations

import numpy as np

from core.errors import InputError
from core.select.base import (
    Picks,
    ProgressReporter,
    SelectionContext,
    SelectionPlan,
    Strategy,
)
from core.select.lazy import LazyGreedy
from core.select.params import Param

TEXT_FIELDS = ("response", "instruction", "both")


def flat_token_ids(ctx: SelectionContext, strategy: str) -> tuple[np.ndarray, np.ndarray]:
    """(flat ids int64, offsets int64 of length n + 1) from the context."""
    if ctx.token_ids is not None:
        flat, offsets = ctx.token_ids
        return np.asarray(flat, dtype=np.int64), np.asarray(offsets, dtype=np.int64)
    from core.text import subword_ids

    ids = subword_ids(list(ctx.require("texts", strategy)))
    lengths = np.fromiter((len(i) for i in ids), dtype=np.int64, count=len(ids))
    offsets = np.zeros(len(ids) + 1, dtype=np.int64)
    np.cumsum(lengths, out=offsets[1:])
    flat = np.fromiter((t for i in ids for t in i), dtype=np.int64, count=int(offsets[-1]))
    return flat, offsets


def band_type_sets(flat: np.ndarray, offsets: np.ndarray, min_count: int, max_count: int
                   ) -> tuple[np.ndarray, np.ndarray, int]:
    """Each row's distinct band types as CSR (indptr, types) and the number of band types."""
    n = len(offsets) - 1
    counts = np.bincount(flat) if len(flat) else np.zeros(0, dtype=np.int64)
    in_band = (counts >= min_count) & (counts <= max_count)
    row_of = np.repeat(np.arange(n, dtype=np.int64), np.diff(offsets))
    keep = in_band[flat] if len(flat) else np.zeros(0, dtype=bool)
    vocab = max(len(counts), 1)
    pairs = np.unique(row_of[keep] * vocab + flat[keep])
    rows, types = np.divmod(pairs, vocab)
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(rows, minlength=n), out=indptr[1:])
    return indptr, types, int(in_band.sum())


class TokenCoverageStrategy(Strategy):
    """Greedy coverage of mid-frequency token types, ties by quality."""

    name = "token_coverage"
    needs = frozenset({"texts", "quality"})
    greedy = True
    resumable = True
    order = 90
    summary = "Greedy coverage of mid-frequency response tokens (micro diversity)."
    params = (
        Param("min_count", "int", 10, "a token type counts when it occurs in at least this "
              "many pool rows", low=1, step=1),
        Param("max_count", "int", 500, "... and in at most this many (the token band)",
              low=1, step=1),
        Param("text_field", "str", "response", "the text whose tokens are covered",
              choices=TEXT_FIELDS),
    )

    def check_params(self) -> None:
        super().check_params()
        if int(self.max_count) < int(self.min_count):
            raise InputError(f"max_count ({self.max_count}) is below min_count "
                             f"({self.min_count})", field="max_count")

    def _select(self, ctx: SelectionContext, plan: SelectionPlan, seed: int,
                report: ProgressReporter) -> Picks:
        flat, offsets = flat_token_ids(ctx, self.name)
        indptr, types, n_band = band_type_sets(flat, offsets, int(self.min_count),
                                               int(self.max_count))
        covered = np.zeros(int(types.max()) + 1 if len(types) else 1, dtype=bool)
        q = ctx.quality_or_uniform()
        tiebreak = 0.5 * np.clip(q, 0.0, 1.0)  # < 1: never outweighs one more type

        def new_types(rows: np.ndarray) -> np.ndarray:
            starts, lengths = indptr[rows], indptr[rows + 1] - indptr[rows]
            pos = np.repeat(starts - np.concatenate([[0], np.cumsum(lengths)[:-1]]), lengths) \
                + np.arange(int(lengths.sum()))
            fresh = (~covered[types[pos]]).astype(np.int64)
            return np.bincount(np.repeat(np.arange(len(rows)), lengths), weights=fresh,
                               minlength=len(rows))

        indices: list[int] = []
        gains: list[float] = []

        def take(row: int) -> None:
            gains.append(float(new_types(np.array([row]))[0]))
            covered[types[indptr[row]:indptr[row + 1]]] = True
            indices.append(row)
            report(len(indices))

        for row in plan.must:
            take(int(row))
        if plan.n_free:
            free = plan.candidates
            picker = LazyGreedy(free, new_types(free) + tiebreak[free], plan.n, len(indices))
            while len(indices) < plan.k:
                row, _ = picker.pick(len(indices),
                                     lambda rows: new_types(rows) + tiebreak[rows])
                take(row)
        info = {"band_types": n_band, "covered_types": int(covered.sum())}
        return Picks(indices, gains, np.cumsum(gains), info=info)
