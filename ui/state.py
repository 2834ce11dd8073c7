"""State that survives page switches and can be shared as a URL.

The current workspace and selection live under non-widget keys in ``st.session_state``
(widget keys are dropped when their page is not drawn) and are mirrored into the query
parameters ``ws`` and ``sel`` so a view can be bookmarked or sent to a colleague.
"""

from __future__ import annotations

import numpy as np
import streamlit as st

WS_KEY = "qdx_workspace"
SEL_KEY = "qdx_selection"


def current_workspace() -> str | None:
    if WS_KEY not in st.session_state:
        from_url = st.query_params.get("ws")
        if from_url:
            from core.errors import InputError
            from ui.settings import confine_path

            try:  # a shared link may only name a workspace inside the data roots
                st.session_state[WS_KEY] = str(confine_path(from_url))
            except InputError as exc:
                st.error(exc.one_line())
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


FILTER_KEY = "qdx_filters"


def row_filters(pool_key: str) -> dict:
    """Map-made candidate filters for a pool: {"restrict": rows or None, "exclude": rows}.

    "Restrict selection to these" and "exclude these" on the Map page write here; the
    Select page turns them into the engine's candidate mask.
    """
    store = st.session_state.setdefault(FILTER_KEY, {})
    return store.setdefault(pool_key, {"restrict": None, "exclude": np.arange(0, dtype=np.int64)})


def candidate_rows_mask(pool_key: str, n: int) -> np.ndarray:
    """bool (n,) mask from the map filters (all True when none are set)."""
    f = row_filters(pool_key)
    mask = np.ones(n, dtype=bool)
    if f["restrict"] is not None:
        mask[:] = False
        mask[f["restrict"]] = True
    if len(f["exclude"]):
        mask[f["exclude"]] = False
    return mask
