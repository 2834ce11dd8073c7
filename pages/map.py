"""Map: the UMAP map of the pool, coloured by cluster or any column, with hover text."""

from __future__ import annotations

import plotly.graph_objects as go
import streamlit as st

from core.errors import InputError
from ui import data, state

st.title("Map")
ws_path = state.current_workspace()
if not ws_path:
    st.info("Open a pool on the Pool page first.")
    st.stop()
try:
    ws = data.open_workspace(ws_path)
    emb = ws.embedding_info()
    if emb is None or ws.map_coords("umap") is None:
        st.info("This pool is not embedded and mapped yet: open the Pool page.")
        st.stop()
    frame = data.map_frame(str(ws.root), emb["key"])
except InputError as exc:
    st.error(exc.one_line())
    st.stop()

color_options = ["cluster", "response_words", *ws.pool_info["extra_columns"]]
color = st.selectbox("Colour by", color_options, key="map_color")
MAX_POINTS = 60_000
shown = frame if len(frame) <= MAX_POINTS else frame.sample(MAX_POINTS, random_state=0)
if len(shown) < len(frame):
    st.caption(f"Showing a uniform sample of {len(shown):,} of {len(frame):,} rows.")

fig = go.Figure()
values = shown[color]
if values.dtype.kind in "fiu" and color != "cluster":
    fig.add_trace(go.Scattergl(
        x=shown["x"], y=shown["y"], mode="markers", customdata=shown["row"],
        marker={"size": 4, "color": values, "colorscale": "Viridis", "showscale": True,
                "colorbar": {"title": color}},
        text=shown["hover"], hovertemplate="%{text}<extra>row %{customdata}</extra>"))
else:
    groups = shown["cluster_name"] if color == "cluster" else values.astype("string").fillna(
        "(missing)")
    for name in sorted(groups.unique(), key=str):
        part = shown[groups == name]
        fig.add_trace(go.Scattergl(
            x=part["x"], y=part["y"], mode="markers", name=str(name)[:40],
            customdata=part["row"], marker={"size": 4}, text=part["hover"],
            hovertemplate="%{text}<extra>row %{customdata}</extra>"))
fig.update_layout(height=700, margin={"l": 0, "r": 0, "t": 10, "b": 0},
                  xaxis={"visible": False}, yaxis={"visible": False},
                  legend={"itemsizing": "constant"})
st.plotly_chart(fig, width="stretch", key="pool_map")
