"""AppTest: move alpha, run, save, compare two selections, download an export."""

from __future__ import annotations

import io
import json
from pathlib import Path

from streamlit.testing.v1 import AppTest

from core.pool import load_pool
from core.workspace import Workspace

APP = str(Path(__file__).resolve().parents[2] / "app.py")


def _card(at, label):
    return next(m.value for m in at.metric if m.label == label)


def _select_page(app_env) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=240)
    at.run()
    at.switch_page("pages/select.py").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _endless_job():
    """(started event, a background job that runs until the prefetcher cancels it)."""
    import threading

    from core.errors import CancelledError

    started = threading.Event()

    def endless(progress):
        started.set()
        while progress(0, 1):
            started.wait(0.01)
        raise CancelledError("stopped")

    return started, endless


def test_select_moves_alpha_runs_and_saves(app_env):
    at = _select_page(app_env)
    at.selectbox(key="p_quality").set_value("column:score").run()
    at.number_input(key="p_k").set_value(30).run()
    at.slider(key="p_alpha").set_value(0.0).run()
    low_q = float(_card(at, "Quality (mean)"))
    cover_0 = float(_card(at, "Facility-location coverage"))
    at.slider(key="p_alpha").set_value(1.0).run()
    assert not at.exception, [e.value for e in at.exception]
    high_q = float(_card(at, "Quality (mean)"))
    assert high_q > low_q  # alpha = 1 is quality top-k
    assert float(_card(at, "Facility-location coverage")) <= cover_0 + 1e-9
    assert any("vs random" in (m.delta or "") for m in at.metric)
    # the highlight map: a picture by default, named after the run; a chart with hover on
    # the picks when asked
    images = at.get("image")
    charts = [c for c in at.get("plotly_chart") if c.key != "slider_tradeoff"]
    assert len(images) == 1 and len(charts) == 1  # the curve (and the slider's trade-off)
    assert "qdit (alpha 1): 30 picks highlighted" in str(images[0].proto)
    at.toggle(key="p_map_hover").set_value(True).run()
    assert not at.exception, [e.value for e in at.exception]
    charts = [json.loads(c.proto.spec) for c in at.get("plotly_chart")]
    titles = [c["layout"].get("title", {}).get("text", "") for c in charts]
    assert "qdit (alpha 1): 30 picks highlighted" in titles and not at.get("image")
    at.text_input(key="save_name").input("top-quality").run()
    at.button(key="save_btn").click().run()
    assert any("Saved" in s.value for s in at.success)
    ws = Workspace.open(at.session_state["qdx_workspace"])
    assert [s["name"] for s in ws.list_selections()] == ["top-quality"]
    assert ws.load_selection("top-quality").k == 30
    from core.workspace.tokens import token_counts

    picked = token_counts(ws).iloc[ws.load_selection("top-quality").indices].to_numpy().sum()
    shown = _card(at, "Training tokens").replace(",", "")
    assert float(shown) == picked  # the card is the picks' instruction + response tokens
    # Saving another run under the same name asks first: a warning naming the saved one,
    # Save disabled until "Replace" is ticked.
    at.number_input(key="p_k").set_value(12).run()
    at.text_input(key="save_name").input("top-quality").run()
    assert any("'top-quality' already exists (qdit, k=30" in w.value for w in at.warning)
    assert at.button(key="save_btn").disabled
    assert ws.load_selection("top-quality").k == 30
    at.checkbox(key="save_replace:top-quality").check().run()
    assert not at.button(key="save_btn").disabled
    at.button(key="save_btn").click().run()
    assert any("Saved" in s.value for s in at.success)
    assert ws.load_selection("top-quality").k == 12


