"""The Pool page's per-source table: rows, training tokens and mean quality per source."""

from __future__ import annotations

import streamlit as st

from core.workspace.composition import source_summary
from core.workspace.tokens import current_tokenizer


@st.cache_data(show_spinner=False, max_entries=8)
def _summary(path: str, pool_key: str):
    from ui.data import open_workspace

    ws = open_workspace(path)
    table = source_summary(ws)
    return table, (current_tokenizer(ws) or {}).get("label", "")


def sources_section(ws) -> None:
    """Draw the table when the pool was loaded from several files."""
    if not ws.pool_info.get("sources"):
        return
    with st.spinner("Counting tokens per source…"):
        table, label = _summary(str(ws.root), ws.pool_key)
    st.subheader("Sources")
    st.dataframe(table.rename(columns={"mean_quality": "mean quality (percentile)"}),
                 hide_index=True, key="source_table")
    st.caption(f"Tokens: instruction + response, by {label}.")
