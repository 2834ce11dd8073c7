"""Budgets that span a strategy's picks: per-value quotas and a training-token budget.

Quota (``--quota source=general:0.5,math:0.3,code:0.2``): the parts are filled one after
the other, in the order given, each by the strategy's own objective restricted to that
part's rows, with every earlier pick as a must-include prefix. For a greedy strategy this
is the greedy with a per-part budget: within a part every pick is the exact greedy choice
given all the picks before it (those of the earlier parts included, so a later part still
avoids what an earlier one covers). The parts are not interleaved: part 1's picks come
first in the rank order. The user's must-include rows are picked before everything and
count towards their own part.

Token budget (``--budget-tokens N``): the run stops before the first pick that would take
the selection's training tokens (instruction + response of every pick) past N. Every
strategy here is prefix-consistent (the first j picks of a k-run are the j-run), so cutting
the k-run there is the run that stops there.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from core.errors import InputError
from core.progress import against_total
from core.select.base import ProgressFn, SelectionContext, Strategy, candidate_mask
from core.select.request import Quota
from core.select.result import SelectionResult


def quota_parts(values: np.ndarray, quota: Quota, k: int, mask: np.ndarray,
                must: tuple[int, ...]) -> list[tuple[str, np.ndarray, int]]:
    """(value, candidate mask of the part, picks still to make) per quota part, in order.

    ``values``: the quota column as text, one per pool row; ``mask``: the run's candidate
    mask. InputError when a value matches no row, a part cannot be filled, or a
    must-include row lies outside every part (or overfills its part).
    """
    counts = quota.counts(k)
    must_arr = np.asarray(must, dtype=np.int64)
    free = mask.copy()
    free[must_arr] = False
    parts = []
    for value, count in counts.items():
        in_part = values == value
        if not in_part.any():
            raise InputError(f"quota value '{value}' matches no row of column "
                             f"'{quota.column}'", field="quota")
        pinned = int(in_part[must_arr].sum()) if must_arr.size else 0
        need = count - pinned
        if need < 0:
            raise InputError(f"{pinned} must-include rows have {quota.column}='{value}', more "
                             f"than its quota of {count}", field="quota")
        available = int((free & in_part).sum())
        if need > available:
            raise InputError(f"the quota asks for {count} rows with {quota.column}='{value}'; "
                             f"only {available + pinned} candidate rows have it", field="quota")
        parts.append((value, free & in_part, need))
    listed = np.isin(values[must_arr], list(counts)) if must_arr.size else np.ones(0, bool)
    if not listed.all():
        row = int(must_arr[~listed][0])
        raise InputError(f"must-include row {row} has {quota.column}='{values[row]}', which "
                         "the quota does not list", field="must_include")
    return parts


def select_with_quota(strategy: Strategy, ctx: SelectionContext, k: int, values: np.ndarray,
                      quota: Quota, candidates: np.ndarray | None, must: tuple[int, ...],
                      seed: int, progress: ProgressFn | None = None,
                      tokens: np.ndarray | None = None, budget: int | None = None
                      ) -> SelectionResult:
    """The strategy run part by part (see the module docstring); the result's config keeps
    the user's k and must-include rows.

    With a token ``budget`` (``tokens``: per pool row), each part gets the budget's share of
    its quota (budget * count / k) and stops before the pick that would pass it; the next
    part then starts from the picks kept, so every part stays the exact greedy given the
    picks before it.
    """
    n = int(ctx.n or 0)
    mask = candidate_mask(n, candidates)
    parts = quota_parts(values, quota, k, mask, must)
    counts = quota.counts(k)
    picked = list(must)
    result = None
    notes = []
    for value, part_mask, need in parts:
        if need == 0:
            continue
        before = len(picked)
        report = against_total(progress, k)
        result = strategy.select(ctx, before + need, candidates=part_mask, must_include=picked,
                                 seed=seed, progress=report)
        if result.stopped_early:
            notes.append(f"{quota.column}='{value}': {result.stopped_early}")
        if budget is not None:
            share = budget * counts[value] / k
            part_tokens = np.cumsum(np.asarray(tokens, dtype=np.int64)[result.indices[before:]])
            keep = int(np.searchsorted(part_tokens, share, side="right"))
            if keep < need:
                truncate(result, before + keep)
                notes.append(f"{quota.column}='{value}' reached its share of the token budget "
                             f"({share:,.0f}) after {keep:,} of {need:,} picks")
        picked = result.indices.tolist()
    if result is None:  # every part is filled by must-include rows
        result = strategy.select(ctx, len(picked), candidates=np.zeros(n, bool),
                                 must_include=picked, seed=seed)
    result.config.update({"k": int(k), "must_include": [int(r) for r in must]})
    result.stopped_early = "; ".join(notes) or None
    return result


def quota_summary(values: np.ndarray, quota: Quota, k: int, indices: np.ndarray
                  ) -> dict[str, Any]:
    """Per quota value: its quota of k, the picks that have it and the pool rows that do
    (``info.quota`` of the config; the manifest and the cards show it)."""
    counts = quota.counts(k)
    chosen = values[np.asarray(indices, dtype=np.int64)]
    return {"column": quota.column, "parts": {
        value: {"quota": int(counts[value]), "picked": int((chosen == value).sum()),
                "pool": int((values == value).sum())} for value in counts}}


def truncate(result: SelectionResult, keep: int) -> None:
    """Keep the first ``keep`` picks of ``result`` (a prefix: greedy picks are final)."""
    result.indices = result.indices[:keep]
    result.gains = result.gains[:keep]
    result.objective_trace = result.objective_trace[:keep]


def cut_to_token_budget(result: SelectionResult, tokens: np.ndarray, budget: int,
                        source: str) -> SelectionResult:
    """``result`` cut before the first pick that takes the tokens past ``budget``.

    tokens: (n,) training tokens per pool row. Adds ``info.tokens`` (the selection's total,
    the budget and how they were counted) to the config; sets ``stopped_early`` when the
    budget, not k, ended the run. A cut already made per quota part leaves nothing to cut.
    """
    per_pick = np.asarray(tokens, dtype=np.int64)[result.indices]
    total = np.cumsum(per_pick)
    keep = int(np.searchsorted(total, budget, side="right"))
    if keep == 0:
        raise InputError(f"the first pick alone has {int(per_pick[0]):,} tokens, more than "
                         f"the token budget of {budget:,}", field="budget_tokens")
    if keep < len(result.indices):
        truncate(result, keep)
        result.stopped_early = (f"token budget of {budget:,} reached after {keep:,} picks "
                                f"({int(total[keep - 1]):,} tokens; the next pick has "
                                f"{int(per_pick[keep]):,})")
    info = dict(result.config.get("info") or {})
    info["tokens"] = {"total": int(total[keep - 1]), "budget": int(budget), "counted": source}
    result.config["info"] = info
    return result
