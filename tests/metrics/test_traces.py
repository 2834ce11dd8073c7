"""Metrics-versus-k traces agree with the set measures at every grid point."""

from __future__ import annotations

import numpy as np
import pytest
from metrics_helpers import unit_rows

from core.errors import InputError
from core.metrics import cluster as cl
from core.metrics import coverage_trace, metric_traces
from core.metrics import embedding as emb
from core.metrics import logdet as ld
from core.metrics.traces import trace_grid


def test_trace_grid():
    np.testing.assert_array_equal(trace_grid(10, 3), [3, 6, 9, 10])
    np.testing.assert_array_equal(trace_grid(10, 5), [5, 10])
    assert trace_grid(200)[-1] == 200 and trace_grid(200).size == 50
    with pytest.raises(InputError):
        trace_grid(0)


def test_coverage_trace_equals_facility_location_of_each_prefix():
    x = unit_rows(500, 8, seed=1)
    idx = np.random.default_rng(2).choice(500, 90, replace=False)
    ks, values = coverage_trace(x, idx, step=20)
    np.testing.assert_array_equal(ks, [20, 40, 60, 80, 90])
    for k, value in zip(ks, values, strict=True):
        sims = emb.max_similarity_to_selection(x, idx[:k])
        assert value == pytest.approx(emb.facility_location_coverage(sims), abs=1e-6)
    assert np.all(np.diff(values) >= -1e-9)  # coverage never drops as picks are added
    rows = np.arange(0, 500, 5)
    _, sampled = coverage_trace(x, idx, step=20, eval_rows=rows)
    full = emb.max_similarity_to_selection(x, idx)[rows]
    assert sampled[-1] == pytest.approx(emb.facility_location_coverage(full), abs=1e-6)


def test_metric_traces_end_at_the_set_values(clustered_pool):
    x, labels = clustered_pool
    idx = np.random.default_rng(3).choice(400, 64, replace=False)
    q = np.linspace(0, 1, 400)
    tr = metric_traces(x, idx, 16, cluster_labels=labels, quality=q)
    np.testing.assert_array_equal(tr["k"], [16, 32, 48, 64])
    assert tr["vendi"][1] == pytest.approx(emb.vendi_score(x, idx[:32]), rel=1e-8)
    assert tr["cluster_entropy"][0] == pytest.approx(
        cl.cluster_entropy(labels, idx[:16])["entropy"])
    assert tr["quality_mean"][2] == pytest.approx(q[idx[:48]].mean())
    assert tr["logdet"][3] == pytest.approx(ld.logdet_prefix_curve(x[idx])[-1], rel=1e-6)
    # sphere points of a seed are nested across counts, so the prefix LDD is the set LDD
    mean, _ = ld.log_determinant_distance(x, idx[:32])
    assert tr["ldd"][1] == pytest.approx(mean, rel=1e-5)
    refs = [ld.reference_logdet_curve(64, x.shape[1], seed=s)[31] for s in (0, 1, 2)]
    assert tr["ldd"][1] == pytest.approx(ld.ldd_from_logdets(tr["logdet"][1], refs, 32)[0])
