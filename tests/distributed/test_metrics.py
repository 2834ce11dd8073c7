"""Map-reduce metrics equal the single-machine core.metrics functions."""

from __future__ import annotations

import numpy as np
import pytest

from core.distributed.executor import InProcessExecutor
from core.distributed.metrics import (
    sample_centroids,
    sharded_cluster_entropy,
    sharded_coverage,
)
from core.metrics.cluster import cluster_entropy
from core.metrics.embedding import (
    facility_location_coverage,
    kcenter_radius,
    max_similarity_to_selection,
)

PICKS = np.array([7, 1500, 33, 980, 1999, 0, 640])


def test_coverage_and_radius_equal_the_single_machine_metrics(pool2k):
    source, x, _ = pool2k
    got = sharded_coverage(source, PICKS, executor=InProcessExecutor())
    sims = max_similarity_to_selection(x, PICKS)
    assert got["coverage"] == pytest.approx(facility_location_coverage(sims), rel=1e-6)
    assert got["radius"] == pytest.approx(kcenter_radius(sims)[0], rel=1e-5)


def test_coverage_on_a_sample_is_an_estimate(pool2k):
    source, x, _ = pool2k
    exact = facility_location_coverage(max_similarity_to_selection(x, PICKS))
    est = sharded_coverage(source, PICKS, executor=InProcessExecutor(), sample_rows=700)
    assert est["coverage"] == pytest.approx(exact, abs=0.03)


def test_cluster_entropy_from_labels_and_from_centroids(pool2k):
    source, x, _ = pool2k
    labels = np.random.default_rng(0).integers(0, 9, source.n)
    labels[labels == 4] = 5  # a label value with no rows: not counted as an empty cluster
    got = sharded_cluster_entropy(source, PICKS, executor=InProcessExecutor(), labels=labels)
    assert got == pytest.approx(cluster_entropy(labels, PICKS))
    centroids = sample_centroids(source, 6, sample_rows=500, seed=1)
    assert centroids.shape == (6, x.shape[1])
    assigned = (x @ centroids.T).argmax(axis=1)
    got = sharded_cluster_entropy(source, PICKS, executor=InProcessExecutor(),
                                  centroids=centroids)
    assert got == pytest.approx(cluster_entropy(assigned, PICKS))


def test_cluster_entropy_needs_one_cluster_source(pool2k):
    source, _, _ = pool2k
    with pytest.raises(ValueError):
        sharded_cluster_entropy(source, PICKS, executor=InProcessExecutor())
