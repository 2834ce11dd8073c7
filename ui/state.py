"""State that survives page switches and can be shared as a URL.

The current workspace and selection live under non-widget keys in ``st.session_state``
(widget keys are dropped when their page is not drawn) and are mirrored into the query
parameters ``ws`` and ``sel`` so a view can be bookmarked or sent to a colleague.
"""

from __future__ import annotations

import streamlit as st

WS_KEY = "qdx_workspace"
SEL_KEY = "qdx_selection"


def current_workspace() -> str | None:
    if WS_KEY not in st.session_state:
        from_url = st.query_params.get("ws")
        if from_url:
            st.session_state[WS_KEY] = from_url
    return st.session_state.get(WS_KEY)


def set_workspace(path: str) -> None:
    if st.session_state.get(WS_KEY) != path:
        st.session_state[WS_KEY] = path
        st.session_state.pop(SEL_KEY, None)
    st.query_params["ws"] = path
    st.query_params.pop("sel", None)


def current_selection() -> str | None:
    if SEL_KEY not in st.session_state:
        from_url = st.query_params.get("sel")
        if from_url:
            st.session_state[SEL_KEY] = from_url
    return st.session_state.get(SEL_KEY)


def set_selection(name: str | None) -> None:
    if name is None:
        st.session_state.pop(SEL_KEY, None)
        st.query_params.pop("sel", None)
    else:
        st.session_state[SEL_KEY] = name
        st.query_params["sel"] = name


def sync_url() -> None:
    """Put the current state back into the URL (page switches may drop query params)."""
    ws = st.session_state.get(WS_KEY)
    if ws and st.query_params.get("ws") != ws:
        st.query_params["ws"] = ws
    sel = st.session_state.get(SEL_KEY)
    if sel and st.query_params.get("sel") != sel:
        st.query_params["sel"] = sel
