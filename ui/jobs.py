"""Long steps the pages start: load a pool into a workspace, embed it, map it."""

from __future__ import annotations

import tempfile
from pathlib import Path

import streamlit as st

from core.embed import create_embedder
from core.pool import ColumnMapping, load_pool
from core.prepare import prepare_selection_inputs
from core.workspace import Workspace
from ui import settings
from ui.progress import ProgressWithEta


def open_pool(source: str, *, name: str, fmt: str = "auto", mapping: ColumnMapping | None = None,
              skip_bad_lines: bool = False, split: str | None = None) -> str:
    """Validate ``source`` and store it as workspace ``name``; returns the workspace path.

    Raises InputError before anything is written when the source is bad.
    """
    loaded = load_pool(source, fmt=fmt, mapping=mapping, skip_bad_lines=skip_bad_lines,
                       split=split)
    target = settings.workspace_for(name)
    Workspace.create(target, loaded)
    return str(target)


def open_upload(name: str, data: bytes, **options) -> str:
    """Parse an uploaded file with the same loaders; nothing is kept if it is bad."""
    suffix = Path(name).suffix.lower()
    with tempfile.TemporaryDirectory(prefix="qdx-upload-") as tmp:
        path = Path(tmp) / (Path(name).name or f"upload{suffix}")
        path.write_bytes(data)
        ws_path = open_pool(str(path), name=f"upload-{Path(name).stem}", **options)
    return ws_path


def ensure_demo_workspace() -> str:
    """The demo workspace, created from assets/ on first use."""
    target = settings.workspace_for("demo")
    if not Workspace.is_workspace(target):
        Workspace.create(target, load_pool(settings.demo_pool_path()))
    return str(target)


def ensure_embedded(ws: Workspace, model: str, field: str) -> dict:
    """Embed with a progress bar unless the same model and field are already current."""
    info = ws.embedding_info()
    if info and info.get("model") == create_embedder(model).name and info.get("field") == field:
        return info
    bar = ProgressWithEta(f"Embedding {ws.n_rows:,} rows with {model} ({field})")
    meta = ws.embed(create_embedder(model), field, progress=bar)
    bar.done()
    return meta


def ensure_mapped(ws: Workspace) -> None:
    """kNN graph, UMAP map, then what the Select page's first visit needs (core.prepare:
    clusters, their names, quality scores, word tokens), each with progress."""
    if ws.map_coords("umap") is not None:
        return
    bar = ProgressWithEta("Building the kNN graph")
    ws.knn(progress=bar)
    bar.done()
    with st.spinner(f"Laying out the UMAP map of {ws.n_rows:,} rows (about "
                    f"{max(10, ws.n_rows // 1500)}s; cached afterwards)…"):
        ws.build_map("umap")
    steps = st.progress(0.0, text="Preparing for selection…")

    def step(done: int, total: int, label: str) -> None:
        text = ("Clusters, names, quality scores and word tokens ready" if label == "done"
                else f"Preparing for selection: {label} ({done + 1} of {total})")
        steps.progress(done / max(total, 1), text=text)

    prepare_selection_inputs(ws, progress=step)
