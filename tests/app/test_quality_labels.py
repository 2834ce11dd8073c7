"""AppTest: label picks good/bad on the Select page (stored in the workspace's ``label``
column, kept across restarts); at 50 labels learned:label joins the quality list with its
cross-validated AUC, and the page says which score is in use and how it agrees."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from streamlit.testing.v1 import AppTest

from core.quality.labels import row_labels, set_labels
from core.workspace import Workspace

APP = str(Path(__file__).resolve().parents[2] / "app.py")


def _select_page() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=240)
    at.run()
    at.switch_page("pages/select.py").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _texts(at) -> str:
    return " ".join(m.value for m in at.markdown) + " " + " ".join(c.value for c in at.caption)


def test_label_picks_then_learned_label_appears(app_env):
    at = _select_page()
    at.number_input(key="p_k").set_value(20).run()
    assert "Quality in use: **heuristic**" in _texts(at)
    assert "learned:label" not in at.selectbox(key="p_quality").options
    row = int(at.selectbox(key="pick_label_row").value)
    at.button(key="pick_label_good").click().run()
    assert not at.exception, [e.value for e in at.exception]
    ws = Workspace.open(at.session_state["qdx_workspace"])
    labels = row_labels(ws)
    assert labels[row] == 1.0 and np.isfinite(labels).sum() == 1
    assert "1 good, 0 bad; 49 more" in _texts(at)

    # 60 labels in all (the travel rows are "bad"): learned:label joins the list
    category = ws.pool_frame()["category"].to_numpy()
    rows = np.arange(60)
    set_labels(ws, rows[category[rows] != "travel"], 1.0)
    set_labels(ws, rows[category[rows] == "travel"], 0.0)
    restarted = _select_page()  # a new session: the labels come from the workspace
    options = restarted.selectbox(key="p_quality").options
    assert any(o.startswith("learned:label (CV AUC ") for o in options), options
    restarted.selectbox(key="p_quality").set_value("learned:label").run()
    assert not restarted.exception, [e.value for e in restarted.exception]
    text = _texts(restarted)
    assert "Quality in use: **learned:label**" in text
    assert "Agreement with the judge column `label`" in text and "(cross-validated)" in text
    restarted.selectbox(key="p_quality").set_value("length").run()
    assert "Quality in use: **length**. Agreement with the judge column `label`" in \
        _texts(restarted)
    restarted.switch_page("pages/pool.py").run()
    assert not restarted.exception, [e.value for e in restarted.exception]
    tables = [d.value for d in restarted.dataframe if "AUC" in d.value.columns]
    assert len(tables) == 1
    assert {"heuristic", "length", "learned:label", "column:score"} <= set(tables[0]["score"])
