"""One selection request: what to select, frozen, with a key and a config round trip.

    request = SelectionRequest("qdit", 1000, {"alpha": 0.7}, quality="length",
                               where="category <> 'brainstorming'",
                               quota=Quota.parse("source=general:0.5,math:0.3,code:0.2"),
                               budget_tokens=400_000)
    result = run_selection(ws, request)
    SelectionRequest.from_config(result.config) == request     # reproduce runs this

The CLI, the dashboard's run memo and prefetcher, the sweep, reproduce and the Ray path all
build one of these and call :func:`core.select.run.run_selection` with it. Construction
normalises (canonical quality spec, stripped ``where``, sorted ids), so two requests that
select the same thing have the same :meth:`key`. Parameter values are checked by the
strategy's declaration when the run starts (``core.select.params``).
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from types import MappingProxyType
from typing import Any

import numpy as np

from core.errors import InputError


@dataclass(frozen=True)
class Quota:
    """Per-value budgets on one categorical pool column.

    parts: (value, amount) in the order given; amounts are either all shares of k (summing to
    1) or all row counts (summing to k). :meth:`counts` turns shares into counts by largest
    remainder (ties to the earlier part), so the counts always sum to k.
    """

    column: str
    parts: tuple[tuple[str, float], ...]

    @classmethod
    def parse(cls, text: str) -> Quota:
        """``COLUMN=VALUE:AMOUNT,VALUE:AMOUNT,...`` (e.g. ``source=general:0.5,math:0.5``)."""
        expected = "expected COLUMN=VALUE:SHARE,... such as source=general:0.5,math:0.3,code:0.2"
        column, sep, rest = str(text).partition("=")
        if not sep or not column.strip() or not rest.strip():
            raise InputError(f"--quota {text!r}: {expected}", field="quota")
        parts = []
        for item in rest.split(","):
            value, colon, amount = item.strip().rpartition(":")
            try:
                number = float(amount)
            except ValueError:
                number = math.nan
            if not colon or not value or not math.isfinite(number) or number <= 0:
                raise InputError(f"--quota part {item.strip()!r}: {expected} (a positive "
                                 "share or count after the colon)", field="quota")
            parts.append((value, number))
        return cls(column.strip(), tuple(parts))

    def __post_init__(self) -> None:
        values = [v for v, _ in self.parts]
        if not self.parts:
            raise InputError("a quota needs at least one part", field="quota")
        if len(set(values)) != len(values):
            raise InputError(f"quota on '{self.column}' names a value twice", field="quota")
        object.__setattr__(self, "parts", tuple((str(v), float(a)) for v, a in self.parts))

    @property
    def is_shares(self) -> bool:
        return any(a != int(a) for _, a in self.parts) or sum(a for _, a in self.parts) <= 1.0

    def counts(self, k: int) -> dict[str, int]:
        """Rows per value for a budget of k; InputError when the amounts do not make k."""
        total = sum(a for _, a in self.parts)
        if self.is_shares:
            if abs(total - 1.0) > 1e-6:
                raise InputError(f"quota shares on '{self.column}' sum to {total:g}, not 1",
                                 field="quota")
            exact = [a * k for _, a in self.parts]
            counts = [int(math.floor(x)) for x in exact]
            order = sorted(range(len(exact)), key=lambda i: (-(exact[i] - counts[i]), i))
            for i in order[:k - sum(counts)]:
                counts[i] += 1
        else:
            counts = [int(a) for _, a in self.parts]
            if sum(counts) != k:
                raise InputError(f"quota counts on '{self.column}' sum to {sum(counts)}, not "
                                 f"k={k}", field="quota")
        return {v: c for (v, _), c in zip(self.parts, counts, strict=True)}

    def to_text(self) -> str:
        return f"{self.column}=" + ",".join(f"{v}:{a:g}" for v, a in self.parts)

    def to_config(self) -> dict[str, Any]:
        return {"column": self.column, "parts": [[v, a] for v, a in self.parts]}

    @classmethod
    def from_config(cls, config: Mapping[str, Any] | str | None) -> Quota | None:
        if config is None:
            return None
        if isinstance(config, str):
            return cls.parse(config)
        return cls(str(config["column"]), tuple((str(v), float(a)) for v, a in config["parts"]))


@dataclass(frozen=True)
class SelectionRequest:
    """Everything that decides a selection's picks.

    strategy, k, params: the strategy, the budget (rows), its declared parameters.
    quality: the quality spec (core.quality.spec), canonicalised. seed: for the seeded parts.
    where: a DuckDB predicate on the pool's columns (None: every row).
    must_include: pool rows picked first, in order. restrict_ids / exclude_ids: ids the
    map's lasso kept (None: no restriction) or removed. quota: per-value budgets on a column
    (None: none). budget_tokens: stop before the pick that would pass this many training
    tokens (instruction + response; None: no token budget). drop_filter: the near-duplicate
    drop to honour (``python -m core near-duplicates --drop``): None means the workspace's
    current one; a result's config records the one used ({} for none), so a rerun applies
    exactly that even after the drop is undone.
    """

    strategy: str
    k: int
    params: Mapping[str, Any] = field(default_factory=dict)
    quality: str = "heuristic"
    seed: int = 0
    where: str | None = None
    must_include: tuple[int, ...] = ()
    restrict_ids: tuple[str, ...] | None = None
    exclude_ids: tuple[str, ...] = ()
    quota: Quota | None = None
    budget_tokens: int | None = None
    drop_filter: Mapping[str, Any] | None = None

    def __post_init__(self) -> None:
        from core.quality import canonical_spec

        set_ = object.__setattr__
        if isinstance(self.k, (int, np.integer)) and not isinstance(self.k, bool):
            set_(self, "k", int(self.k))  # anything else is refused by SelectionPlan.build
        set_(self, "params", MappingProxyType(dict(self.params or {})))
        set_(self, "quality", canonical_spec(self.quality))
        set_(self, "seed", int(self.seed))
        where = self.where.strip() if isinstance(self.where, str) else None
        set_(self, "where", where or None)
        set_(self, "must_include", tuple(int(r) for r in self.must_include))
        if self.restrict_ids is not None:
            set_(self, "restrict_ids", tuple(sorted(map(str, self.restrict_ids))))
        set_(self, "exclude_ids", tuple(sorted(map(str, self.exclude_ids or ()))))
        if isinstance(self.quota, (str, Mapping)):
            set_(self, "quota", Quota.from_config(self.quota))
        if self.budget_tokens is not None:
            if isinstance(self.budget_tokens, bool) or int(self.budget_tokens) < 1 or \
                    int(self.budget_tokens) != self.budget_tokens:
                raise InputError(f"the token budget must be a whole number of at least 1, got "
                                 f"{self.budget_tokens!r}", field="budget_tokens")
            set_(self, "budget_tokens", int(self.budget_tokens))
        if self.drop_filter is not None:
            set_(self, "drop_filter", MappingProxyType(dict(self.drop_filter)))

    def to_config(self) -> dict[str, Any]:
        """A JSON-ready dict (the manifest's and the database's ``config`` fields)."""
        return {
            "strategy": self.strategy, "k": self.k, "params": dict(self.params),
            "quality": self.quality, "seed": self.seed, "where": self.where,
            "must_include": list(self.must_include),
            "restrict_ids": None if self.restrict_ids is None else list(self.restrict_ids),
            "exclude_ids": list(self.exclude_ids),
            "quota": None if self.quota is None else self.quota.to_config(),
            "budget_tokens": self.budget_tokens,
            "drop_filter": None if self.drop_filter is None else dict(self.drop_filter),
        }

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> SelectionRequest:
        """The request a result's (or a manifest's) config was made from; configs written
        before a field existed get its default."""
        try:
            strategy, k = config["strategy"], config["k"]
        except KeyError as exc:
            raise InputError(f"selection config lacks {exc.args[0]!r}", field="config") from None
        return cls(strategy=str(strategy), k=int(k), params=dict(config.get("params") or {}),
                   quality=config.get("quality") or "heuristic",
                   seed=int(config.get("seed") or 0), where=config.get("where"),
                   must_include=tuple(config.get("must_include") or ()),
                   restrict_ids=config.get("restrict_ids"),
                   exclude_ids=tuple(config.get("exclude_ids") or ()),
                   quota=Quota.from_config(config.get("quota")),
                   budget_tokens=config.get("budget_tokens"),
                   # written before near-duplicate drops existed: none
                   drop_filter=config.get("drop_filter", {}))

    def key(self) -> str:
        """A stable text key: equal for requests that select the same rows."""
        return json.dumps(self.to_config(), sort_keys=True, default=str)

    def with_params(self, **params: Any) -> SelectionRequest:
        """This request with some parameters changed (a slider's neighbour, a sweep point)."""
        return replace(self, params={**self.params, **params})

    def replace(self, **changes: Any) -> SelectionRequest:
        return replace(self, **changes)

    def label(self) -> str:
        """"qdit (alpha 0.7)": the strategy and its float parameters, for captions."""
        knobs = ", ".join(f"{n} {v:g}" for n, v in self.params.items() if isinstance(v, float))
        return f"{self.strategy}{f' ({knobs})' if knobs else ''}"


def must_include_rows(rows: Sequence[int] | str) -> tuple[int, ...]:
    """Must-include rows from "0,17" or a sequence; InputError for anything else."""
    if not isinstance(rows, str):
        return tuple(int(r) for r in rows)
    out = []
    for part in (p.strip() for p in rows.split(",")):
        if not part:
            continue
        if not part.lstrip("-").isdigit():
            raise InputError(f"--must-include expects comma-separated row numbers, got {part!r}",
                             field="must_include")
        out.append(int(part))
    return tuple(out)
