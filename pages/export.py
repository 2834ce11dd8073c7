"""Export: a saved selection as a training-ready file (the same bytes as the CLI), or the
whole bundle with its manifest, as a zip."""

from __future__ import annotations

import json

import streamlit as st

from core.errors import InputError
from core.export.bundle import selected_frame
from core.export.download import export_bundle_zip, export_bytes
from core.export.formats import FORMATS, format_records
from ui import data, state
from ui.run_memo import stop_prefetch
from ui.shell import through_app

through_app()  # first: a page run on its own URL is drawn by app.py (ui.shell)

st.title("Export")
stop_prefetch()  # runs computed ahead for the Select page give this page the cores
ws = data.require_workspace()
saved = [s["name"] for s in ws.list_selections()]
if not saved:
    st.info("No saved selections yet: save one on the Select page.")
    st.page_link("pages/select.py", label="Go to the Select page", icon=":material/tune:")
    st.stop()

current = state.current_selection()
c1, c2 = st.columns(2)
name = c1.selectbox("Selection", saved, index=saved.index(current) if current in saved
                    else len(saved) - 1, key="exp_sel")
fmt = c2.selectbox("Format", list(FORMATS), key="exp_fmt",
                   help="alpaca / sharegpt: JSON; openai: messages JSONL; jsonl: the canonical "
                   "records; parquet, csv; hf: a datasets save_to_disk folder (zipped)")
state.set_selection(name)
try:
    result = ws.load_selection(name)
    preview = format_records(selected_frame(ws, result).head(5), fmt)
except InputError as exc:
    st.error(exc.one_line())
    st.stop()

st.caption(f"{result.k:,} rows in rank order · strategy {result.config.get('strategy')} · "
           f"params {json.dumps(result.config.get('params', {}))} · quality "
           f"{result.config.get('quality')}")
st.subheader("First rows as they will be written")
st.json(preview[:5], expanded=2)


@st.cache_data(show_spinner="Preparing the file…", max_entries=8)
def _data_file(path: str, pool_key: str, selection: str, fmt: str, created: str):
    return export_bytes(data.open_workspace(path), selection, fmt)


@st.cache_data(show_spinner="Preparing the bundle…", max_entries=4)
def _bundle(path: str, pool_key: str, selection: str, fmt: str, created: str):
    return export_bundle_zip(data.open_workspace(path), selection, fmt)


created = next((s["created"] for s in ws.list_selections() if s["name"] == name), "")
b1, b2 = st.columns(2)
try:
    file_name, payload, mime = _data_file(str(ws.root), ws.pool_key, name, fmt, created)
except InputError as exc:
    st.error(exc.one_line())
    st.stop()
b1.download_button(f"Download {file_name}", payload, file_name=file_name, mime=mime,
                   key="dl_data", type="primary")
if b2.button("Build the bundle (manifest, selection table, LLaMA-Factory, Axolotl, card)",
             key="build_bundle"):
    st.session_state["qdx_bundle"] = (name, fmt, created)
if st.session_state.get("qdx_bundle") == (name, fmt, created):
    try:
        zip_name, zip_bytes, zip_mime = _bundle(str(ws.root), ws.pool_key, name, fmt, created)
    except InputError as exc:
        st.error(exc.one_line())
        st.stop()
    b2.download_button(f"Download {zip_name}", zip_bytes, file_name=zip_name, mime=zip_mime,
                       key="dl_bundle")
st.caption("The same file from the command line: `python -m core export --workspace "
           f"{ws.root} --selection {name} --format {fmt} --out OUT_DIR`; rebuild the "
           "selection later with `python -m core reproduce OUT_DIR/manifest.json`.")
