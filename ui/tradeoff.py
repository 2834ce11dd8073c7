"""Trade-off sweeps in the dashboard: the Select page's slider plot and the Compare page's
sweeps, both through core.sweep (one sweep implementation, stored in the workspace).

The Select page asks :func:`slider_tradeoff` for the sweep of the strategy's slider at the
current k and quality: a stored sweep is drawn at once; otherwise one is started in a
background process (ui.sweep_worker; one at a time: a sweep for other settings stops the
running one) and the plot appears once it is stored. QDX_PREFETCH=0 (ui.settings: a shared
server's cores, benchmarks of cold releases) starts no background sweep either.
"""

from __future__ import annotations

import threading
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from core.select.registry import STRATEGIES
from core.sweep import COVERAGE, QUALITY, Sweep, SweepSpec, cached_sweep, list_sweeps, run_sweep
from core.workspace import Workspace
from ui import settings

COMPARE_SWEEPS = {"qdit": "alpha", "dpp": "lam"}  # the Compare page's two sweeps
SLIDER_GRID = tuple(round(v, 2) for v in np.linspace(0.0, 1.0, 11))
SLIDER_FAMILIES = ("embedding", "quality")


def slider_spec(strategy: str, params: dict[str, Any], k: int, quality: str | None,
                seed: int) -> SweepSpec | None:
    """The sweep behind ``strategy``'s slider at these settings, or None (no slider)."""
    cls = STRATEGIES.get(strategy)
    name = None if cls is None else cls.quality_weight_param  # qdit alpha, dpp lam
    if name is None:
        return None
    fixed = {key: value for key, value in params.items() if key != name}
    return SweepSpec(strategy=strategy, param=name, grid=SLIDER_GRID, k=int(k),
                     quality=quality, params=fixed, seed=int(seed), families=SLIDER_FAMILIES)


