"""Compare: saved selections side by side, overlap, per-cluster coverage, and the
quality-versus-diversity trade-off of alpha and lambda sweeps with the Pareto front."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.express as px
import plotly.graph_objects as go
import streamlit as st

from core.compare import cluster_coverage, jaccard_matrix, pareto_front
from core.metrics import MEASURES
from core.select.request import SelectionRequest
from ui import data
from ui import run_memo as sel
from ui.run_memo import stop_prefetch

st.title("Compare")
stop_prefetch()  # runs computed ahead for the Select page give this page the cores
ws = data.require_workspace()
emb = ws.embedding_info()
saved = ws.list_selections()
if emb is None:
    st.info("Embed the pool on the Pool page first.")
    st.stop()

names = [s["name"] for s in saved]
default = names[-2:] if len(names) >= 2 else names
chosen = st.multiselect("Saved selections", names, default=default, key="cmp_names")
if not names:
    st.info("No saved selections yet: save some on the Select page, then compare them here.")
elif chosen:
    results = {name: ws.load_selection(name) for name in chosen}
    reports = {}
    for name in chosen:
        report = ws.load_metrics(name)
        if report is None:
            result = results[name]
            report = sel.metrics(ws, result.indices, result.config.get("quality"))
            ws.save_metrics(name, report)
        reports[name] = report
    rows = []
    for measure, spec in MEASURES.items():
        row = {"measure": spec.label, "better": spec.better}
        first = None
        for name in chosen:
            entry = reports[name].get(measure) or {}
            row[name] = entry.get("selection")
            first = first or entry
        if first is None:
            continue
        row["pool"] = first.get("pool")
        row["random (mean)"] = (first.get("random") or {}).get("mean")
        rows.append(row)
    st.subheader("All metrics")
    st.dataframe(pd.DataFrame(rows), hide_index=True, key="cmp_table")

    left, right = st.columns(2)
    with left:
        st.subheader("Overlap (Jaccard)")
        jac = jaccard_matrix({n: results[n].indices for n in chosen})
        st.plotly_chart(px.imshow(jac, text_auto=".2f", zmin=0, zmax=1,
                                  color_continuous_scale="Blues"), width="stretch",
                        key="cmp_jaccard")
    with right:
        st.subheader("Per-cluster coverage")
        labels, _ = ws.clusters()
        cov = cluster_coverage(labels, {n: results[n].indices for n in chosen},
                               data.cluster_names(str(ws.root), emb["key"]))
        fig = px.bar(cov, x="share_covered", y="cluster", color="selection", barmode="group",
                     orientation="h", hover_data=["picked", "cluster_size"], height=520)
        st.plotly_chart(fig, width="stretch", key="cmp_clusters")

st.divider()
st.subheader("Trade-off: quality versus diversity")
c1, c2, c3 = st.columns(3)
k = int(c1.number_input("k", 10, max(10, ws.n_rows - 1), min(500, ws.n_rows - 1),
                        key="sweep_k"))
frame = ws.pool_frame()
numeric = [c for c in ws.pool_info["extra_columns"] if frame[c].dtype.kind in "fiu"]
quality = c2.selectbox("Quality score", ["heuristic", "length", *(f"column:{c}" for c in numeric)],
                       key="sweep_quality")
steps = int(c3.select_slider("Points per sweep", [3, 5, 6, 11], value=6, key="sweep_steps"))
if st.button("Run alpha and lambda sweeps", key="sweep_go"):
    grid = np.linspace(0.0, 1.0, steps)
    points = []
    bar = st.progress(0.0, text="Sweeping…")
    total = 2 * len(grid)
    for j, (strategy, param) in enumerate([("qdit", "alpha"), ("dpp", "lam")]):
        for i, value in enumerate(grid):
            request = SelectionRequest(strategy, k, {param: float(value)}, quality=quality)
            result = sel.run(ws, request)
            report = sel.metrics(ws, result.indices, quality)
            points.append({"strategy": strategy, "param": param, "value": float(value),
                           "quality_mean": report["quality_mean"]["selection"],
                           "facility_location": report["facility_location"]["selection"],
                           "vendi": report["vendi"]["selection"]})
            bar.progress((j * len(grid) + i + 1) / total,
                         text=f"{strategy} {param}={value:.2f}")
    st.session_state["qdx_sweep"] = (ws.pool_key, k, quality, pd.DataFrame(points))

sweep = st.session_state.get("qdx_sweep")
if sweep and sweep[0] == ws.pool_key:
    _, sk, squality, table = sweep
    diversity = st.radio("Diversity measure", ["facility_location", "vendi"], horizontal=True,
                         key="sweep_div")
    front = pareto_front(table[diversity], table["quality_mean"])
    fig = go.Figure()
    for strategy, part in table.groupby("strategy"):
        fig.add_trace(go.Scatter(
            x=part[diversity], y=part["quality_mean"], mode="lines+markers+text",
            name=strategy, text=[f"{v:.2f}" for v in part["value"]], textposition="top center"))
    fig.add_trace(go.Scatter(x=table[diversity][front], y=table["quality_mean"][front],
                             mode="markers", name="Pareto front",
                             marker={"size": 16, "symbol": "circle-open", "color": "crimson"}))
    current = st.session_state.get("qdx_current_result")
    if current and current[0] == ws.pool_key:
        report = sel.metrics(ws, current[2].indices, squality)
        fig.add_trace(go.Scatter(x=[report[diversity]["selection"]],
                                 y=[report["quality_mean"]["selection"]], mode="markers",
                                 name="current selection",
                                 marker={"size": 14, "symbol": "star", "color": "black"}))
    fig.update_layout(xaxis_title=diversity, yaxis_title="mean quality", height=520,
                      title=f"k = {sk:,}, quality = {squality}")
    st.plotly_chart(fig, width="stretch", key="sweep_chart")
    st.dataframe(table.assign(pareto=front), hide_index=True, key="sweep_table")
