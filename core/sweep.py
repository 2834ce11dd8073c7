"""Parameter sweeps: one strategy parameter run over a grid, refined where the trade happens.

    spec = SweepSpec(strategy="qdit", param="alpha", grid=(0, 0.1, ..., 1), k=200,
                     quality="length")
    sweep = run_sweep(ws, spec)           # or load_sweep / cached: see below
    sweep.points  # DataFrame: value, facility_location, quality_mean, ..., pareto, knee
    sweep.knee    # dict: the point farthest from the line joining the two ends

Each point is ``run_selection(ws, SelectionRequest(strategy, k, {param: value, **params}))``
measured with
``compute_all_metrics`` (the ``families`` asked for, no random baseline). Adaptive
refinement: after the grid, the neighbouring pair (by value) whose step moves
facility-location coverage or mean quality by the largest share of that measure's range
(max - min over the points so far) is bisected, until no step moves either by more than
``max_step_share`` (0.2) of its range or ``max_points`` (25) are done. A pair closer than
``min_gap`` is not split again (a jump in a greedy's output can be a true discontinuity).

pareto: not dominated in (facility_location, quality_mean), both higher is better
(core.compare.pareto_front). knee: both measures min-max normalised over the points; the
point with the largest distance from the straight line joining the lowest and the highest
value's points.

Sweeps are stored in the workspace (``sweeps/<key>.json``, written atomically) under a key
of the pool, the embedding and the spec, so a page or a later command shows them without
recomputing (:func:`cached_sweep`, :func:`list_sweeps`). Nothing else is saved unless
``save_points``: then every point becomes a saved selection named
``sweep-STRATEGY-PARAM=VALUE-kK``.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from core.compare import pareto_front
from core.errors import InputError
from core.workspace.atomic import atomic_write_json, read_json
from core.workspace.keys import config_key

COVERAGE, QUALITY = "facility_location", "quality_mean"
DEFAULT_FAMILIES = ("embedding", "cluster", "quality")
SweepProgress = Callable[[int, int, float], "bool | None"]


@dataclass(frozen=True)
class SweepSpec:
    """What to sweep. grid: the starting values (sorted, unique); params: the strategy's
    other parameters, fixed; families: metric families measured per point."""

    strategy: str
    param: str
    grid: tuple[float, ...]
    k: int
    quality: str | None = "heuristic"
    params: dict[str, Any] = field(default_factory=dict)
    seed: int = 0
    where: str | None = None
    families: tuple[str, ...] = DEFAULT_FAMILIES
    max_points: int = 25
    max_step_share: float = 0.2
    min_gap: float = 1e-3

    def key(self, ws: Any) -> str:
        info = ws.embedding_info() or {}
        return config_key("sweep", ws.pool_key, info.get("key"), _jsonable(asdict(self)))


@dataclass
class Sweep:
    """points: one row per value (sorted), every measure, ``pareto`` and ``knee`` flags."""

    spec: SweepSpec
    points: pd.DataFrame
    seconds: float = 0.0
    created: float = field(default_factory=time.time)

    @property
    def knee(self) -> dict[str, Any] | None:
        hit = self.points[self.points["knee"]]
        return None if hit.empty else _record(hit.iloc[0])

    def max_step_shares(self) -> dict[str, float]:
        """The largest step between neighbouring points as a share of each measure's range."""
        return {m: float(step_shares(self.points, m).max(initial=0.0)) for m in (COVERAGE,
                                                                             QUALITY)}

    def to_json(self) -> dict[str, Any]:
        return {"spec": _jsonable(asdict(self.spec)), "seconds": round(self.seconds, 3),
                "created": self.created,
                "points": [_record(r) for _, r in self.points.iterrows()], "knee": self.knee}