class _Background:
    """One sweep at a time in a child process (ui.sweep_worker); starting a sweep for other
    settings stops the one running."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.key: str | None = None
        self.failed: dict[str, str] = {}
        self.process: Any = None
        self.done: Any = None
        self.errors: Any = None

    def status(self, key: str) -> tuple[bool, int]:
        with self.lock:
            self._collect()
            alive = self.key == key and self.process is not None and self.process.is_alive()
            return alive, int(self.done.value) if self.done is not None else 0

    def _collect(self) -> None:
        if self.errors is not None and self.key is not None:
            while not self.errors.empty():
                self.failed[self.key] = self.errors.get()

    def start(self, root: str, key: str, spec: SweepSpec) -> None:
        import multiprocessing as mp

        from ui.sweep_worker import run_child

        with self.lock:
            self._collect()
            if key in self.failed or (self.key == key and self.process is not None
                                      and self.process.is_alive()):
                return
            self._terminate()
            ctx = mp.get_context("spawn")
            self.key, self.done, self.errors = key, ctx.Value("i", 0), ctx.SimpleQueue()
            self.process = ctx.Process(target=run_child, args=(root, spec, self.done,
                                                              self.errors),
                                       daemon=True, name="qdx-sweep")
            self.process.start()

    def _terminate(self) -> None:
        if self.process is not None and self.process.is_alive():
            self.process.terminate()
            self.process.join(10)
        self.process = None

    def running(self) -> bool:
        with self.lock:
            return self.process is not None and self.process.is_alive()

    def stop(self) -> None:
        """Stop the running sweep now (nothing of it is stored)."""
        with self.lock:
            self._terminate()
            self.key = None


_BACKGROUND = _Background()


def stop_background_sweep() -> None:
    """Stop a background slider sweep (tests; a page that wants both cores)."""
    _BACKGROUND.stop()


def tradeoff_figure(sweep: Sweep, current: float | None = None, height: int = 230) -> go.Figure:
    """Coverage (left axis) and mean quality (right axis) against the swept value, with the
    current value marked by a dashed line."""
    pts = sweep.points
    fig = go.Figure()
    fig.add_trace(go.Scatter(x=pts["value"], y=pts[COVERAGE], name="coverage",
                             mode="lines+markers"))
    fig.add_trace(go.Scatter(x=pts["value"], y=pts[QUALITY], name="mean quality",
                             mode="lines+markers", yaxis="y2"))
    if current is not None:
        fig.add_vline(x=float(current), line_dash="dash", line_color="black",
                      annotation_text=f"{sweep.spec.param} = {current:g}")
    fig.update_layout(height=height, margin={"l": 0, "r": 0, "t": 30, "b": 0},
                      xaxis_title=sweep.spec.param, yaxis_title="coverage",
                      yaxis2={"title": "mean quality", "overlaying": "y", "side": "right"},
                      legend={"orientation": "h", "y": 1.15})
    return fig


def slider_tradeoff(ws: Workspace, strategy: str, params: dict[str, Any], k: int,
                    quality: str | None, seed: int) -> None:
    """Draw the trade-off of the strategy's slider at this k and quality (see the module
    docstring); nothing for a strategy without a slider."""
    spec = slider_spec(strategy, params, k, quality, seed)
    if spec is None:
        return
    sweep = cached_sweep(ws, spec)
    if sweep is None:
        key = spec.key(ws)
        if not settings.prefetch_enabled():
            st.caption(f"No stored {spec.param} trade-off for k = {k:,} yet (background runs "
                       "are off): `python -m core sweep` or the Compare page stores one.")
            return
        _BACKGROUND.start(str(ws.root), key, spec)
        running, done = _BACKGROUND.status(key)
        if key in _BACKGROUND.failed:
            st.caption(f"No trade-off plot: {_BACKGROUND.failed[key]}")
        elif running:
            st.caption(f"The {spec.param} trade-off at k = {k:,} is being computed in the "
                       f"background ({done} of at most {spec.max_points} points); it is drawn "
                       "here once done.")
        return
    current = float(params.get(spec.param, 0.0))
    st.plotly_chart(tradeoff_figure(sweep, current), width="stretch", key="slider_tradeoff")
    knee = sweep.knee
    st.caption(f"Coverage and mean quality of the {k:,} picks against {spec.param} (stored "
               f"sweep, {len(sweep.points)} points, whole pool)"
               + (f"; knee at {knee['value']:g}" if knee else "") + ".")


def run_compare_sweeps(ws: Workspace, k: int, quality: str, steps: int, progress
                       ) -> list[Sweep]:
    """The Compare page's alpha and lambda sweeps (grid of ``steps`` values, refined),
    stored in the workspace; ``progress(fraction, text)``."""
    grid = tuple(round(v, 6) for v in np.linspace(0.0, 1.0, steps))
    specs = [SweepSpec(strategy=s, param=p, grid=grid, k=k, quality=quality)
             for s, p in COMPARE_SWEEPS.items()]
    out = []
    for j, spec in enumerate(specs):
        def report(done: int, total: int, value: float, j: int = j, spec: SweepSpec = spec
                   ) -> bool:
            progress(min(1.0, (j + done / total) / len(specs)),
                     f"{spec.strategy} {spec.param}={value:.3g} ({done} points)")
            return True

        out.append(run_sweep(ws, spec, progress=report))
    return out


def sweep_label(sweep: Sweep) -> str:
    s = sweep.spec
    return (f"{s.strategy} {s.param}, k={s.k:,}, quality {s.quality} "
            f"({len(sweep.points)} points)")


def stored_sweeps(ws: Workspace) -> list[Sweep]:
    return list_sweeps(ws)


def sweeps_table(sweeps: list[Sweep]) -> pd.DataFrame:
    """Long table: strategy, param, value and every measure of each sweep's points."""
    parts = [s.points.assign(strategy=s.spec.strategy, param=s.spec.param) for s in sweeps]
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()
