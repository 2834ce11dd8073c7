"""Select: strategy, budget and sliders; the run starts on release; live metrics vs random."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
import streamlit as st

from core.errors import CancelledError, InputError
from core.metrics import MEASURES
from core.metrics.stored import metrics_options
from core.select.registry import STRATEGIES, strategy_names
from core.select.request import SelectionRequest
from core.workspace.selections import exists_message
from ui import data, explain_view, state, tradeoff
from ui import quality as uq
from ui import run_memo as sel
from ui.composition import draw_budget_inputs, draw_composition
from ui.map_figure import highlight_figure, highlight_png
from ui.params import draw_strategy_params
from ui.prefetch import REACH, sliders
from ui.progress import ProgressWithEta
from ui.shell import through_app
from ui.timing import PhaseLog

through_app()  # first: a page run on its own URL is drawn by app.py (ui.shell)

CARDS = ["facility_location", "vendi", "ldd", "cluster_entropy", "distinct_2_response",
         "quality_mean", "training_tokens", "distinct_units_instruction"]
LABELS = dict(MEASURES)

st.title("Select")
ws = data.require_workspace()
emb = ws.embedding_info()
if emb is None or ws.map_coords("umap") is None:
    st.info("Embed and map the pool on the Pool page first.")
    st.page_link("pages/pool.py", label="Go to the Pool page", icon=":material/database:")
    st.stop()

n = ws.n_rows
frame = ws.pool_frame()
numeric_cols = [c for c in ws.pool_info["extra_columns"] if frame[c].dtype.kind in "fiu"]
quality_specs = uq.quality_options(ws)  # learned: and cached reward: scores included


@st.fragment
def selection_panel() -> None:
    filters = state.row_filters(ws.pool_key)
    c1, c2, c3 = st.columns([1.1, 1.4, 1.1])
    names = strategy_names()
    strategy = c1.selectbox("Strategy", names, index=names.index("qdit"), key="p_strategy",
                            help="\n".join(f"**{name}**: {cls.summary}"
                                           for name, cls in STRATEGIES.items()))
    n_candidates = int(state.candidate_rows_mask(ws.pool_key, n).sum())
    if st.session_state.get("p_k", 0) > n_candidates:  # the map filters shrank the candidates
        st.session_state["p_k"] = n_candidates
    k = int(c2.number_input("Budget k", 1, max(1, n_candidates), min(500, max(1, n_candidates)),
                            step=100, key="p_k",
                            help="how many rows to select (type a number or use +/-)"))
    quality = c3.selectbox("Quality score", quality_specs, key="p_quality",
                           format_func=lambda spec: uq.option_label(ws, spec),
                           help="heuristic: text checks (empty, truncated, repetition, refusals, "
                           "copied instruction); it sorts out broken rows but ties the clean "
                           "ones, so alpha and lambda change little with it. length: response "
                           "tokens; a numeric column of the pool; learned:COLUMN, a model "
                           "fitted on a judge column's labelled rows; reward:MODEL")
    st.markdown(uq.quality_statement(ws, quality))
    pcols = st.columns([2, 1])
    cat_cols = [c for c in ws.pool_info["extra_columns"] if c not in numeric_cols]
    params, seed = draw_strategy_params(STRATEGIES[strategy], pcols[0], cat_cols)
    with pcols[0]:  # the slider's trade-off, from a stored sweep (ui.tradeoff)
        tradeoff.slider_tradeoff(ws, strategy, params, k, quality, seed)
    ids = frame["id"]
    restrict = None if filters["restrict"] is None else ids.iloc[filters["restrict"]].tolist()
    exclude = ids.iloc[filters["exclude"]].tolist() if len(filters["exclude"]) else []
    quota, budget_tokens = draw_budget_inputs(cat_cols)
    request = SelectionRequest(strategy, k, params, quality=quality, seed=seed,
                               restrict_ids=restrict, exclude_ids=exclude, quota=quota,
                               budget_tokens=budget_tokens)
    if restrict is not None or exclude:
        st.caption(f"Candidates limited by the map: {len(restrict) if restrict else n:,} "
                   f"restricted, {len(exclude):,} excluded.")
    cancel_col = pcols[1]
    cancelled = cancel_col.button("Cancel run", key="cancel_run",
                                  help="Stops a long run (any click interrupts it)")
    if cancelled:
        sel.stop_prefetch()  # a run the page was waiting for may be a background one
        st.warning("Run cancelled; move a slider to start a new one.")
        return
    label = request.label()
    phases = PhaseLog(label)
    try:
        bar = ProgressWithEta(f"Selecting {k:,} with {strategy}")
        partial = st.empty()  # the first picks' cards and map while the run goes on
        result = sel.run(ws, request, progress=bar,
                         on_partial=lambda head: _draw_partial(partial, head, k, quality, label,
                                                               phases))
        partial.empty()
        if "first_picks" in result.timings:
            ahead = (f" (the first {int(result.timings['first_k']):,} shown after "
                     f"{result.timings['first_picks']:.2f}s)")
        else:
            ahead = (" (computed ahead while you looked)" if sel.computed_ahead(ws, request)
                     else "")
        if "prefix_of_k" in result.timings:  # greedy picks are final: a longer run's prefix
            ahead = (f" (the first {result.k:,} picks of the "
                     f"{int(result.timings['prefix_of_k']):,}-pick run, no new run)")
        bar.done(f"{label}: {result.k:,} picks in "
                 f"{result.timings.get('total', 0):.2f}s{ahead}")
    except CancelledError:
        st.warning("Run cancelled.")
        return
    except InputError as exc:
        st.error(exc.one_line())
        return
    if result.stopped_early:
        st.warning(f"Stopped at {result.k:,} picks: {result.stopped_early}")
    st.session_state["qdx_current_result"] = (ws.pool_key, request, result)
    phases.mark("run")
    draw_composition(result)
    draw_result(result, quality, label, phases)
    phases.write()
    _prefetch(request)


def _prefetch(request: SelectionRequest) -> None:
    """Start the runs next to this slider value in the background (the side the slider
    last moved towards first): a release onto one of them is then answered at once."""
    param = sliders().get(request.strategy)
    if param is None:
        return
    value = request.params[param.name]
    memory = st.session_state.setdefault("qdx_slider_moves", {})
    last, direction = memory.get(request.strategy, (None, 0))
    if last is not None and value != last:
        direction = 1 if value > last else -1
    memory[request.strategy] = (value, direction)
    if sel.prefetch_neighbours(ws, request, direction):
        st.caption(f"The {param.title.split(' (')[0]} values within {REACH} steps of "
                   f"{value:g} are being computed in the background: releasing the slider "
                   "on one shows it at once.")


def _card(slot, name: str, entry: dict) -> None:
    value = entry.get("selection")
    rnd = (entry.get("random") or {}).get("mean")
    better = LABELS[name].better if name in LABELS else "higher"
    delta = None
    if value is not None and rnd not in (None, 0):
        delta = f"{(value - rnd) / abs(rnd) * 100:+.1f}% vs random"
    shown = ("–" if value is None else f"{value:,.0f}" if abs(value) >= 1000 else
             f"{value:.1f}" if abs(value) >= 100 else f"{value:.3f}")  # eight cards a row
    slot.metric(LABELS[name].label if name in LABELS else name, shown, delta=delta,
                delta_color={"lower": "inverse", "neutral": "off"}.get(better, "normal"),
                help=LABELS[name].description if name in LABELS else None)


def _map_picture(raster, idx, title: str) -> None:
    png = highlight_png(raster.rgba, raster.px[idx], raster.py[idx], raster.clusters[idx],
                        radius=3 if len(idx) <= 1_000 else 2)
    st.image(png, caption=title, width="stretch")


def _draw_partial(slot, head, k: int, quality: str, label: str, phases: PhaseLog) -> None:
    """The cards and the map for the first picks of a run still going on (greedy picks are
    final, so these rows stay in the result); replaced by the whole result at its end. No
    random baseline here: three random subsets of the head's size cost about as much as the
    head itself on 50,000 rows, and the deltas come with the whole result."""
    with slot.container():
        report = sel.metrics(ws, head.indices, quality, families=sel.FIRST_FAMILIES,
                             random=False)
        for col, name in zip(st.columns(len(CARDS)), CARDS, strict=True):
            _card(col, name, report.get(name) or {})
        st.caption(f"{label}: {head.k:,} of {k:,} picks so far; the run goes on (deltas "
                   "against random subsets come with the whole result).")
        phases.mark("first_cards_sent")
        raster = data.map_raster(str(ws.root), emb["key"])
        _map_picture(raster, head.indices, f"{label}: {head.k:,} of {k:,} picks so far")
        phases.mark("first_map_sent")


def draw_result(result, quality: str, label: str, phases: PhaseLog) -> None:
    """The six cards, the highlight map, then the metrics-versus-k curve and the table:
    each part is on screen as soon as it is computed."""
    idx = result.indices
    # Every card's measure is computed before any card is sent: on 2 cores the browser
    # drawing early cards slowed the log det (multithreaded BLAS) by half; drawing the map
    # (WebGL, 0.4 s without a GPU) would too.
    report = sel.metrics(ws, idx, quality, families=sel.FIRST_FAMILIES)
    phases.mark("card_measures")
    report.update(sel.metrics(ws, idx, quality, families=sel.LATER_FAMILIES,
                              text_parts=sel.LATER_TEXT))
    phases.mark("later_measures")
    for col, name in zip(st.columns(len(CARDS)), CARDS, strict=True):
        _card(col, name, report.get(name) or {})
    st.caption(f"{label}: deltas against the mean of 3 random subsets of {len(idx):,} "
               "rows drawn from the same candidates.")
    phases.mark("cards_sent")
    title = f"{label}: {len(idx):,} picks highlighted"
    raster = data.map_raster(str(ws.root), emb["key"])
    if st.session_state.get("p_map_hover"):
        mframe = data.map_frame(str(ws.root), emb["key"])
        background = (data.map_background_uri(str(ws.root), emb["key"]), raster.x_range,
                      raster.y_range)
        fig = highlight_figure(mframe, None, idx, title=title, height=520,
                               background=background)
        st.plotly_chart(fig, width="stretch", key="select_map")
    else:
        # A picture: Streamlit remounts a chart on every rerun, and a WebGL chart then
        # costs a new context and 0.4 s of drawing without a GPU; an image is shown at
        # once. Hover is a toggle away, and the Map page is where rows are inspected.
        with st.container(key="select_map"):
            _map_picture(raster, idx, title)
    st.toggle("Hover on picks", key="p_map_hover",
              help="An interactive map showing each pick's instruction on hover; slower to "
              "redraw after each run. The Map page has the full inspector.")
    phases.mark("map_sent")
    left, right = st.columns(2)
    with left:
        tr = sel.traces(ws, idx, quality)
        curve = go.Figure()
        for name in ("facility_location", "cluster_entropy", "quality_mean"):
            if name in tr:
                values = np.asarray(tr[name], dtype=float)
                top = np.nanmax(values) if np.isfinite(values).any() else 1.0
                curve.add_trace(go.Scatter(x=tr["k"], y=values / (top or 1.0), name=name,
                                           mode="lines"))
        curve.update_layout(height=300, title="Metrics versus k (scaled to their maximum)",
                            margin={"l": 0, "r": 0, "t": 40, "b": 0}, xaxis_title="k")
        st.plotly_chart(curve, width="stretch", key="trace_chart")
    with right:
        report.update(sel.metrics(ws, idx, quality, families=("text",),
                                  text_parts=sel.LAST_TEXT))
        order = {name: i for i, name in enumerate(LABELS)}
        table = [{"measure": LABELS[m].label if m in LABELS else m,
                  "selection": v.get("selection"), "pool": v.get("pool"),
                  "random": (v.get("random") or {}).get("mean")}
                 for m, v in sorted(report.items(), key=lambda kv: order.get(kv[0], 1e9))]
        st.dataframe(table, hide_index=True, height=300, key="metric_table")
        st.caption(f"{label}, {len(idx):,} picks: every live measure beside the whole pool "
                   "and the mean of 3 random subsets of the same size; Self-BLEU is added "
                   "when the selection is saved.")
    phases.mark("all_sent")
    explain_view.why_these_rows(ws, result, emb["key"])  # off unless its toggle is on
    uq.label_picks_panel(ws, idx)


selection_panel()

with st.container(border=True):
    st.subheader("Save this selection")
    current = st.session_state.get("qdx_current_result")
    c1, c2 = st.columns([3, 1])
    default_name = ""
    if current and current[0] == ws.pool_key:
        req = current[1]
        extra = "".join(f"-{k}{v}" for k, v in sorted(req.params.items())
                        if isinstance(v, float))
        default_name = f"{req.strategy}{extra}-k{req.k}"
    name = c1.text_input("Name", value=default_name, key="save_name")
    taken = ws.existing_selection(name) if name else None
    replace = False
    if taken is not None:
        st.warning(f"{exists_message(taken)}. Saving replaces it and its stored metrics.")
        # keyed by the name: ticking it for one name never replaces another unasked
        replace = st.checkbox(f"Replace “{name}”", key=f"save_replace:{name}")
    if c2.button("Save", key="save_btn",
                 disabled=not (current and name) or (taken is not None and not replace)):
        try:
            _, req, result = current
            ws.save_selection(name, result, replace=replace)
            ws.save_metrics(name, sel.metrics(ws, result.indices, req.quality, full=True),
                            metrics_options(families=sel.LIVE_FAMILIES + ("self_bleu",),
                                            quality=req.quality))
        except InputError as exc:
            st.error(exc.one_line())
        else:
            state.set_selection(name)
            st.success(f"Saved “{name}” ({result.k:,} rows).")
    saved = ws.list_selections()
    if saved:
        st.caption("Saved: " + ", ".join(f"`{s['name']}` ({s['strategy']}, k={s['k']})"
                                         for s in saved))
