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
    # Embed and map also built what the first Select visit reads (core.prepare)
    cache = Path(at.session_state["qdx_workspace"]) / "cache"
    for kind in ("kmeans-", "array-cluster_names-", "array-quality-",
                 "array-metric_token_ids-"):
        assert any(p.name.startswith(kind) for p in cache.iterdir()), kind


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


def test_pool_page_near_duplicates_apply_and_undo(app_env, monkeypatch):
    """A demo pool with 3 edited copies (a word dropped) shows MinHash groups; applying
    records the drop (shown as the active drop), undo clears it."""
    from core.workspace import Workspace

    rows = (app_env / "demo.jsonl").read_text().splitlines()
    tail = ("Please explain each step of the answer in plain words so that a new student "
            "who has never seen this kind of task can follow the reasoning from start to end.")
    originals, copies = [], []
    for line in rows[:3]:
        rec = json.loads(line)
        originals.append(json.dumps({**rec, "instruction": f"{rec['instruction']} {tail}"}))
        copies.append(json.dumps({**rec, "instruction": f"{rec['instruction']} "
                                  + tail.replace(" plain", "")}))
    pool = app_env / "demo_nd.jsonl"
    pool.write_text("\n".join(originals + rows[3:] + copies) + "\n")
    monkeypatch.setenv("QDX_DEMO_POOL", str(pool))
    at = _start(app_env)
    groups = int(_metric(at, "Near-duplicate groups").replace(",", ""))
    assert groups > 0
    assert _metric(at, "Active drop") == "none"
    at.button(key="nd_apply").click().run()
    assert not at.exception, [e.value for e in at.exception]
    ws = Workspace.open(at.session_state["qdx_workspace"])
    dropped = ws.drop_filter()["dropped_ids"]
    assert _metric(at, "Active drop") == f"{len(dropped):,} rows"
    at.slider(key="nd_threshold_minhash").set_value(1.0).run()
    assert int(_metric(at, "Near-duplicate groups").replace(",", "")) <= groups
    at.button(key="nd_undo").click().run()
    assert _metric(at, "Active drop") == "none" and ws.drop_filter() is None


def test_pool_page_shows_rows_tokens_and_quality_per_source(app_env):
    from core.pool.sources import load_sources
    from core.workspace import Workspace

    lines = (app_env / "demo.jsonl").read_text().splitlines()
    (app_env / "first.jsonl").write_text("\n".join(lines[:70]) + "\n")
    (app_env / "second.jsonl").write_text("\n".join(lines[70:]) + "\n")
    ws = Workspace.create(app_env / "workspaces" / "two", load_sources(
        [str(app_env / "first.jsonl"), str(app_env / "second.jsonl")]))
    at = _start(app_env)
    at.session_state["qdx_workspace"] = str(ws.root)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    table = next(d.value for d in at.dataframe if "tokens" in d.value.columns)
    assert table["source"].tolist() == ["first", "second"]
    assert table["rows"].tolist() == [70, 50]
    assert (table["tokens"] > 0).all()


def test_map_colours_by_instruction_unit(app_env):
    at = _start(app_env)
    at.switch_page("pages/map.py").run()
    at.selectbox(key="map_color").select("unit (instruction)").run()
    assert not at.exception, [e.value for e in at.exception]
    specs = " ".join(c.proto.spec for c in at.get("plotly_chart"))
    assert "suggest trip" in specs and "write function" in specs  # units as legend entries
