"""Cached calls into core for the pages.

``st.cache_resource`` holds open Workspace objects (they cache the pool table);
``st.cache_data`` holds pure results keyed by the artifact keys, so a new pool, model or
map invalidates them by construction.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import streamlit as st

from core.errors import InputError
from core.workspace import Workspace


@st.cache_resource(show_spinner=False, max_entries=8)
def _workspace(path: str, pool_key: str) -> Workspace:
    return Workspace.open(path)


def require_workspace() -> Workspace:
    """The session's current workspace, or stop the page with a hint (none open) or the
    one-line error (it cannot be opened)."""
    from ui import state

    path = state.current_workspace()
    if not path:
        st.info("Open a pool on the Pool page first.")
        st.stop()
    try:
        return open_workspace(path)
    except InputError as exc:
        st.error(exc.one_line())
        st.stop()


def open_workspace(path: str) -> Workspace:
    """The Workspace at ``path`` (one object per pool version, shared across reruns)."""
    probe = Workspace.open(path)
    return _workspace(str(probe.root), probe.pool_key)


@st.cache_data(show_spinner=False, max_entries=16)
def pool_summary(path: str, pool_key: str) -> dict:
    ws = open_workspace(path)
    frame = ws.pool_frame()

    # Binned here, not in the browser: a raw 2 x 50,000-point histogram trace costs seconds
    # of serialisation and client-side binning on every visit to the Pool page.
    rows = []
    for name, col in (("instruction words", "instruction"), ("response words", "response")):
        words = word_counts(ws, col, frame)
        counts, edges = np.histogram(words, bins=min(60, max(1, int(words.max()) + 1)))
        rows.append(pd.DataFrame({"text": name, "words": (edges[:-1] + edges[1:]) / 2,
                                  "width": np.diff(edges), "rows": counts}))
    return {"lengths": pd.concat(rows, ignore_index=True), "info": ws.info()}


def word_counts(ws: Workspace, field: str, frame: pd.DataFrame | None = None) -> np.ndarray:
    """Words (core.text.word_tokens) of each row's ``field``, counted once per pool and kept in
    the workspace: 2.6 s for both fields of the 50,000-row pool, paid by the first Pool or
    Map visit after every server start before."""
    from core.text import word_tokens

    def count() -> np.ndarray:
        texts = (frame if frame is not None else ws.pool_frame([field]))[field]
        return np.fromiter((len(word_tokens(t)) for t in texts), dtype=np.int64,
                           count=len(texts))

    return ws.cached_array("word-counts", {"field": field, "tokens": "core.text.word_tokens"},
                           count)


@st.cache_data(show_spinner=False, max_entries=8)
def cluster_names(path: str, embedding_key: str) -> dict[int, str]:
    """Top TF-IDF terms of each k-means cluster of the instructions (cached on disk)."""
    return open_workspace(path).cluster_names()


def numeric_columns(frame: pd.DataFrame) -> list[str]:
    skip = {"row", "x", "y", "cluster"}
    return [c for c in frame.columns if c not in skip and frame[c].dtype.kind in "fiu"]


def category_columns(frame: pd.DataFrame, ws: Workspace) -> list[str]:
    return [c for c in ws.pool_info["extra_columns"]
            if c in frame and frame[c].dtype.kind not in "fiub" and frame[c].nunique() <= 60]


@dataclass(frozen=True)
class MapRaster:
    """The pool's map drawn once: the grey picture of every row (RGBA, read-only), each
    row's pixel and cluster, and the data ranges the picture spans."""

    rgba: np.ndarray
    px: np.ndarray
    py: np.ndarray
    clusters: np.ndarray
    x_range: tuple[float, float]
    y_range: tuple[float, float]


MAP_RASTER_SIZE = (1200, 800)


@st.cache_resource(show_spinner=False, max_entries=4)
def map_raster(path: str, embedding_key: str) -> MapRaster:
    """:class:`MapRaster` of the workspace's UMAP map (shared between sessions: read it,
    never write to it)."""
    from ui.map_figure import axis_ranges, map_pixels, raster_rgba

    ws = open_workspace(path)
    coords = ws.map_coords("umap")
    x_range, y_range = axis_ranges(coords[:, 0], coords[:, 1])
    width, height = MAP_RASTER_SIZE
    px, py = map_pixels(coords[:, 0], coords[:, 1], x_range, y_range, width, height)
    small = len(coords) <= 10_000  # few points overlap: bigger, darker dots stay visible
    rgba = raster_rgba(px, py, width, height, radius=2 if small else 1,
                       alpha=0.5 if small else 0.35)
    clusters = np.asarray(ws.clusters()[0], dtype=np.int64)
    for arr in (rgba, px, py, clusters):
        arr.setflags(write=False)
    return MapRaster(rgba, px, py, clusters, x_range, y_range)


@st.cache_data(show_spinner=False, max_entries=4)
def map_background_uri(path: str, embedding_key: str) -> str:
    """The grey picture as a PNG data URI (the interactive highlight map's background)."""
    import base64

    from ui.map_figure import encode_png

    png = encode_png(map_raster(path, embedding_key).rgba)
    return f"data:image/png;base64,{base64.b64encode(png).decode()}"


@st.cache_data(show_spinner=False, max_entries=8)
def map_frame(path: str, embedding_key: str) -> pd.DataFrame:
    """x, y, cluster, cluster name, hover text and the pool's extra columns, row i = pool row i."""
    from core.text import truncate_for_display

    ws = open_workspace(path)
    coords = ws.map_coords("umap")
    if coords is None:
        raise InputError("the map is not built yet", file=path)
    frame = ws.pool_frame()
    labels, _ = ws.clusters()
    names = cluster_names(path, embedding_key)
    out = pd.DataFrame({
        "row": np.arange(len(frame)), "x": coords[:, 0], "y": coords[:, 1],
        "cluster": labels, "cluster_name": [f"{c}: {names[int(c)]}" for c in labels],
        "hover": [truncate_for_display(t, 200).replace("\n", "<br>")
                  for t in frame["instruction"].tolist()],
        "response_words": word_counts(ws, "response", frame),
    })
    for col in ws.pool_info["extra_columns"]:
        out[col] = frame[col].to_numpy()
    return out
