"""The one interface every selection strategy implements.

A strategy is configured once (scikit-learn style: ``__init__`` only stores its parameters)
and then run on a :class:`SelectionContext`, the arrays a strategy may read:

    strategy = QditStrategy(alpha=0.7)
    result = strategy.select(ctx, k=1000, candidates=mask, must_include=[3, 17], seed=0)

Shared semantics, enforced here so that every strategy behaves the same:

- ``k`` counts every pick, must-include rows included; ``1 <= k <= |must ∪ candidates|``.
- ``candidates`` (bool mask of length n, or row numbers) restricts which rows may be picked;
  None means every row. The objective itself is still computed over the whole pool (e.g.
  facility-location coverage of all n rows): the mask says what may be picked, not what
  has to be represented.
- ``must_include`` rows are picked first, in the given order, even when the candidate mask
  excludes them (an explicit pin beats a filter). Their gains are computed under the
  strategy's objective like any other pick.
- ``progress(done, total)`` is called as picks are made; returning ``False`` cancels the run
  with :class:`core.errors.CancelledError`.
- The result's ``config`` holds the strategy name and every parameter, so
  ``get_strategy(config["strategy"], **config["params"])`` rebuilds the same strategy.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

import numpy as np

from core.errors import CancelledError, InputError
from core.neighbors import KnnGraph
from core.progress import ProgressFn
from core.select.params import Param
from core.select.result import SelectionResult


@dataclass
class SelectionContext:
    """The inputs a strategy may read. Every array has one row per pool row.

    embeddings: (n, d) float32, L2-normalised (cosine = dot product).
    quality: (n,) float64 rank-normalised to [0, 1] (higher is better), or None when the
        user chose no quality score; strategies then treat every row as equally good.
    knn: the shared cosine kNN graph of ``embeddings`` (sparse facility location), or None.
    labels: (n,) int cluster or domain label per row, or None (strategies that need one
        run k-means on the embeddings); label_names names each label value.
    centroids: (c, d) float32 L2-normalised centroid per label, or None (computed from
        ``labels`` when needed).
    texts: one text per row (the response side by default) for token coverage, or None.
    token_ids: precomputed WordPiece ids of ``texts`` as (flat ids, offsets of length n+1),
        or None (computed from ``texts`` on demand).
    """

    embeddings: np.ndarray | None = None
    quality: np.ndarray | None = None
    knn: KnnGraph | None = None
    labels: np.ndarray | None = None
    label_names: list[str] | None = None
    centroids: np.ndarray | None = None
    texts: Sequence[str] | None = None
    token_ids: tuple[np.ndarray, np.ndarray] | None = None
    n: int | None = None

    def __post_init__(self) -> None:
        sizes = {}
        if self.embeddings is not None:
            sizes["embeddings"] = int(np.shape(self.embeddings)[0])
        if self.quality is not None:
            self.quality = np.asarray(self.quality, dtype=np.float64)
            sizes["quality"] = len(self.quality)
        if self.knn is not None:
            sizes["knn"] = self.knn.n
        if self.labels is not None:
            self.labels = np.asarray(self.labels)
            sizes["labels"] = len(self.labels)
        if self.texts is not None:
            sizes["texts"] = len(self.texts)
        if self.token_ids is not None:
            sizes["token_ids"] = len(self.token_ids[1]) - 1
        if self.n is not None:
            sizes["n"] = int(self.n)
        if len(set(sizes.values())) > 1:
            raise ValueError(f"selection context arrays disagree on the number of rows: {sizes}")
        self.n = next(iter(sizes.values())) if sizes else None

    def require(self, what: str, strategy: str) -> Any:
        value = getattr(self, what)
        if value is None:
            raise InputError(f"strategy '{strategy}' needs {what}, which this pool does not "
                             "have yet", field=what)
        return value

    def quality_or_uniform(self) -> np.ndarray:
        """Quality in [0, 1], or all ones when no quality score was chosen."""
        if self.quality is None:
            return np.ones(self.n or 0, dtype=np.float64)
        return self.quality


@dataclass
class SelectionPlan:
    """Validated budget, candidate rows and must-include rows for one run.

    must: int64 rows to pick first, in order. candidates: int64 sorted rows the strategy
    chooses among (the candidate mask less ``must``). k: total picks, must rows included.
    """

    n: int
    k: int
    must: np.ndarray
    candidates: np.ndarray

    @classmethod
    def build(cls, n: int, k: int, candidates: np.ndarray | Sequence[int] | None,
              must_include: Sequence[int]) -> SelectionPlan:
        if isinstance(k, bool) or not isinstance(k, (int, np.integer)):
            raise InputError(f"k must be a whole number, got {k!r}", field="k")
        k = int(k)
        if k < 1:
            raise InputError(f"k must be at least 1, got {k}", field="k")
        mask = candidate_mask(n, candidates)
        must = np.asarray(list(must_include), dtype=np.int64).ravel()
        if must.size:
            bad = must[(must < 0) | (must >= n)]
            if bad.size:
                raise InputError(f"must-include row {int(bad[0])} is outside the pool of {n} "
                                 "rows", field="must_include")
            if len(np.unique(must)) != len(must):
                raise InputError("must-include rows repeat a row", field="must_include")
            if len(must) > k:
                raise InputError(f"{len(must)} must-include rows do not fit in k={k}",
                                 field="must_include")
            mask[must] = False
        free = np.flatnonzero(mask).astype(np.int64)
        available = len(free) + len(must)
        if k > available:
            raise InputError(f"k={k} is larger than the {available} candidate rows", field="k")
        return cls(n=n, k=k, must=must, candidates=free)

    @property
    def n_free(self) -> int:
        """Picks left after the must-include rows."""
        return self.k - len(self.must)


def candidate_mask(n: int, candidates: np.ndarray | Sequence[int] | None) -> np.ndarray:
    """A fresh bool (n,) mask from a bool mask, row numbers, or None (every row)."""
    if candidates is None:
        return np.ones(n, dtype=bool)
    arr = np.asarray(candidates)
    if arr.dtype == bool:
        if arr.shape != (n,):
            raise InputError(f"candidate mask has {arr.size} entries, expected {n}",
                             field="candidates")
        return arr.copy()
    rows = arr.astype(np.int64).ravel()
    if rows.size and (rows.min() < 0 or rows.max() >= n):
        raise InputError(f"candidate rows must lie in 0..{n - 1}", field="candidates")
    mask = np.zeros(n, dtype=bool)
    mask[rows] = True
    return mask


class ProgressReporter:
    """Calls ``progress(done, total)`` about 200 times per run; False from it cancels."""

    def __init__(self, progress: ProgressFn | None, total: int, what: str = "selection") -> None:
        self.progress = progress
        self.total = max(int(total), 1)
        self.every = max(1, self.total // 200)
        self.what = what
        self._last = -1

    def __call__(self, done: int, force: bool = False) -> None:
        if self.progress is None:
            return
        if force or done >= self._last + self.every or done >= self.total:
            self._last = done
            if self.progress(int(done), self.total) is False:
                raise CancelledError(f"{self.what} cancelled after {done} of {self.total} picks")


@dataclass
class Picks:
    """What a strategy's ``_select`` returns; the base class turns it into a result."""

    indices: list[int] | np.ndarray
    gains: list[float] | np.ndarray
    objective_trace: list[float] | np.ndarray
    stopped_early: str | None = None
    info: dict[str, Any] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)


