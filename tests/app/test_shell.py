"""ui.shell.through_app: a page run as a version-1 page runs app.py in its place."""

from __future__ import annotations

import pytest


def test_a_version_one_run_runs_app_py_once_not_as_main(monkeypatch):
    import runpy

    import streamlit as st
    from streamlit.runtime.pages_manager import PagesManager

    from ui import shell

    calls = []
    monkeypatch.setattr(runpy, "run_path", lambda path, run_name: calls.append(
        (path, run_name, PagesManager.uses_pages_directory)))
    stops = []
    monkeypatch.setattr(st, "stop", lambda: stops.append(True))
    monkeypatch.setattr(PagesManager, "uses_pages_directory", True)
    shell.through_app()
    # app.py ran with the flag already cleared (its pages must not run it again), not as
    # __main__ (a child process spawned meanwhile would re-run it), then the run ended
    assert calls == [(str(shell.APP), "__qdx_app__", False)] and stops == [True]
    shell.through_app()  # app.py's own navigation run: nothing to do
    assert len(calls) == 1


@pytest.mark.parametrize("flag", [False, None])
def test_a_page_inside_app_py_runs_as_it_is(monkeypatch, flag):
    import runpy

    from streamlit.runtime.pages_manager import PagesManager

    from ui import shell

    monkeypatch.setattr(runpy, "run_path", lambda *a, **k: pytest.fail("app.py run again"))
    monkeypatch.setattr(PagesManager, "uses_pages_directory", flag)
    shell.through_app()
