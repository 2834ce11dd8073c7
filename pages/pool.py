"""Pool: open a pool (demo, server path, upload, Hugging Face), embed it, see what it holds."""

from __future__ import annotations

import plotly.express as px
import streamlit as st

from core.embed import DEFAULT_MODEL, FIELDS
from core.errors import InputError
from core.pool import FORMATS, ColumnMapping
from ui import data, jobs, settings, state
from ui import quality as uq
from ui.near_duplicates import near_duplicates_section
from ui.run_memo import stop_prefetch
from ui.shell import through_app
from ui.sources_table import sources_section

through_app()  # first: a page run on its own URL is drawn by app.py (ui.shell)

st.title("Pool")
stop_prefetch()  # runs computed ahead for the Select page give this page the cores


def _open(action, *args, **kwargs) -> None:
    """Run an open action; a bad input shows one line and leaves the current pool as it was."""
    try:
        path = action(*args, **kwargs)
    except InputError as exc:
        st.session_state["qdx_pool_error"] = exc.one_line()
        return
    st.session_state.pop("qdx_pool_error", None)
    state.set_workspace(path)
    st.rerun()  # redraw everything (sidebar included) for the pool just opened


def _mapping(prefix: str) -> tuple[str, ColumnMapping | None, bool]:
    with st.expander("Format and column mapping"):
        fmt = st.selectbox("Format", FORMATS, key=f"{prefix}_fmt",
                           help="auto detects Alpaca, ShareGPT, OpenAI messages, "
                           "prompt/completion and question/answer")
        c1, c2, c3 = st.columns(3)
        inst = c1.text_input("Instruction column", key=f"{prefix}_inst")
        inp = c2.text_input("Input column (optional)", key=f"{prefix}_inp")
        resp = c3.text_input("Response column", key=f"{prefix}_resp")
        skip = st.checkbox("Skip bad lines (and report how many)", key=f"{prefix}_skip")
    mapping = None
    if inst or resp:
        mapping = ColumnMapping(instruction=inst, response=resp, input=inp or None)
    return fmt, mapping, skip


with st.container(border=True):
    st.subheader("Open a pool")
    demo, server, upload, hub = st.tabs(["Demo pool", "Server path", "Upload", "Hugging Face"])
    with demo:
        st.write("A generated pool of about 3,000 examples in a dozen task domains, with planted "
                 "near-duplicates and low-quality responses.")
        if st.button("Open the demo pool", key="open_demo"):
            _open(jobs.ensure_demo_workspace)
    with server:
        roots = ", ".join(f"`{r}`" for r in settings.data_roots())
        path = st.text_input("Path on the server", key="server_path",
                             placeholder="data/pool.jsonl", help=f"Allowed folders: {roots}")
        fmt, mapping, skip = _mapping("server")
        if st.button("Open", key="open_server", disabled=not path):
            def open_server():
                source = settings.confine_path(path)
                return jobs.open_pool(str(source), name=source.stem, fmt=fmt, mapping=mapping,
                                      skip_bad_lines=skip)
            _open(open_server)
    with upload:
        limit = st.get_option("server.maxUploadSize")
        st.caption(f"Upload limit: {limit} MB. JSON, JSONL, CSV or Parquet.")
        file = st.file_uploader("Pool file", type=["json", "jsonl", "csv", "parquet"],
                                key="upload_file")
        fmt_u, mapping_u, skip_u = _mapping("upload")
        if st.button("Open upload", key="open_upload", disabled=file is None):
            _open(jobs.open_upload, file.name, file.getvalue(), fmt=fmt_u, mapping=mapping_u,
                  skip_bad_lines=skip_u)
    with hub:
        name = st.text_input("Dataset name", key="hub_name", placeholder="tatsu-lab/alpaca")
        split = st.text_input("Split", value="train", key="hub_split")
        st.caption("Needs network access to the Hugging Face hub; a saved `save_to_disk` "
                   "folder works offline through Server path.")
        if st.button("Open dataset", key="open_hub", disabled=not name):
            _open(jobs.open_pool, name, name=name.replace("/", "__"), fmt="hf", split=split)
    if err := st.session_state.get("qdx_pool_error"):
        st.error(err, icon=":material/error:")

ws_path = state.current_workspace()
if ws_path is None:
    _open(jobs.ensure_demo_workspace)
    ws_path = state.current_workspace()
