"""The throwaway strategy of tests/select/test_new_strategy_is_one_file.py on the Select
page: its declared parameters become its widgets (main slider beside the budget, the rest
under "More parameters") with no edit to the page."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

from core.select.registry import STRATEGIES
from tests.select.test_new_strategy_is_one_file import install_stride

APP = str(Path(__file__).resolve().parents[2] / "app.py")


def test_the_select_page_draws_its_declared_widgets(app_env, tmp_path, monkeypatch):
    install_stride(tmp_path, monkeypatch)
    try:
        at = AppTest.from_file(APP, default_timeout=240)
        at.run()
        at.switch_page("pages/select.py").run()
        assert "stride" in at.selectbox(key="p_strategy").options
        at.selectbox(key="p_strategy").set_value("stride").run()
        assert not at.exception, [e.value for e in at.exception]
        assert at.slider(key="p_share").label == "start share"
        at.number_input(key="p_stride_step").set_value(2).run()
        at.slider(key="p_share").set_value(0.3).run()
        assert not at.exception, [e.value for e in at.exception]
        shown = at.session_state["qdx_current_result"][2]
        assert shown.config["strategy"] == "stride"
        assert shown.config["params"] == {"share": 0.3, "step": 2}
    finally:
        monkeypatch.undo()
        STRATEGIES.refresh()