def test_dpp_neighbours_are_computed_ahead_and_equal_a_direct_run(app_env):
    """After a dpp run the lambda values next to it run in the background; releasing the
    slider on one shows that run (the same picks as running it directly), said so."""

    from core.select.request import SelectionRequest
    from core.select.run import run_selection

    at = _select_page(app_env)
    at.selectbox(key="p_strategy").set_value("dpp").run()
    at.selectbox(key="p_quality").set_value("length").run()
    at.number_input(key="p_k").set_value(25).run()
    at.slider(key="p_lam").set_value(0.3).run()  # moved up: 0.35 is queued first
    assert not at.exception, [e.value for e in at.exception]
    assert any("computed in the background" in c.value for c in at.caption)
    pf = at.session_state["qdx_prefetcher"]  # the session's own
    assert pf.idle(timeout=120)
    before = pf.computed
    from ui.run_memo import run_key

    ws = Workspace.open(at.session_state["qdx_workspace"])
    request = at.session_state["qdx_current_result"][1]
    # 0.35's neighbours other than 0.3 (the foreground run, in the session's memo) that
    # nothing has computed yet: the release must have them computed in the background
    missing = [lam for lam in (0.4, 0.45, 0.25)
               if pf.get(run_key(ws, request.with_params(lam=lam))) is None]
    at.slider(key="p_lam").set_value(0.35).run()
    assert not at.exception, [e.value for e in at.exception]
    bar_texts = " ".join(str(p.proto) for p in at.get("progress"))
    assert "computed ahead while you looked" in bar_texts
    shown = at.session_state["qdx_current_result"][2]
    direct = run_selection(ws, SelectionRequest("dpp", 25, {"lam": 0.35}, quality="length"))
    assert shown.indices.tolist() == direct.indices.tolist()
    assert shown.config["params"]["lam"] == 0.35
    # 0.35's own neighbours were done in turn: exactly those not done already (a counter
    # that only grows, compared with >=, could not fail)
    assert pf.idle(timeout=120) and pf.computed - before == len(missing)
    request = at.session_state["qdx_current_result"][1]
    for lam in (0.4, 0.45, 0.25):
        assert pf.get(run_key(ws, request.with_params(lam=lam))) is not None
    # leaving the Select page stops a background run (the other pages get both cores)
    started, endless = _endless_job()
    pf.schedule([("endless", endless)])
    assert started.wait(5) and not pf.idle()
    at.switch_page("pages/map.py").run()
    assert not at.exception, [e.value for e in at.exception]
    assert pf.idle() and pf.get("endless") is None


def test_qdx_prefetch_0_computes_nothing_ahead(app_env, monkeypatch):
    """QDX_PREFETCH=0 (a shared server's cores; benchmarks' cold releases): a dpp run
    queues no neighbour and the page does not claim any are being computed."""
    monkeypatch.setenv("QDX_PREFETCH", "0")
    at = _select_page(app_env)
    at.selectbox(key="p_strategy").set_value("dpp").run()
    at.number_input(key="p_k").set_value(20).run()
    at.slider(key="p_lam").set_value(0.3).run()
    assert not at.exception, [e.value for e in at.exception]
    assert not any("computed in the background" in c.value for c in at.caption)
    pf = at.session_state["qdx_prefetcher"]  # this session's: nothing was ever queued
    assert pf.idle(timeout=30) and pf.computed == 0
    monkeypatch.setenv("QDX_PREFETCH", "1")  # and back on: the next release queues them
    at.slider(key="p_lam").set_value(0.35).run()
    assert any("computed in the background" in c.value for c in at.caption)


def test_each_session_has_its_own_prefetcher(app_env):
    """One user opening another page stops only their own background runs."""
    first, second = _select_page(app_env), _select_page(app_env)
    pf_first = first.session_state["qdx_prefetcher"]
    pf_second = second.session_state["qdx_prefetcher"]
    assert pf_first is not pf_second
    started, endless = _endless_job()
    pf_first.schedule([("endless", endless)])
    assert started.wait(5)
    second.switch_page("pages/map.py").run()
    assert not second.exception, [e.value for e in second.exception]
    assert not pf_first.idle(timeout=0.3)  # the first user's run goes on
    pf_first.stop()
    assert pf_first.idle()


def test_map_restriction_limits_candidates_and_clamps_k(app_env):
    import numpy as np

    at = _select_page(app_env)
    ws = Workspace.open(at.session_state["qdx_workspace"])
    at.session_state["qdx_filters"] = {ws.pool_key: {"restrict": np.arange(10),
                                                     "exclude": np.arange(0)}}
    at.number_input(key="p_k").set_value(5).run()
    assert not at.error
    assert any("restricted" in c.value for c in at.caption)
    at.number_input(key="p_k").set_value(30).run()  # above the candidates: clamped to 10
    assert not at.exception and not at.error
    assert at.number_input(key="p_k").value == 10
    assert any("10 picks" in (p.text or "") for p in at.get("progress"))


