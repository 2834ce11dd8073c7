"""AppTest: the Pool and Map pages on a small demo pool."""

from __future__ import annotations

import json
from pathlib import Path

from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parents[2] / "app.py")


def _start(app_env) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=180)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _metric(at, label):
    return next(m.value for m in at.metric if m.label == label)


def test_pool_page_opens_demo_embeds_and_summarises(app_env):
    at = _start(app_env)
    assert _metric(at, "Rows") == "120"
    assert _metric(at, "Extra columns") == "2"
    assert at.session_state["qdx_workspace"].endswith("demo")
    assert any("tfidf" in c.value for c in at.caption)


def test_bad_upload_shows_one_line_and_keeps_current_pool(app_env):
    at = _start(app_env)
    before = at.session_state["qdx_workspace"]
    bad = app_env / "bad.jsonl"
    bad.write_text('{"instruction": "a", "output": "b"}\n{"instruction": \n')
    at.text_input(key="server_path").input(str(bad)).run()
    at.button(key="open_server").click().run()
    assert not at.exception
    errors = [e.value for e in at.error]
    assert len(errors) == 1 and "bad.jsonl:2" in errors[0] and "invalid JSON" in errors[0]
    assert "\n" not in errors[0]
    assert at.session_state["qdx_workspace"] == before
    assert _metric(at, "Rows") == "120"


def test_server_path_outside_data_roots_is_refused(app_env):
    at = _start(app_env)
    at.text_input(key="server_path").input("/etc/passwd").run()
    at.button(key="open_server").click().run()
    assert any("outside the folders" in e.value for e in at.error)


def test_server_path_opens_another_pool(app_env):
    at = _start(app_env)
    other = app_env / "other.json"
    other.write_text(json.dumps([{"instruction": f"Question {i} about birds?",
                                  "output": f"Birds {i}."} for i in range(40)]))
    at.text_input(key="server_path").input(str(other)).run()
    at.button(key="open_server").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.session_state["qdx_workspace"].endswith("other")
    assert _metric(at, "Rows") == "40"


def test_map_page_draws_and_searches(app_env):
    at = _start(app_env)
    at.switch_page("pages/map.py").run()
    assert not at.exception, [e.value for e in at.exception]
    at.text_input(key="map_query").input("python").run()
    assert any("rows match" in c.value for c in at.caption)


def test_map_colours_by_quality_and_by_a_saved_selection(app_env):
    at = _start(app_env)
    at.switch_page("pages/map.py").run()
    options = at.selectbox(key="map_color").options
    assert "quality (heuristic)" in options
    at.selectbox(key="map_color").select("quality (heuristic)").run()
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error
    # save a selection through the engine, then colour the map by it
    from core.select.request import SelectionRequest
    from core.select.run import run_selection
    from core.workspace import Workspace
    from ui import state

    ws = Workspace.open(at.session_state[state.WS_KEY])
    request = SelectionRequest("quality", 10, {}, quality="column:score")
    ws.save_selection("top10", run_selection(ws, request))
    at.run()
    at.selectbox(key="map_color").select("selected: top10").run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("10 selected rows in colour" in c.value for c in at.caption)