def parse_grid(text: str) -> tuple[str, tuple[float, ...]]:
    """``NAME=START:STOP:STEP`` (stop included) or ``NAME=V1,V2,...`` -> (name, values)."""
    name, sep, rest = str(text).partition("=")
    name = name.strip()
    if not sep or not name or not rest.strip():
        raise InputError(f"--param expects NAME=START:STOP:STEP or NAME=V1,V2,..., got {text!r}",
                         field="param")
    try:
        if ":" in rest:
            start, stop, step = (float(p) for p in rest.split(":"))
            if step <= 0 or stop < start:
                raise ValueError
            count = int(np.floor((stop - start) / step + 1e-9)) + 1
            values = [round(start + i * step, 10) for i in range(count)]
        else:
            values = [float(p) for p in rest.split(",") if p.strip()]
    except ValueError:
        raise InputError(f"--param {text!r}: expected START:STOP:STEP with STEP > 0 and "
                         "STOP >= START, or comma-separated numbers", field="param") from None
    values = sorted(set(values))
    if len(values) < 2:
        raise InputError(f"--param {text!r}: a sweep needs at least two values", field="param")
    return name, tuple(values)


def step_shares(points: pd.DataFrame, measure: str) -> np.ndarray:
    """|measure[i+1] - measure[i]| / (max - min) for points sorted by value (0 when flat)."""
    vals = points.sort_values("value")[measure].to_numpy(dtype=np.float64)
    span = np.nanmax(vals) - np.nanmin(vals) if len(vals) else 0.0
    if len(vals) < 2 or not np.isfinite(span) or span <= 0:
        return np.zeros(max(len(vals) - 1, 0))
    return np.abs(np.diff(vals)) / span


def next_value(points: pd.DataFrame, spec: SweepSpec) -> float | None:
    """The midpoint of the pair with the largest step share above spec.max_step_share, or
    None when every step is within it (pairs closer than min_gap are not split)."""
    pts = points.sort_values("value")
    values = pts["value"].to_numpy(dtype=np.float64)
    share = np.maximum(step_shares(pts, COVERAGE), step_shares(pts, QUALITY))
    for i in np.argsort(-share, kind="stable"):
        if share[i] <= spec.max_step_share + 1e-9:  # round-off on an exact 20% step
            return None
        a, b = float(values[i]), float(values[i + 1])
        if b - a >= 2 * spec.min_gap:
            return round((a + b) / 2, 10)
    return None


def knee_mask(points: pd.DataFrame) -> np.ndarray:
    """bool mask (in ``points`` order) of the knee; see the module docstring."""
    mask = np.zeros(len(points), dtype=bool)
    if len(points) < 3:
        return mask
    order = np.argsort(points["value"].to_numpy(), kind="stable")
    xy = np.column_stack([_unit(points[COVERAGE].to_numpy(dtype=np.float64)),
                          _unit(points[QUALITY].to_numpy(dtype=np.float64))])
    a, b = xy[order[0]], xy[order[-1]]
    d = b - a
    norm = float(np.hypot(*d))
    if norm == 0:
        return mask
    dist = np.abs(d[0] * (xy[:, 1] - a[1]) - d[1] * (xy[:, 0] - a[0])) / norm
    dist[[order[0], order[-1]]] = -1.0
    mask[int(np.argmax(dist))] = True
    return mask


def _unit(v: np.ndarray) -> np.ndarray:
    span = np.nanmax(v) - np.nanmin(v)
    return np.zeros_like(v) if not span > 0 else (v - np.nanmin(v)) / span


