"""The Pool page's near-duplicates section: groups at a threshold slider, side-by-side rows,
apply or undo the drop. The engine is core.workspace.near_duplicates; pairs are computed
once at the slider's floor (cached in the workspace) and filtered as the slider moves."""

from __future__ import annotations

import streamlit as st

from core.errors import InputError
from core.text import truncate_for_display
from core.workspace.near_duplicates import (
    SLIDER_FLOORS,
    apply_drop,
    drop_record,
    find_near_duplicates,
    undo_drop,
)

DEFAULTS = {"minhash": 0.8, "embedding": 0.95}
QUALITY = "heuristic"


@st.cache_data(show_spinner=False, max_entries=32)
def _find(path: str, pool_key: str, method: str, threshold: float, embedding_key: str | None):
    from ui.data import open_workspace

    return find_near_duplicates(open_workspace(path), method, threshold, quality_spec=QUALITY,
                                floor=SLIDER_FLOORS[method])


def near_duplicates_section(ws) -> None:
    """Draw the section for the workspace ``ws``."""
    st.subheader("Near-duplicates")
    emb = ws.embedding_info()
    methods = ["minhash"] + (["embedding"] if emb is not None else [])
    c1, c2 = st.columns([1, 2])
    method = c1.radio("Method", methods, horizontal=True, key="nd_method",
                      help="minhash: Jaccard of 3-word shingles (no embedding needed); "
                      "embedding: cosine on the kNN graph")
    threshold = c2.slider("Threshold", SLIDER_FLOORS[method], 1.0, DEFAULTS[method], 0.01,
                          key=f"nd_threshold_{method}")
    try:
        with st.spinner("Finding near-duplicates…"):
            found = _find(str(ws.root), ws.pool_key, method, float(threshold),
                          emb["key"] if emb else None)
    except InputError as exc:
        st.error(exc.one_line())
        return
    active = drop_record(ws)
    m = st.columns(3)
    m[0].metric("Near-duplicate groups", f"{len(found.groups):,}")
    m[1].metric("Rows a drop removes", f"{len(found.dropped()):,}",
                help="every grouped row but its kept one (best quality, then first seen)")
    m[2].metric("Active drop", f"{len(active['dropped_ids']):,} rows" if active else "none",
                help=(f"{active['method']} at {active['threshold']}" if active else
                      "selections use every row"))
    if found.groups:
        _examples(ws, found)
    b1, b2 = st.columns(2)
    if b1.button("Drop near-duplicates", key="nd_apply", disabled=not found.groups):
        apply_drop(ws, found, quality_spec=QUALITY)
        st.rerun()
    if b2.button("Undo drop", key="nd_undo", disabled=active is None):
        undo_drop(ws)
        st.rerun()


def _examples(ws, found) -> None:
    shown = min(len(found.groups), 200)
    labels = [f"group {g + 1}: rows {', '.join(map(str, found.groups[g][:6]))}"
              for g in range(shown)]
    pick = st.selectbox("Group", range(shown), format_func=labels.__getitem__, key="nd_group")
    group, kept = found.groups[pick], found.kept[pick]
    other = next(r for r in group if r != kept)
    frame = ws.pool_frame(["instruction", "input", "response"])
    for col, row, title in zip(st.columns(2), (kept, other), ("kept", "dropped"), strict=True):
        rec = frame.iloc[row]
        col.markdown(f"**Row {row} ({title})**")
        col.text(truncate_for_display(f"{rec['instruction']}\n\n{rec['input']}".strip(), 600))
        col.caption(truncate_for_display(str(rec["response"]), 600))
