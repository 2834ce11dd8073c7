"""The Select page's "Why these rows" (ui.explain_view)."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

from core.explain import explain_selection
from core.workspace import Workspace

APP = str(Path(__file__).resolve().parents[2] / "app.py")


def test_why_these_rows_table_and_a_clicked_pick(app_env):
    """The Select page's "Why these rows": off by default; on, the table in rank order whose
    parts add up; a pick's detail and the rows it represents (ui.explain_view)."""
    import numpy as np

    from ui import explain_view

    at = AppTest.from_file(APP, default_timeout=240)
    at.run()
    at.switch_page("pages/select.py").run()
    at.number_input(key="p_k").set_value(12).run()
    assert not [d for d in at.dataframe if d.key == "explain_table"]
    at.toggle(key="p_explain").set_value(True).run()
    assert not at.exception, [e.value for e in at.exception]
    table = next(d for d in at.dataframe if d.key == "explain_table").value
    assert table["rank"].tolist() == list(range(12))
    assert np.allclose(table["coverage_part"] + table["quality_part"], table["gain"])
    ws = Workspace.open(at.session_state["qdx_workspace"])
    assert int(table["represents"].sum()) == ws.n_rows
    _, _, result = at.session_state["qdx_current_result"]
    exp = explain_selection(ws, result)
    rows = explain_view.represented_rows(exp, 3)
    assert result.indices[3] in rows and len(rows) == table["represents"][3]
    detail = explain_view.pick_detail(ws, exp, 3)
    assert detail["instruction"] == ws.pool_frame()["instruction"][result.indices[3]]
    assert "nan" not in (detail["input"], detail["response"])
    # a click on pick 3 (the dataframe's selection state): its text and its rows on the map
    at.session_state["explain_table"] = {"selection": {"rows": [3], "columns": []}}
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    captions = [str(i.proto) for i in at.get("image")]
    assert any(f"the {len(rows):,} rows pick 3 represents" in c for c in captions), captions
