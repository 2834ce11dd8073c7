"""core.sweep and the sweep / compare commands."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from core.errors import InputError
from core.sweep import (
    SweepSpec,
    cached_sweep,
    knee_mask,
    list_sweeps,
    next_value,
    parse_grid,
    run_sweep,
)


def test_parse_grid_ranges_and_lists():
    name, values = parse_grid("alpha=0:1:0.1")
    assert name == "alpha" and len(values) == 11 and values[0] == 0 and values[-1] == 1.0
    assert parse_grid("lam=0.5,0,1") == ("lam", (0.0, 0.5, 1.0))
    for bad in ("alpha", "alpha=", "alpha=1:0:0.1", "alpha=0:1:0", "alpha=0.3", "alpha=a:b:c"):
        with pytest.raises(InputError):
            parse_grid(bad)


def _points(values, cov, qual):
    return pd.DataFrame({"value": values, "facility_location": cov, "quality_mean": qual})


def test_next_value_bisects_the_largest_step_share():
    spec = SweepSpec("qdit", "alpha", (0.0, 1.0), 10)
    # coverage moves 0.9 of its range between 0.5 and 1: split there first
    pts = _points([0.0, 0.5, 1.0], [1.0, 0.9, 0.0], [0.0, 0.5, 1.0])
    assert next_value(pts, spec) == 0.75
    # every step within 20% of each range: done
    even = np.linspace(0, 1, 6)
    assert next_value(_points(even, even, 1 - even), spec) is None
    # a pair closer than 2 * min_gap is never split; the next largest step is taken
    pts = _points([0.0, 0.5, 0.5015, 1.0], [1.0, 0.8, 0.1, 0.0], [0.0, 0.3, 0.31, 1.0])
    assert next_value(pts, spec) == 0.75075


def test_knee_is_the_point_farthest_from_the_chord():
    # an L-shaped front: the corner point is the knee, not the ends
    pts = _points([0.0, 0.3, 0.5, 0.7, 1.0], [1.0, 0.98, 0.95, 0.5, 0.0],
                  [0.0, 0.5, 0.9, 0.95, 1.0])
    assert knee_mask(pts).tolist() == [False, False, True, False, False]
    assert not knee_mask(pts.iloc[:2]).any()


@pytest.fixture(scope="module")
def alpaca_ws(alpaca_5000_tfidf):
    return alpaca_5000_tfidf


def test_sweep_on_alpaca_refines_every_step_under_a_fifth_and_saves_nothing(alpaca_ws):
    spec = SweepSpec("qdit", "alpha", (0.0, 0.25, 0.5, 0.75, 1.0), 100, quality="length",
                     families=("embedding", "quality"))
    seen = []
    saved = alpaca_ws.list_selections()  # the shared pool may hold other tests' selections
    sweep = run_sweep(alpaca_ws, spec, progress=lambda d, t, v: seen.append(v))
    points = sweep.points
    assert len(points) > 5 and len(points) <= 25  # it refined
    assert seen[:5] == [0.0, 0.25, 0.5, 0.75, 1.0] and len(seen) == len(points)
    shares = sweep.max_step_shares()
    assert shares["facility_location"] <= 0.2 and shares["quality_mean"] <= 0.2
    assert points["value"].is_monotonic_increasing
    assert points["pareto"].any() and points["knee"].sum() == 1
    assert alpaca_ws.list_selections() == saved  # saves no selection
    stored = cached_sweep(alpaca_ws, spec)
    assert stored is not None
    pd.testing.assert_frame_equal(stored.points[points.columns], points, check_dtype=False)
    assert [s.spec for s in list_sweeps(alpaca_ws)] == [spec]


def test_sweep_rejects_bad_specs(tiny_workspace):
    for spec in (SweepSpec("qdit", "beta", (0.0, 1.0), 5), SweepSpec("qdit", "alpha",
                                                                     (0.0, 2.0), 5),
                 SweepSpec("nope", "alpha", (0.0, 1.0), 5)):
        with pytest.raises(InputError):
            run_sweep(tiny_workspace, spec)
    assert list_sweeps(tiny_workspace) == []


def test_cli_sweep_json_out_and_save_points(tiny_workspace, run_cli, tmp_path):
    out = tmp_path / "points.csv"
    code, text, err = run_cli("sweep", "--workspace", tiny_workspace.root, "--strategy", "qdit",
                              "--param", "alpha=0:1:0.5", "--k", "6", "--quality", "length",
                              "--out", out, "--json", "--save-points")
    assert code == 0, err
    data = json.loads(text)
    assert {"value", "facility_location", "quality_mean", "vendi", "pareto"} <= set(
        data["points"][0])
    assert data["knee"] is None or data["knee"]["knee"] is True
    assert pd.read_csv(out)["value"].tolist() == [p["value"] for p in data["points"]]
    saved = {s["name"] for s in tiny_workspace.list_selections()}
    assert saved == {f"sweep-qdit-alpha{p['value']:g}-k6" for p in data["points"]}
    code, _, err = run_cli("sweep", "--workspace", tiny_workspace.root, "--strategy", "qdit",
                           "--param", "alpha=0:1", "--k", "6")
    assert code == 2 and err.startswith("error:") and "--param" in err
    code, _, err = run_cli("sweep", "--workspace", tiny_workspace.root, "--strategy", "qdit",
                           "--param", "alpha=0,1", "--k", "6", "--out", tmp_path / "x.txt")
    assert code == 2 and ".parquet or .csv" in err


def test_cli_compare_uses_one_quality_spec(tiny_workspace, run_cli):
    from core.select.request import SelectionRequest
    from core.select.run import run_selection

    a = run_selection(tiny_workspace, SelectionRequest("qdit", 8, {"alpha": 0.5},
                                                       quality="length"))
    b = run_selection(tiny_workspace, SelectionRequest("random", 8, quality="none", seed=3))
    tiny_workspace.save_selection("a", a)
    tiny_workspace.save_selection("b", b)
    code, text, err = run_cli("compare", "--workspace", tiny_workspace.root, "a", "b",
                              "--quality", "length", "--label-column", "category", "--json")
    assert code == 0, err
    data = json.loads(text)
    assert data["quality"] == "length"
    from core.quality import workspace_quality

    q = workspace_quality(tiny_workspace, "length")
    # b was selected without a quality score, yet is measured with "length" here
    assert data["measures"]["quality_mean"]["b"] == pytest.approx(q[b.indices].mean())
    overlap = len(set(a.indices) & set(b.indices)) / len(set(a.indices) | set(b.indices))
    assert data["jaccard"]["a"]["b"] == pytest.approx(overlap)
    assert sum(r["picked"] for r in data["clusters"] if r["selection"] == "a") == 8
    assert sum(r["picked"] for r in data["labels"] if r["selection"] == "b") == 8
    code, text, _ = run_cli("compare", "--workspace", tiny_workspace.root, "a", "b")
    assert code == 0 and "quality 'heuristic'" in text and "jaccard" in text
    code, _, err = run_cli("compare", "--workspace", tiny_workspace.root, "a")
    assert code == 2 and "two or more" in err