try:
    ws = data.open_workspace(ws_path)
except InputError as exc:
    st.error(exc.one_line())
    st.stop()

with st.container(border=True):
    st.subheader("Embedding")
    current = ws.embedding_info()
    c1, c2, c3 = st.columns([2, 1, 1])
    models = [settings.demo_model(), DEFAULT_MODEL, "tfidf"]
    models = list(dict.fromkeys(models))
    default_model = current["model"] if current and current["model"] in models else models[0]
    model = c1.selectbox("Model", models, index=models.index(default_model), key="embed_model",
                         help="all-MiniLM-L6-v2 runs offline from the installed package; "
                         "tfidf is fast and needs no model")
    fields = list(FIELDS)
    field = c2.selectbox("Text to embed", fields, key="embed_field",
                         index=fields.index(current["field"]) if current and
                         current["field"] in fields else 0,
                         help="instruction (+ input) is what QDIT embeds")
    c3.write("")
    rerun = c3.button("Embed and map", key="embed_go")
    if current is None or rerun:
        jobs.ensure_embedded(ws, model, field)
        jobs.ensure_mapped(ws)
        st.rerun()
    elif ws.map_coords("umap") is None:
        jobs.ensure_mapped(ws)
        st.rerun()
    st.caption(f"Current: **{current['model']}** on **{current['field']}**, dim {current['dim']}"
               f" · key `{current['key']}`")

summary = data.pool_summary(str(ws.root), ws.pool_key)
info = summary["info"]
st.subheader(f"{info['rows']:,} rows · {info['format']} from `{info['source']}`")
m = st.columns(5)
m[0].metric("Rows", f"{info['rows']:,}")
m[1].metric("Exact duplicates", f"{info['duplicates']:,}",
            help="dropped (first kept)" if info["duplicates_dropped"] else "kept")
m[2].metric("Skipped lines/records", info["bad_lines_skipped"] + info["bad_records_skipped"])
m[3].metric("Extra columns", len(info["extra_columns"]))
m[4].metric("Saved selections", len(info["selections"]))

left, right = st.columns(2)
lengths = summary["lengths"]
with left:
    fig = px.bar(lengths, x="words", y="rows", color="text", barmode="overlay", log_y=True,
                 title="Length in words", hover_data={"width": False})
    for trace, (_, part) in zip(fig.data, lengths.groupby("text", sort=False), strict=True):
        trace.width = part["width"].to_numpy()
    st.plotly_chart(fig, width="stretch", key="length_hist")
with right:
    frame = ws.pool_frame()
    cat_cols = [c for c in info["extra_columns"]
                if frame[c].dtype.kind not in "fiub" and 1 < frame[c].nunique() <= 50]
    if cat_cols:
        col = st.selectbox("Column", cat_cols, key="pool_cat_col")
        counts = frame[col].astype("string").fillna("(missing)").value_counts().reset_index()
        counts.columns = [col, "rows"]
        st.plotly_chart(px.bar(counts, x="rows", y=col, orientation="h",
                               title=f"Rows per {col}"), width="stretch", key="cat_bar")
    else:
        src = frame["source"].str.rsplit(":", n=1).str[0].value_counts().reset_index()
        src.columns = ["file", "rows"]
        st.plotly_chart(px.bar(src, x="rows", y="file", orientation="h", title="Rows per file"),
                        width="stretch", key="src_bar")

sources_section(ws)
near_duplicates_section(ws)
judge = uq.judge_column(ws)
if judge is not None:
    with st.expander(f"Which quality score agrees with your judge (`{judge}`)?"):
        try:
            table, learned_line = uq.agreement_table(ws, judge)
        except InputError as exc:
            st.error(exc.one_line())
        else:
            st.dataframe(table, hide_index=True, key="agreement_table")
            st.caption(f"{learned_line}. AUC: the chance a judge-approved row scores above a "
                       "rejected one (0.5 = chance); a note marks a score that ranks the "
                       "judge's picks lower. learned scores are cross-validated.")

with st.expander("First rows"):
    from core.text import truncate_for_display

    preview = frame.head(50).copy()
    for col in ("instruction", "input", "response"):
        preview[col] = preview[col].map(lambda t: truncate_for_display(t, 300))
    st.dataframe(preview, hide_index=True)
