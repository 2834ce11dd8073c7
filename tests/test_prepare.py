"""core.prepare: the map step also builds what the first selection reads."""

from __future__ import annotations

import json

import pytest


def _no_compute(monkeypatch):
    """Make every on-the-spot computation of a prepared artifact fail loudly."""
    import core.clusters
    import core.metrics.workspace_pool
    import core.quality.compute

    def boom(*args, **kwargs):
        raise AssertionError("computed on the spot: map should have prepared it")

    monkeypatch.setattr(core.clusters, "kmeans_labels", boom)
    monkeypatch.setattr(core.clusters, "cluster_top_terms", boom)
    monkeypatch.setattr(core.metrics.workspace_pool, "tokenize_texts", boom)
    monkeypatch.setattr(core.quality.compute, "rank_normalize", boom)


def test_cli_map_prepares_clusters_names_quality_and_tokens(tiny_workspace, run_cli,
                                                           monkeypatch):
    from core.metrics.workspace_pool import tokenized_side
    from core.quality import DEFAULT_SPEC, workspace_quality

    code, out, err = run_cli("map", "--workspace", tiny_workspace.root, "--method", "pca",
                             "--json")
    assert code == 0, err
    steps = json.loads(out)["prepare_seconds"]
    assert list(steps) == ["k-means clusters", "cluster names",
                           f"quality scores ({DEFAULT_SPEC})", "instruction word tokens",
                           "response word tokens", "training tokens", "instruction units",
                           "response units", "the pool's own figures",
                           "near-duplicate pairs (minhash)"]
    cached = {p.name.split("-")[1] for p in tiny_workspace.cache_dir.glob("array-*.npy")}
    assert {"token", "units"} <= cached  # the Training tokens and Units covered cards
    _no_compute(monkeypatch)
    labels, _ = tiny_workspace.clusters()
    assert len(labels) == tiny_workspace.n_rows
    assert len(tiny_workspace.cluster_names()) == len(set(labels.tolist()))
    assert workspace_quality(tiny_workspace, DEFAULT_SPEC).shape == (tiny_workspace.n_rows,)
    for side in ("instruction", "response"):
        tokenized_side(tiny_workspace, side)
    _pool_figures_are_cached(tiny_workspace, monkeypatch)
    # The Pool page's near-duplicate section reads the pairs map computed
    import core.workspace.near_duplicates as nd

    monkeypatch.setattr(nd, "minhash_pairs", lambda *a, **k: pytest.fail("minhash on the spot"))
    found = nd.find_near_duplicates(tiny_workspace, "minhash", 0.8,
                                    floor=nd.SLIDER_FLOORS["minhash"])
    assert found.threshold == 0.8


def _pool_figures_are_cached(ws, monkeypatch):
    """The pool column of the page's two text calls (the cheap parts, then the compression
    ratio) and its Vendi and cluster figures come from the cache map filled."""
    import core.metrics.report as report
    from core.metrics.values import MetricsOptions
    from core.metrics.workspace_pool import metrics_pool_from_workspace
    from ui.run_memo import LAST_TEXT, LATER_TEXT

    def boom(*args, **kwargs):
        raise AssertionError("a pool figure computed on the spot")

    monkeypatch.setattr(report, "text_values", boom)
    monkeypatch.setattr(report, "cluster_values", boom)
    monkeypatch.setattr(report.emb, "vendi_score", boom)
    pool = metrics_pool_from_workspace(ws, quality="none")
    for parts in (LATER_TEXT, LAST_TEXT):
        values = report.pool_values(pool, 5, MetricsOptions(
            families=("embedding", "cluster", "text"), text_parts=parts), None)
        assert values["vendi"] > 0 and "cluster_entropy" in values
        ratios = [values.get(f"compression_ratio_{side}") for side in ("instruction",
                                                                       "response")]
        assert all(r is not None and r > 0 for r in ratios) == ("compression" in parts)


def test_without_prepare_the_first_selection_computes_them(tiny_workspace, monkeypatch):
    """The guard above is real: an unprepared workspace does compute on the spot."""
    _no_compute(monkeypatch)
    with pytest.raises(AssertionError, match="on the spot"):
        tiny_workspace.clusters()
    monkeypatch.undo()
    with pytest.raises(AssertionError, match="pool figure computed on the spot"):
        _pool_figures_are_cached(tiny_workspace, monkeypatch)
    import core.workspace.near_duplicates as nd

    monkeypatch.setattr(nd, "minhash_pairs", lambda *a, **k: pytest.fail("minhash on the spot"))
    with pytest.raises(pytest.fail.Exception, match="minhash on the spot"):
        nd.find_near_duplicates(tiny_workspace, "minhash", 0.8, floor=nd.SLIDER_FLOORS["minhash"])


def test_prepare_reports_each_step(tiny_workspace):
    from core.prepare import prepare_selection_inputs

    calls = []
    seconds = prepare_selection_inputs(tiny_workspace, progress=lambda d, t, label:
                                       calls.append((d, t, label)))
    assert [c[0] for c in calls] == list(range(11)) and calls[-1][2] == "done"
    assert all(s >= 0 for s in seconds.values()) and len(seconds) == 10
