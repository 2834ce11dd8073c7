"""Every page runs inside app.py's navigation, even when a server's first request is a page's
own URL.

Streamlit treats an app with a ``pages/`` folder as a version-1 multipage app until the main
script calls ``st.navigation``: a fresh server whose first request was ``/select?ws=...`` (a
shared link, a bookmark) ran ``pages/select.py`` on its own, with Streamlit's file-name page
list (app, compare, ..., lower case), without app.py's layout, sidebar and warm-up, and went
on doing so for every session until someone opened ``/``. :func:`through_app`, the first call
of every page, sees that case (Streamlit's ``PagesManager.uses_pages_directory`` is still set;
``st.navigation`` clears it) and runs app.py in its place, which draws the page the URL
names, then ends the run. No rerun: a click that started this run is not lost (Streamlit's
AppTest runs every rerun this way).
"""

from __future__ import annotations

import runpy
from pathlib import Path

import streamlit as st

APP = Path(__file__).resolve().parent.parent / "app.py"


def through_app() -> None:
    """Run app.py instead when this page was run as a version-1 page (see the module)."""
    try:
        from streamlit.runtime.pages_manager import PagesManager
    except ImportError:  # a Streamlit without it has no version-1 pages either
        return
    if getattr(PagesManager, "uses_pages_directory", False):
        PagesManager.uses_pages_directory = False  # as app.py's st.navigation does: once
        # Not as "__main__": runpy would put it in sys.modules["__main__"] while it runs,
        # and a child process spawned meanwhile (the background sweep) re-runs the parent's
        # __main__ file: app.py, outside Streamlit.
        runpy.run_path(str(APP), run_name="__qdx_app__")
        st.stop()
