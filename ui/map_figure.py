"""The map figure as pure functions (no Streamlit), so they can be unit-tested.

Plotly splits categorical colours into one trace per category, and a box or lasso event
reports each point as (curve number, point index within that trace). ``build_map_figure``
returns, beside the figure, ``trace_rows``: for every trace, the pool row of each of its
points; ``rows_from_selection`` turns an event back into pool rows with it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
import plotly.colors as pc
import plotly.graph_objects as go

GREY = "rgba(170, 170, 170, 0.35)"
# Cluster c is drawn in CLUSTER_COLOURS[c % 48] on every page (not by trace order, which
# changes with the clusters a view happens to hold).
CLUSTER_COLOURS = [*pc.qualitative.Dark24, *pc.qualitative.Light24]


def cluster_colour(cluster: int) -> str:
    return CLUSTER_COLOURS[int(cluster) % len(CLUSTER_COLOURS)]


def _stepwise(colours: list[str]) -> list[list]:
    """A colorscale on which value i (of cmin -0.5, cmax len - 0.5) is exactly colours[i]."""
    n = len(colours)
    return [[edge, c] for i, c in enumerate(colours) for edge in (i / n, (i + 1) / n)]


_STEPS = _stepwise(CLUSTER_COLOURS)
# The Select map's hover is a glance (the Map page's inspector has the full text): the picks'
# hover text was 80% of the figure's bytes at k = 2,000.
HOVER_CHARS = 100


def density_sample(x: np.ndarray, y: np.ndarray, max_points: int, *, keep: np.ndarray | None = None,
                   grid: int = 120, seed: int = 0) -> np.ndarray:
    """Rows to draw when the pool is too big: the same share of every cell of a
    ``grid`` x ``grid`` raster (at least one per non-empty cell), so dense regions stay dense
    and sparse outliers stay visible. Rows in ``keep`` are always drawn. Sorted int64.
    """
    n = len(x)
    if n <= max_points:
        return np.arange(n, dtype=np.int64)
    rng = np.random.default_rng(seed)
    gx = _bin(x, grid)
    gy = _bin(y, grid)
    cell = gx * grid + gy
    rate = max_points / n
    order = rng.permutation(n)
    cell_sorted = cell[order]
    # rank of each row within its cell, in random order
    idx = np.argsort(cell_sorted, kind="stable")
    counts = np.bincount(cell_sorted, minlength=grid * grid)
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
    rank = np.empty(n, dtype=np.int64)
    rank[idx] = np.arange(n) - starts[cell_sorted[idx]]
    quota = np.maximum(1, np.ceil(counts * rate)).astype(np.int64)
    chosen = order[rank < quota[cell_sorted]]
    if keep is not None and len(keep):
        chosen = np.union1d(chosen, np.asarray(keep, dtype=np.int64))
    return np.sort(chosen).astype(np.int64)


def _bin(v: np.ndarray, grid: int) -> np.ndarray:
    lo, hi = float(np.min(v)), float(np.max(v))
    span = hi - lo or 1.0
    return np.clip(((v - lo) / span * grid).astype(np.int64), 0, grid - 1)


def build_map_figure(frame: pd.DataFrame, color: str, *, rows: np.ndarray | None = None,
                     highlight: np.ndarray | None = None, labels: Mapping[int, str] | None = None,
                     height: int = 680, hover_greyed: bool = True
                     ) -> tuple[go.Figure, list[np.ndarray]]:
    """Scattergl map of ``frame`` (columns row, x, y, hover, cluster, cluster_name, ``color``).

    rows: which pool rows to draw (default all). highlight: rows drawn in colour while the
    rest are greyed (a selection); None colours everything. labels: text drawn at each
    cluster's centre. hover_greyed=False draws the greyed rows without hover text (on a
    50,000-row map that is most of the figure's bytes: 4.4 MB -> under 1 MB per redraw).
    Returns (figure, trace_rows).
    """
    shown = frame if rows is None else frame.iloc[rows]
    fig = go.Figure()
    trace_rows: list[np.ndarray] = []
    if highlight is not None:
        mask = np.isin(shown["row"].to_numpy(), highlight)
        _add(fig, trace_rows, shown[~mask], "not selected", {"color": GREY, "size": 3},
             hover=hover_greyed)
        shown = shown[mask]
    values = shown[color] if color in shown else shown["cluster"]
    numeric = values.dtype.kind in "fiu" and color not in ("cluster",)
    if numeric:
        _add(fig, trace_rows, shown, color, {
            "size": 4, "color": values, "colorscale": "Viridis", "showscale": True,
            "colorbar": {"title": {"text": color}}})
    else:
        groups = (shown["cluster_name"] if color == "cluster"
                  else values.astype("string").fillna("(missing)"))
        for name in sorted(groups.unique(), key=_natural):
            part = shown[(groups == name).to_numpy()]
            marker: dict[str, Any] = {"size": 4}
            if color == "cluster":
                marker["color"] = cluster_colour(part["cluster"].iloc[0])
            _add(fig, trace_rows, part, str(name), marker)
    if labels:
        centres = frame.groupby("cluster")[["x", "y"]].median()
        fig.add_trace(go.Scatter(
            x=centres["x"], y=centres["y"], mode="text", hoverinfo="skip", showlegend=False,
            text=[labels.get(int(c), str(c)) for c in centres.index],
            textfont={"size": 11, "color": "rgba(30,30,30,0.85)"}))
        trace_rows.append(np.arange(0, dtype=np.int64))
    fig.update_layout(height=height, margin={"l": 0, "r": 0, "t": 10, "b": 0},
                      xaxis={"visible": False}, yaxis={"visible": False},
                      legend={"itemsizing": "constant", "font": {"size": 10}},
                      dragmode="lasso", uirevision="map")
    return fig, trace_rows


def highlight_figure(frame: pd.DataFrame, rows: np.ndarray | None, highlight: np.ndarray, *,
                     title: str = "", height: int = 520,
                     background: tuple[str, tuple, tuple] | None = None) -> go.Figure:
    """A selection on the map: the ``highlight`` rows in their cluster's colour with hover
    text (its first HOVER_CHARS characters) over the rest greyed. The grey is either
    ``rows`` of ``frame`` as a WebGL trace or ``background`` = (image URI, x range, y range),
    a picture of the pool (:func:`raster_rgba`) the axes are fixed to. At most two traces
    whatever the number of clusters (one trace per cluster made plotly's validation most of
    a slider redraw: 0.2 s for 41 traces at 12,000 points); no legend, no lasso (the Map
    page is where rows are picked)."""
    picked = np.zeros(len(frame), dtype=bool)
    picked[np.asarray(highlight, dtype=np.int64)] = True
    top = np.flatnonzero(picked)
    x, y = frame["x"].to_numpy(), frame["y"].to_numpy()
    # colour numbers on a stepwise scale: plotly validates colour strings one by one
    colours = frame["cluster"].to_numpy()[top].astype(np.int64) % len(CLUSTER_COLOURS)
    traces = []
    if background is None:
        rows = np.arange(len(frame)) if rows is None else np.asarray(rows, dtype=np.int64)
        grey = rows[~picked[rows]]
        traces.append(go.Scattergl(x=x[grey], y=y[grey], mode="markers", name="not selected",
                                   marker={"color": GREY, "size": 3}, hoverinfo="skip"))
    traces.append(go.Scattergl(
        x=x[top], y=y[top], mode="markers", name="selected",
        marker={"color": colours, "size": 4, "colorscale": _STEPS,
                "cmin": -0.5, "cmax": len(CLUSTER_COLOURS) - 0.5},
        customdata=frame["row"].to_numpy()[top],
        text=_clip(frame["hover"].to_numpy()[top], HOVER_CHARS),
        hovertemplate="%{text}<extra>row %{customdata}</extra>"))
    fig = go.Figure(traces)
    xaxis: dict[str, Any] = {"visible": False}
    yaxis: dict[str, Any] = {"visible": False}
    if background is not None:
        uri, x_range, y_range = background
        xaxis["range"], yaxis["range"] = list(x_range), list(y_range)
        fig.add_layout_image(source=uri, xref="x", yref="y", x=x_range[0], y=y_range[1],
                             sizex=x_range[1] - x_range[0], sizey=y_range[1] - y_range[0],
                             sizing="stretch", layer="below", xanchor="left", yanchor="top")
    fig.update_layout(height=height, margin={"l": 0, "r": 0, "t": 30 if title else 10, "b": 0},
                      xaxis=xaxis, yaxis=yaxis, showlegend=False,
                      title={"text": title, "font": {"size": 13}, "x": 0.01, "y": 0.99},
                      dragmode="pan", uirevision="map")
    return fig


def axis_ranges(x: np.ndarray, y: np.ndarray, pad: float = 0.03
                ) -> tuple[tuple[float, float], tuple[float, float]]:
    """((x0, x1), (y0, y1)): the points' extent with ``pad`` of it added on every side."""
    out = []
    for v in (x, y):
        lo, hi = float(np.min(v)), float(np.max(v))
        margin = (hi - lo or 1.0) * pad
        out.append((lo - margin, hi + margin))
    return out[0], out[1]


