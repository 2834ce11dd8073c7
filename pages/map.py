"""Map: the UMAP map coloured by cluster, quality, length or any column; lasso to inspect,
restrict or exclude; text search and "more like this row"."""

from __future__ import annotations

import numpy as np
import streamlit as st

from core.errors import InputError
from core.quality import workspace_quality
from core.search import nearest_rows, text_search
from core.text import truncate_for_display
from core.workspace.units import unit_column
from ui import data, jobs, state
from ui import quality as uq
from ui.map_figure import build_map_figure, density_sample, rows_from_selection
from ui.run_memo import stop_prefetch
from ui.shell import through_app

through_app()  # first: a page run on its own URL is drawn by app.py (ui.shell)

MAX_POINTS = 30_000

st.title("Map")
stop_prefetch()  # runs computed ahead for the Select page give this page the cores
ws = data.require_workspace()
try:
    emb = ws.embedding_info()
    if emb is None:
        st.info("This pool is not embedded yet: choose a model on the Pool page.")
        st.page_link("pages/pool.py", label="Go to the Pool page", icon=":material/database:")
        st.stop()
    if ws.map_coords("umap") is None:
        jobs.ensure_mapped(ws)
    frame = data.map_frame(str(ws.root), emb["key"])
    names = data.cluster_names(str(ws.root), emb["key"])
except InputError as exc:
    st.error(exc.one_line())
    st.stop()

filters = state.row_filters(ws.pool_key)
highlight_key = f"qdx_map_highlight_{ws.pool_key}"
c1, c2, c3 = st.columns([1.2, 2, 1])
QUALITY_COLOR = "quality (heuristic)"
UNIT_COLORS = {"unit (instruction)": "instruction", "unit (response)": "response"}
saved_names = [s["name"] for s in ws.list_selections()]
color_options = ["cluster", QUALITY_COLOR, *UNIT_COLORS, *data.numeric_columns(frame),
                 *data.category_columns(frame, ws), *(f"selected: {n}" for n in saved_names)]
color = c1.selectbox("Colour by", list(dict.fromkeys(color_options)), key="map_color",
                     help="quality (heuristic): the text checks, rank-normalised to [0, 1]; "
                     "unit: the instruction's (or response's) root verb + object, the 19 "
                     "most frequent units and (other); "
                     "selected: a saved selection in colour, the rest greyed")
selection_highlight = None
if color == QUALITY_COLOR:
    try:
        frame = frame.assign(**{QUALITY_COLOR: workspace_quality(ws, "heuristic")})
    except InputError as exc:
        st.error(exc.one_line())
        color = "cluster"
elif color in UNIT_COLORS:  # verb + object units (core.units), the 19 most frequent
    frame = frame.assign(**{color: unit_column(ws, UNIT_COLORS[color])})
elif color.startswith("selected: "):
    try:
        selection_highlight = np.asarray(ws.load_selection(color[len("selected: "):]).indices,
                                         dtype=np.int64)
    except InputError as exc:
        st.error(exc.one_line())
    color = "cluster"
query = c2.text_input("Search instructions and responses", key="map_query",
                      placeholder="e.g. python, translate, recipe")
show_labels = c3.toggle("Cluster labels", value=True, key="map_labels")

highlight = None
if query:
    try:
        highlight = text_search(ws.pool_frame(), query)
    except InputError as exc:
        st.error(exc.one_line())
    else:
        st.caption(f"{len(highlight):,} rows match “{query}”; the rest are greyed.")
elif selection_highlight is not None:
    highlight = selection_highlight
    st.caption(f"{len(highlight):,} selected rows in colour; the rest are greyed.")
elif st.session_state.get(highlight_key) is not None:
    highlight = st.session_state[highlight_key]
    source_row = st.session_state.get(highlight_key + "_src")
    st.caption(f"Showing the {len(highlight) - 1:,} rows nearest to row {source_row}.")
    if st.button("Clear", key="clear_like"):
        st.session_state.pop(highlight_key)
        st.rerun()

rows = density_sample(frame["x"].to_numpy(), frame["y"].to_numpy(), MAX_POINTS,
                      keep=highlight)
if len(rows) < len(frame):
    st.caption(f"{len(frame):,} rows are too many to draw: showing a density-preserving sample "
               f"of {len(rows):,} (every region keeps its share; matches are always drawn).")
fig, trace_rows = build_map_figure(frame, color, rows=rows, highlight=highlight,
                                   labels=names if show_labels and color == "cluster" else None)
event = st.plotly_chart(fig, width="stretch", key="pool_map", on_select="rerun",
                        selection_mode=("points", "box", "lasso"))
picked = rows_from_selection(event.selection.get("points", []) if event else [], trace_rows)

status = []
if filters["restrict"] is not None:
    status.append(f"selection restricted to {len(filters['restrict']):,} rows")
if len(filters["exclude"]):
    status.append(f"{len(filters['exclude']):,} rows excluded")
if status:
    s1, s2 = st.columns([4, 1])
    s1.info("Candidate filters for the Select page: " + "; ".join(status) + ".")
    if s2.button("Clear filters", key="clear_filters"):
        filters["restrict"] = None
        filters["exclude"] = np.arange(0, dtype=np.int64)
        st.rerun()

if len(picked):
    with st.container(border=True):
        st.subheader(f"Inspector: {len(picked):,} rows selected on the map")
        b1, b2, _ = st.columns([1, 1, 3])
        if b1.button("Restrict selection to these", key="restrict_btn"):
            filters["restrict"] = picked
            st.rerun()
        if b2.button("Exclude these", key="exclude_btn"):
            filters["exclude"] = np.union1d(filters["exclude"], picked)
            st.rerun()
        pool = ws.pool_frame()
        table = pool.iloc[picked][["id", "instruction", "response"]].copy()
        table.insert(0, "row", picked)
        table["cluster"] = frame["cluster_name"].to_numpy()[picked]
        st.dataframe(table.head(2000), hide_index=True, height=260, key="inspect_table")
        row = st.selectbox("Full text of row", picked[:2000].tolist(), key="inspect_row")
        rec = pool.iloc[int(row)]
        st.markdown(f"**Instruction** · `{rec['id']}` · {rec['source']}")
        st.text(truncate_for_display(rec["instruction"], 20_000))
        if rec["input"]:
            st.markdown("**Input**")
            st.text(truncate_for_display(rec["input"], 20_000))
        st.markdown("**Response**")
        st.text(truncate_for_display(rec["response"], 20_000))
        uq.label_controls(ws, int(row), key="map_label")
        if st.button("More like this row", key="more_like"):
            near, _ = nearest_rows(ws.embeddings(), int(row), 50)
            st.session_state[highlight_key] = np.concatenate([[int(row)], near])
            st.session_state[highlight_key + "_src"] = int(row)
            st.rerun()
else:
    st.caption("Drag a box or lasso on the map (or click a point) to inspect rows.")