def test_compare_two_selections_and_sweep(app_env):
    at = _select_page(app_env)
    at.number_input(key="p_k").set_value(25).run()
    for alpha, name in ((0.0, "diverse"), (1.0, "quality")):
        at.slider(key="p_alpha").set_value(alpha).run()
        at.text_input(key="save_name").input(name).run()
        at.button(key="save_btn").click().run()
    at.switch_page("pages/compare.py").run()
    assert not at.exception, [e.value for e in at.exception]
    table = at.dataframe[0].value
    assert {"diverse", "quality", "pool", "random (mean)"} <= set(table.columns)
    at.number_input(key="sweep_k").set_value(20).run()
    at.button(key="sweep_go").click().run()
    assert not at.exception, [e.value for e in at.exception]
    sweep = at.dataframe[-1].value
    assert set(sweep["strategy"]) == {"qdit", "dpp"} and sweep["pareto"].any()


def test_export_download_matches_cli_bytes(app_env, tmp_path):
    at = _select_page(app_env)
    at.number_input(key="p_k").set_value(15).run()
    at.text_input(key="save_name").input("pick15").run()
    at.button(key="save_btn").click().run()
    at.switch_page("pages/export.py").run()
    assert not at.exception, [e.value for e in at.exception]
    at.selectbox(key="exp_fmt").set_value("sharegpt").run()
    ws_path = at.session_state["qdx_workspace"]
    from core.cli import main

    out = tmp_path / "bundle"
    assert main(["export", "--workspace", ws_path, "--selection", "pick15", "--format",
                 "sharegpt", "--out", str(out)]) == 0
    cli_file = next(p for p in out.iterdir() if p.suffix == ".json" and p.name != "manifest.json"
                    and p.name != "dataset_info.json")
    from core.export.download import export_bytes

    name, payload, _ = export_bytes(Workspace.open(ws_path), "pick15", "sharegpt")
    assert payload == cli_file.read_bytes()
    rows = json.load(io.BytesIO(payload))
    assert len(rows) == 15 and "conversations" in rows[0]
    saved = tmp_path / name
    saved.write_bytes(payload)
    assert load_pool(saved).info.rows == 15


def test_quota_and_token_budget_on_the_select_page(app_env):
    """A quota typed on the page fills each part and shows the composition against the
    quota and the pool; a token budget stops the run and says so."""
    at = _select_page(app_env)
    at.number_input(key="p_k").set_value(20).run()
    at.text_input(key="p_quota").input("category=math:0.5,code:0.5").run()
    assert not at.exception, [e.value for e in at.exception]
    result = at.session_state["qdx_current_result"][2]
    cats = Workspace.open(at.session_state["qdx_workspace"]).pool_frame()["category"]
    assert sorted(cats.to_numpy()[result.indices].tolist()) == ["code"] * 10 + ["math"] * 10
    table = next(d.value for d in at.dataframe if "quota" in d.value.columns)
    assert table["quota"].tolist() == [10, 10] and table["picked"].tolist() == [10, 10]
    assert table["pool rows"].tolist() == [40, 40]
    at.number_input(key="p_budget_tokens").set_value(200).run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("token budget" in w.value for w in at.warning)
    assert any("training tokens of a 200 budget" in c.value for c in at.caption)
    at.text_input(key="p_quota").input("category=math:0.5,code:0.4").run()
    assert any("sum to 0.9, not 1" in e.value for e in at.error)