def map_pixels(x: np.ndarray, y: np.ndarray, x_range: tuple[float, float],
               y_range: tuple[float, float], width: int, height: int
               ) -> tuple[np.ndarray, np.ndarray]:
    """Pixel columns and rows (int64) of map points on a width x height picture of
    x_range x y_range; pixel (0, 0) is (x_range[0], y_range[1]), the top left."""
    px = ((np.asarray(x, dtype=np.float64) - x_range[0]) / (x_range[1] - x_range[0])
          * (width - 1)).round().astype(np.int64)
    py = ((y_range[1] - np.asarray(y, dtype=np.float64)) / (y_range[1] - y_range[0])
          * (height - 1)).round().astype(np.int64)
    return px, py


def _disc(radius: int) -> list[tuple[int, int]]:
    return [(dy, dx) for dy in range(-radius, radius + 1) for dx in range(-radius, radius + 1)
            if dx * dx + dy * dy <= radius * radius + radius]


def raster_rgba(px: np.ndarray, py: np.ndarray, width: int, height: int, *,
                rgb: tuple[int, int, int] = (170, 170, 170), alpha: float = 0.35,
                radius: int = 1) -> np.ndarray:
    """Points at pixels (px, py) drawn as discs of ``radius`` in ``rgb`` on a transparent
    (height, width, 4) uint8 picture, ``alpha`` per dot composited where dots overlap
    (1 - (1 - alpha) ** count, so dense regions look dense)."""
    inside = (px >= 0) & (px < width) & (py >= 0) & (py < height)
    counts = np.bincount(py[inside] * width + px[inside],
                         minlength=width * height).reshape(height, width)
    padded = np.pad(counts, radius)
    cover = np.zeros_like(counts)
    for dy, dx in _disc(radius):
        cover += padded[radius + dy:radius + dy + height, radius + dx:radius + dx + width]
    rgba = np.empty((height, width, 4), dtype=np.uint8)
    rgba[..., :3] = rgb
    rgba[..., 3] = np.round((1.0 - (1.0 - alpha) ** cover) * 255).astype(np.uint8)
    return rgba


