"""QD Explorer dashboard: `streamlit run app.py` (or `make run`)."""

import os

# Before torch (libgomp) loads: OpenMP threads that spin after each parallel region starve
# OpenBLAS's threads when other work shares the cores. Measured on 2 cores with another job
# running: one slider move's metrics took 2.6 s spinning, 0.65 s passive. On a quiet machine
# it makes no difference to the metrics and costs MiniLM embedding ~20% (37 -> 28.5 ex/s),
# so only the dashboard, where a slider's latency is what users feel, sets it (the CLI does
# not). A user's own setting wins.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import streamlit as st

st.set_page_config(page_title="QD Explorer", page_icon=":material/scatter_plot:", layout="wide")

from ui import state, warmup  # noqa: E402 - set_page_config must come first

PAGES = [
    st.Page("pages/pool.py", title="Pool", icon=":material/database:", default=True,
            url_path="pool"),
    st.Page("pages/map.py", title="Map", icon=":material/scatter_plot:", url_path="map"),
    st.Page("pages/select.py", title="Select", icon=":material/tune:", url_path="select"),
    st.Page("pages/compare.py", title="Compare", icon=":material/compare:", url_path="compare"),
    st.Page("pages/export.py", title="Export", icon=":material/download:", url_path="export"),
]

page = st.navigation(PAGES)
with st.sidebar:
    ws = state.current_workspace()
    st.caption(f"Workspace: `{ws}`" if ws else "No pool open yet")
    if sel := state.current_selection():
        st.caption(f"Selection: `{sel}`")
state.sync_url()
try:
    page.run()
finally:
    # Once per server, after its first page is drawn (or stopped: st.stop, st.rerun and a
    # click that interrupts the run end page.run() with an exception): the imports and
    # compiled loops that the Select page's first visit would otherwise wait for (ui.warmup).
    warmup.start()