def test_compare_uses_one_quality_spec_for_every_column(app_env):
    """Two selections made with different quality scores: the quality rows of the table are
    measured with one spec (chosen on the page, the first selection's by default), and the
    page says which, naming the selection made with another."""
    from core.metrics import compute_all_metrics
    from core.metrics.report import MetricsOptions
    from core.metrics.workspace_pool import metrics_pool_from_workspace
    from core.select.request import SelectionRequest
    from core.select.run import run_selection

    at = _select_page(app_env)
    ws = Workspace.open(at.session_state["qdx_workspace"])
    ws.save_selection("by-length", run_selection(ws, SelectionRequest("quality", 20,
                                                                      quality="length")))
    ws.save_selection("by-score", run_selection(ws, SelectionRequest("quality", 20,
                                                                     quality="column:score")))
    at.switch_page("pages/compare.py").run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.multiselect(key="cmp_names").value == ["by-length", "by-score"]
    assert at.selectbox(key="cmp_quality").value == "length"
    assert any("Quality measures in every column use `length`; selections made with another "
               "score: by-score (column:score)" in c.value for c in at.caption)

    def quality_mean(spec: str, name: str) -> float:
        pool = metrics_pool_from_workspace(ws, quality=spec)
        return compute_all_metrics(pool, ws.load_selection(name).indices,
                                   MetricsOptions(families=("quality",)))["quality_mean"][
                                       "selection"]

    table = at.dataframe[0].value.set_index("measure")
    assert table.loc["Quality (mean)", "by-score"] == quality_mean("length", "by-score")
    assert table.loc["Quality (mean)", "by-score"] != quality_mean("column:score", "by-score")
    at.selectbox(key="cmp_quality").set_value("column:score").run()
    table = at.dataframe[0].value.set_index("measure")
    assert table.loc["Quality (mean)", "by-length"] == quality_mean("column:score",
                                                                    "by-length")


def test_a_smaller_k_is_the_prefix_of_a_larger_run(app_env):
    """Greedy picks are final in order: after the page's first run (k = 120, the whole
    pool), k = 40 and then k = 25 are answered from its first picks with no run, and they
    equal a direct 25-pick run."""
    from core.select.request import SelectionRequest
    from core.select.run import run_selection

    at = _select_page(app_env)
    at.selectbox(key="p_quality").set_value("length").run()
    at.number_input(key="p_k").set_value(40).run()
    at.number_input(key="p_k").set_value(25).run()
    assert not at.exception, [e.value for e in at.exception]
    bar_texts = " ".join(str(p.proto) for p in at.get("progress"))
    assert "the first 25 picks of the 120-pick run, no new run" in bar_texts
    shown = at.session_state["qdx_current_result"][2]
    ws = Workspace.open(at.session_state["qdx_workspace"])
    direct = run_selection(ws, SelectionRequest("qdit", 25, {"alpha": 0.5}, quality="length"))
    assert shown.indices.tolist() == direct.indices.tolist()
    assert shown.config["k"] == 25
    at.text_input(key="p_quota").input("category=math:0.5,code:0.5").run()
    at.number_input(key="p_k").set_value(20).run()  # a quota reorders picks: a real run
    bar_texts = " ".join(str(p.proto) for p in at.get("progress"))
    assert "no new run" not in bar_texts


def test_a_large_run_shows_its_first_quarter_then_the_whole_run(app_env, monkeypatch):
    """Runs of k >= QDX_PROGRESSIVE_K draw the cards and map of their first k/4 picks while
    the run goes on; the whole result is the direct run's (greedy picks are final)."""
    from core.select.request import SelectionRequest
    from core.select.run import run_selection

    monkeypatch.setenv("QDX_PROGRESSIVE_K", "20")
    at = _select_page(app_env)
    at.selectbox(key="p_quality").set_value("length").run()
    at.selectbox(key="p_strategy").set_value("dpp").run()
    at.slider(key="p_lam").set_value(0.3).run()
    assert not at.exception, [e.value for e in at.exception]
    bar_texts = " ".join(str(p.proto) for p in at.get("progress"))
    assert "(the first 30 shown after" in bar_texts  # k = 120, the whole demo pool
    assert not any("picks so far" in c.value for c in at.caption)  # replaced at the end
    shown = at.session_state["qdx_current_result"][2]
    ws = Workspace.open(at.session_state["qdx_workspace"])
    direct = run_selection(ws, SelectionRequest("dpp", 120, {"lam": 0.3}, quality="length"))
    assert shown.indices.tolist() == direct.indices.tolist()
    assert shown.config["must_include"] == [] and shown.config["k"] == 120
    monkeypatch.setenv("QDX_PROGRESSIVE_K", "0")  # off: one run
    at.slider(key="p_lam").set_value(0.4).run()
    assert "shown after" not in " ".join(str(p.proto) for p in at.get("progress"))
