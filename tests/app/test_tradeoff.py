"""The Select page's slider trade-off plot (ui.tradeoff): a background sweep once per
k / quality, stored in the workspace, drawn with the current value marked."""

from __future__ import annotations

import time
from pathlib import Path

from streamlit.testing.v1 import AppTest

from core.workspace import Workspace

APP = str(Path(__file__).resolve().parents[2] / "app.py")


def _charts(at):
    return [c for c in at.get("plotly_chart")]


def _select_page_at(k: int) -> AppTest:
    """The Select page with the budget set to ``k`` (a k no other test drew)."""
    at = AppTest.from_file(APP, default_timeout=240)
    at.run()
    at.switch_page("pages/select.py").run()
    at.number_input(key="p_k").set_value(k).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_select_page_draws_the_alpha_tradeoff_from_a_background_sweep(app_env):
    from core.sweep import cached_sweep
    from ui.tradeoff import slider_spec

    at = _select_page_at(20)
    assert any("trade-off at k = 20 is being computed" in c.value for c in at.caption)
    ws = Workspace.open(at.session_state["qdx_workspace"])
    spec = slider_spec("qdit", {"alpha": 0.5}, 20, "heuristic", 0)
    deadline = time.monotonic() + 120
    while cached_sweep(ws, spec) is None and time.monotonic() < deadline:
        time.sleep(0.5)
    sweep = cached_sweep(ws, spec)
    assert sweep is not None and len(sweep.points) >= 11
    at.slider(key="p_alpha").set_value(0.3).run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("against alpha (stored sweep" in c.value for c in at.caption)
    assert len(_charts(at)) >= 2  # the trade-off beside the slider, and the k curve
    # the stored sweep is found again: no second background sweep for the same settings
    assert not any("being computed" in c.value for c in at.caption)
    assert ws.list_selections() == []  # the sweep saved no selection


def test_no_background_sweep_when_prefetch_is_off(app_env, monkeypatch):
    monkeypatch.setenv("QDX_PREFETCH", "0")
    at = _select_page_at(21)
    assert any("background runs are off" in c.value for c in at.caption)
    from ui.tradeoff import _BACKGROUND

    assert not _BACKGROUND.running()


def test_tradeoff_figure_marks_the_current_value():
    import pandas as pd

    from core.sweep import Sweep, SweepSpec
    from ui.tradeoff import tradeoff_figure

    points = pd.DataFrame({"value": [0.0, 0.5, 1.0], "facility_location": [0.6, 0.5, 0.4],
                           "quality_mean": [0.5, 0.8, 0.9], "pareto": True,
                           "knee": [False, True, False]})
    fig = tradeoff_figure(Sweep(SweepSpec("dpp", "lam", (0.0, 1.0), 10), points), 0.35)
    assert [t.name for t in fig.data] == ["coverage", "mean quality"]
    assert list(fig.data[1].y) == [0.5, 0.8, 0.9] and fig.data[1].yaxis == "y2"
    assert [s.x0 for s in fig.layout.shapes] == [0.35]