def run_sweep(ws: Any, spec: SweepSpec, *, progress: SweepProgress | None = None,
              save_points: bool = False, store: bool = True) -> Sweep:
    """Run the grid, refine it adaptively, flag pareto and knee; store it in ``ws``.

    Cost: one selection and one metrics report per point (at most ``max_points``).
    ``progress(done, max_points, value)`` after each point; returning False cancels with
    CancelledError (nothing is stored then).
    """
    from core.errors import CancelledError
    from core.metrics import MetricsOptions, compute_all_metrics
    from core.metrics.workspace_pool import metrics_pool_from_workspace
    from core.select.request import SelectionRequest
    from core.select.run import run_selection

    _check(spec)
    started = time.perf_counter()
    sides = ("instruction", "response") if "text" in spec.families else ()
    pool = metrics_pool_from_workspace(ws, quality=spec.quality, where=spec.where, sides=sides)
    opts = MetricsOptions(families=tuple(spec.families), n_random=0)
    rows: list[dict[str, Any]] = []

    def measure(value: float) -> None:
        params = {**spec.params, spec.param: value}
        result = run_selection(ws, SelectionRequest(spec.strategy, spec.k, params,
                                                    quality=spec.quality, seed=spec.seed,
                                                    where=spec.where))
        report = compute_all_metrics(pool, result.indices, opts)
        rows.append({"value": value, **{m: e["selection"] for m, e in report.items()},
                     "picks": result.k, "seconds": round(result.timings.get("total", 0.0), 4)})
        if save_points:
            ws.save_selection(point_name(spec, value), result)
        if progress is not None and progress(len(rows), spec.max_points, value) is False:
            raise CancelledError(f"sweep cancelled after {len(rows)} points")

    for value in spec.grid[:spec.max_points]:
        measure(float(value))
    while len(rows) < spec.max_points:
        value = next_value(pd.DataFrame(rows), spec)
        if value is None:
            break
        measure(value)
    points = pd.DataFrame(rows).sort_values("value").reset_index(drop=True)
    points["pareto"] = pareto_front(points[COVERAGE], points[QUALITY])
    points["knee"] = knee_mask(points)
    sweep = Sweep(spec, points, seconds=time.perf_counter() - started)
    if store:
        save_sweep(ws, sweep)
    return sweep


def _check(spec: SweepSpec) -> None:
    from core.select.registry import get_strategy

    strategy = get_strategy(spec.strategy, **spec.params)  # unknown strategy / parameter
    if spec.param not in strategy.param_names():
        raise InputError(f"strategy '{spec.strategy}' has no parameter '{spec.param}' (its "
                         f"parameters: {', '.join(strategy.param_names())})", field="param")
    for value in spec.grid:
        get_strategy(spec.strategy, **{**spec.params, spec.param: value})  # each in range
    if not 2 <= spec.max_points <= 200:
        raise InputError(f"max points must be between 2 and 200, got {spec.max_points}",
                         field="max_points")
    if not 0 < spec.max_step_share < 1:
        raise InputError(f"max step share must lie in (0, 1), got {spec.max_step_share}",
                         field="max_step_share")
    if "quality" not in spec.families or "embedding" not in spec.families:
        raise InputError("a sweep measures the embedding and quality families at least",
                         field="families")


def point_name(spec: SweepSpec, value: float) -> str:
    return f"sweep-{spec.strategy}-{spec.param}{value:g}-k{spec.k}"


# ------------------------------------------------------------------ storage
def _folder(ws: Any):
    return ws.root / "sweeps"


def save_sweep(ws: Any, sweep: Sweep) -> str:
    key = sweep.spec.key(ws)
    atomic_write_json(_folder(ws) / f"{key}.json", sweep.to_json())
    return key


def _from_json(data: dict[str, Any]) -> Sweep:
    spec = dict(data["spec"])
    for name in ("grid", "families"):
        spec[name] = tuple(spec[name])
    points = pd.DataFrame(data["points"])
    return Sweep(SweepSpec(**spec), points, seconds=float(data.get("seconds", 0.0)),
                 created=float(data.get("created", 0.0)))


def cached_sweep(ws: Any, spec: SweepSpec) -> Sweep | None:
    """The stored sweep of exactly ``spec`` on this pool and embedding, or None."""
    data = read_json(_folder(ws) / f"{spec.key(ws)}.json")
    return None if data is None else _from_json(data)


def list_sweeps(ws: Any) -> list[Sweep]:
    """Stored sweeps of this pool and embedding, newest first (unreadable files skipped)."""
    out = []
    folder = _folder(ws)
    for path in folder.glob("*.json") if folder.exists() else ():
        try:
            sweep = _from_json(json.loads(path.read_text(encoding="utf-8")))
        except (OSError, ValueError, KeyError, TypeError):
            continue
        if path.stem == sweep.spec.key(ws):  # same pool and embedding as now
            out.append(sweep)
    return sorted(out, key=lambda s: -s.created)


def _record(row: pd.Series) -> dict[str, Any]:
    return {key: _jsonable(value) for key, value in row.items()}


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, (np.bool_, bool)):
        return bool(value)
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, (np.floating, float)):
        return None if not np.isfinite(value) else float(value)
    return value