def encode_png(rgba: np.ndarray, compress_level: int = 1) -> bytes:
    """PNG bytes of an RGBA uint8 picture (level 1: a mostly empty map compresses almost as
    well as at 6, several times faster)."""
    from io import BytesIO

    from PIL import Image

    buf = BytesIO()
    Image.fromarray(rgba, "RGBA").save(buf, format="PNG", compress_level=compress_level)
    return buf.getvalue()


def highlight_png(background: np.ndarray, px: np.ndarray, py: np.ndarray,
                  clusters: np.ndarray, *, radius: int = 2) -> bytes:
    """The picks at pixels (px, py), discs in their cluster's colour (CLUSTER_COLOURS),
    over a copy of ``background`` (:func:`raster_rgba` of the pool): the Select page's
    highlight map as one picture, which a browser shows at once whatever the number of
    points (an interactive chart is remounted by Streamlit on every rerun)."""
    out = background.copy()
    height, width = out.shape[:2]
    palette = np.array([[int(c[i:i + 2], 16) for i in (1, 3, 5)] for c in CLUSTER_COLOURS],
                       dtype=np.uint8)
    colours = palette[np.asarray(clusters, dtype=np.int64) % len(CLUSTER_COLOURS)]
    for dy, dx in _disc(radius):
        yy, xx = py + dy, px + dx
        ok = (yy >= 0) & (yy < height) & (xx >= 0) & (xx < width)
        out[yy[ok], xx[ok], :3] = colours[ok]
        out[yy[ok], xx[ok], 3] = 255
    return encode_png(out)


def _clip(texts: np.ndarray, limit: int) -> list[str]:
    return [t if len(t) <= limit else t[:limit - 1] + "…" for t in texts.tolist()]


def _add(fig: go.Figure, trace_rows: list[np.ndarray], part: pd.DataFrame, name: str,
         marker: dict[str, Any], *, hover: bool = True) -> None:
    if hover:
        fig.add_trace(go.Scattergl(
            x=part["x"], y=part["y"], mode="markers", name=name[:48], marker=marker,
            customdata=part["row"], text=part["hover"],
            hovertemplate="%{text}<extra>row %{customdata}</extra>"))
    else:
        fig.add_trace(go.Scattergl(x=part["x"], y=part["y"], mode="markers", name=name[:48],
                                   marker=marker, hoverinfo="skip"))
    trace_rows.append(part["row"].to_numpy(dtype=np.int64))


def _natural(name: str) -> tuple:
    head = name.split(":", 1)[0]
    return (0, int(head), name) if head.isdigit() else (1, 0, name)


def rows_from_selection(points: Iterable[Mapping[str, Any]],
                        trace_rows: Sequence[np.ndarray]) -> np.ndarray:
    """Pool rows (sorted, unique int64) of the points in a Plotly selection event.

    Each point names its trace (``curve_number``) and its index in that trace
    (``point_index``, or ``point_number``); points of unknown traces are ignored.
    """
    out: list[int] = []
    for p in points:
        curve = p.get("curve_number", p.get("curveNumber"))
        index = p.get("point_index", p.get("point_number", p.get("pointIndex")))
        if curve is None or index is None:
            continue
        curve, index = int(curve), int(index)
        if 0 <= curve < len(trace_rows) and 0 <= index < len(trace_rows[curve]):
            out.append(int(trace_rows[curve][index]))
    return np.unique(np.asarray(out, dtype=np.int64))