class Strategy:
    """Base class: subclasses set ``name``, declare ``params`` and implement
    ``_select(ctx, plan, seed, report) -> Picks``.

    needs: the context fields the strategy reads ("embeddings", "quality", "knn", "labels",
    "texts"); :func:`core.select.run.run_selection` fills exactly these.
    params: the declared parameters (:class:`core.select.params.Param`); ``__init__`` stores
    each one (its default when not given) and ``check_params`` validates them, so a strategy
    writes no constructor. The CLI, the dashboard and the manifest read the same tuple.
    greedy: True when the first j picks of a k-run equal a j-run (prefix consistency).
    resumable: True when a k-run with its own first j picks pinned (must-include) makes the
    k-run's picks and objective trace again (the greedy state after the pins is the state
    after picking them), so a run can be shown after j picks and then finished
    (core.select.progressive). Not random (it permutes the rows left) nor cluster_balanced
    (its round-robin restarts after the pins).
    first_stage_work: for a resumable strategy whose every pick is a pass over the whole
    pool's embeddings, the most (pool rows x dimensions x picks) a progressive run's first
    stage may do, so that it is shown at once on a large pool
    (core.select.progressive.first_stage_size); None: a quarter of k.
    prefetch: the dashboard computes the main slider's neighbouring values ahead (for
    strategies too slow to rerun on every slider release).
    order: where the strategy sits in lists (the CLI help, the dashboard's menu).
    summary: one line for the dashboard's strategy help.
    quality_weight_param: the declared parameter in [0, 1] that weighs quality against
    diversity, or None.
    At 1 the diversity term has weight 0: the strategy is the quality top-k (must-include
    rows first, ties to the lower row) and needs the quality score alone
    (:meth:`quality_only`, the one place that rule is written).
    """

    name: ClassVar[str] = ""
    needs: ClassVar[frozenset[str]] = frozenset()
    params: ClassVar[tuple[Param, ...]] = ()
    greedy: ClassVar[bool] = True
    resumable: ClassVar[bool] = False
    first_stage_work: ClassVar[int | None] = None
    prefetch: ClassVar[bool] = False
    order: ClassVar[int] = 100
    summary: ClassVar[str] = ""
    quality_weight_param: ClassVar[str | None] = None

    def __init__(self, **params: Any) -> None:
        declared = self.param_names()
        unknown = [p for p in params if p not in declared]
        if unknown:
            have = ", ".join(declared) if declared else "none"
            raise InputError(f"strategy '{self.name}' has no parameter '{unknown[0]}' (its "
                             f"parameters: {have})", field=unknown[0])
        for param in self.params:
            setattr(self, param.name, params.get(param.name, param.default))

    def get_params(self) -> dict[str, Any]:
        """Every declared parameter and its current value (JSON-serialisable)."""
        return {p.name: getattr(self, p.name) for p in self.params}

    @classmethod
    def param_names(cls) -> list[str]:
        return [p.name for p in cls.params]

    @classmethod
    def param(cls, name: str) -> Param:
        return next(p for p in cls.params if p.name == name)

    @classmethod
    def main_param(cls) -> Param | None:
        """The parameter the dashboard shows as the slider beside the budget, if any."""
        return next((p for p in cls.params if p.main), None)

    def quality_only(self) -> bool:
        """True when the quality weight is 1 (see ``quality_weight_param``)."""
        return (self.quality_weight_param is not None
                and float(getattr(self, self.quality_weight_param)) == 1.0)

    def context_needs(self, n: int) -> frozenset[str]:
        """The context fields this configured strategy needs on a pool of ``n`` rows."""
        return frozenset({"quality"}) if self.quality_only() else self.needs

    def gain_quality_part(self, gains: np.ndarray, rows: np.ndarray, q: np.ndarray
                          ) -> np.ndarray:
        """The part of each pick's gain that its quality term contributed (core.explain
        reports gain = coverage_part + quality_part). gains, rows: (k,) the picks' gains and
        pool rows; q: (n,) the run's rank-normalised quality (ones when none).
        Default: the strategy has no quality term, so 0 for every pick."""
        return np.zeros(len(rows))

    def check_params(self) -> None:
        """Raise InputError naming the first invalid parameter (called before each run).

        Each declared parameter is checked and coerced (an int alpha becomes a float, so
        equal requests have equal keys); subclasses add checks that span parameters."""
        for param in self.params:
            setattr(self, param.name, param.check(getattr(self, param.name)))

    def select(self, ctx: SelectionContext, k: int, *,
               candidates: np.ndarray | Sequence[int] | None = None,
               must_include: Sequence[int] = (), seed: int = 0,
               progress: ProgressFn | None = None) -> SelectionResult:
        """Pick ``k`` rows; see the module docstring for the shared semantics."""
        start = time.perf_counter()
        self.check_params()
        if ctx.n is None:
            raise InputError("the selection context is empty: no pool rows to select from")
        plan = SelectionPlan.build(ctx.n, k, candidates, must_include)
        report = ProgressReporter(progress, plan.k, what=f"{self.name} selection")
        picks = self._select(ctx, plan, int(seed), report)
        report(len(picks.indices), force=True)
        elapsed = time.perf_counter() - start
        timings = {**picks.timings, "select": elapsed}
        config = {
            "strategy": self.name,
            "params": self.get_params(),
            "k": plan.k,
            "seed": int(seed),
            "n_rows": plan.n,
            "n_candidates": int(len(plan.candidates) + len(plan.must)),
            "must_include": [int(i) for i in plan.must],
            **({"info": picks.info} if picks.info else {}),
        }
        return SelectionResult(indices=np.asarray(picks.indices, dtype=np.int64),
                               gains=np.asarray(picks.gains, dtype=np.float64),
                               objective_trace=np.asarray(picks.objective_trace,
                                                          dtype=np.float64),
                               config=config, timings=timings,
                               stopped_early=picks.stopped_early)

    def _select(self, ctx: SelectionContext, plan: SelectionPlan, seed: int,
                report: ProgressReporter) -> Picks:
        raise NotImplementedError

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_params().items())
        return f"{type(self).__name__}({args})"
