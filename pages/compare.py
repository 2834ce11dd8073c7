"""Compare: saved selections side by side, overlap, per-cluster coverage, and the
quality-versus-diversity trade-off of alpha and lambda sweeps with the Pareto front."""

from __future__ import annotations

import pandas as pd
import plotly.express as px
import plotly.graph_objects as go
import streamlit as st

from core.compare import cluster_coverage, jaccard_matrix, pareto_front
from core.metrics import MEASURES
from core.metrics.stored import metrics_options
from core.quality import canonical_spec
from ui import data, tradeoff
from ui import run_memo as sel
from ui.run_memo import stop_prefetch
from ui.shell import through_app

through_app()  # first: a page run on its own URL is drawn by app.py (ui.shell)

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
    own = {name: canonical_spec(results[name].config.get("quality")) for name in chosen}
    frame0 = ws.pool_frame()
    specs = list(dict.fromkeys([own[chosen[0]], *own.values(), "heuristic", "length",
                                *(f"column:{c}" for c in ws.pool_info["extra_columns"]
                                  if frame0[c].dtype.kind in "fiu")]))
    common = st.selectbox("Quality score (the same for every column)", specs, index=0,
                          key="cmp_quality")
    reports = {}
    for name in chosen:
        idx = results[name].indices
        report, options = ws.load_metrics_record(name) or (None, None)
        if report is None:
            report = sel.metrics(ws, idx, own[name])
            options = metrics_options(families=sel.LIVE_FAMILIES, quality=own[name])
            ws.save_metrics(name, report, options)
        if (options or {}).get("quality") != common:  # one quality spec across the columns
            report = {**report, **sel.metrics(ws, idx, common, families=("quality",))}
        reports[name] = report
    others = [f"{n} ({own[n]})" for n in chosen if own[n] != common]
    st.caption(f"Quality measures in every column use `{common}`"
               + (f"; selections made with another score: {', '.join(others)}." if others
                  else ", the score every chosen selection was made with."))
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
steps = int(c3.select_slider("Points per sweep", [3, 5, 6, 11], value=6, key="sweep_steps",
                             help="the starting grid; each sweep then adds points where a "
                             "step moves coverage or mean quality by more than 20% of its range"))
if st.button("Run alpha and lambda sweeps", key="sweep_go"):
    bar = st.progress(0.0, text="Sweeping…")
    done = tradeoff.run_compare_sweeps(ws, k, quality, steps,
                                       lambda f, text: bar.progress(f, text=text))
    st.session_state["sweep_shown"] = [tradeoff.sweep_label(s) for s in done]

stored = tradeoff.stored_sweeps(ws)  # kept in the workspace: earlier sweeps, no recomputing
labels = {tradeoff.sweep_label(s): s for s in stored}
shown = st.multiselect("Stored sweeps", list(labels), default=list(labels)[:2],
                       key="sweep_shown")
sweep = None
if shown:
    picked = [labels[name] for name in shown]
    sweep = (ws.pool_key, picked[0].spec.k, picked[0].spec.quality,
             tradeoff.sweeps_table(picked))
if sweep:
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
