"""Cluster entropy, DaaR domain diversity and quality statistics against hand values."""

from __future__ import annotations

import numpy as np
import pytest

from core.errors import InputError
from core.metrics import cluster as cl
from core.metrics.quality import low_quality_threshold, quality_stats

LABELS = np.array([0, 0, 0, 1, 1, 2, 2, 3])  # four clusters


def test_cluster_entropy_by_hand():
    out = cl.cluster_entropy(LABELS, [0, 1, 3, 5])  # counts 2, 1, 1, 0
    p = np.array([0.5, 0.25, 0.25])
    h = -(p * np.log(p)).sum()
    assert out["entropy"] == pytest.approx(h)
    assert out["ratio"] == pytest.approx(h / np.log(4))  # min(4 clusters, 4 picks)
    assert out["empty"] == 1
    assert out["empty_share"] == pytest.approx(0.25)


def test_balanced_selection_reaches_ratio_one_and_small_k_uses_log_k():
    assert cl.cluster_entropy(LABELS, [0, 3, 5, 7])["ratio"] == pytest.approx(1.0)
    two = cl.cluster_entropy(LABELS, [0, 3])  # two picks in two clusters: the best possible
    assert two["ratio"] == pytest.approx(1.0)
    assert two["empty"] == 2
    one = cl.cluster_entropy(LABELS, [0, 1, 2])
    assert one["entropy"] == 0.0 and one["ratio"] == 0.0


def test_cluster_entropy_ignores_order_and_trace_matches():
    idx = np.array([7, 0, 3, 1, 5, 2])
    assert cl.cluster_entropy(LABELS, idx)["entropy"] == pytest.approx(
        cl.cluster_entropy(LABELS, idx[::-1])["entropy"])
    trace = cl.cluster_entropy_trace(LABELS, idx, [1, 3, 6])
    for k, value in zip([1, 3, 6], trace, strict=True):
        assert value == pytest.approx(cl.cluster_entropy(LABELS, idx[:k])["entropy"])


def test_domain_diversity_by_hand():
    x = np.array([[1.0, 0.0], [0.0, 1.0], [0.6, 0.8]], dtype=np.float32)
    labels = np.array([0, 1, 1])
    centroids = np.array([[1.0, 0.0], [0.0, 1.0]], dtype=np.float32)
    out = cl.domain_diversity(x, labels, centroids, [0, 2])
    # row 0: intra cos(x, C0) = 1, inter cos(x, C1) = 0; row 2: intra 0.8, inter 0.6
    assert out["intra"] == pytest.approx(0.9)
    assert out["inter"] == pytest.approx(0.3)
    with pytest.raises(InputError, match="centroids"):
        cl.domain_diversity(x, labels, centroids[:1], [0])


def test_quality_stats_by_hand():
    q = np.array([0.0, 1.0, 2.0, 3.0, 4.0, np.nan, 6.0, 7.0])
    out = quality_stats(q, [1, 4, 5, 7], threshold=2.0)
    assert out["mean"] == pytest.approx(4.0)  # NaN ignored: (1 + 4 + 7) / 3
    assert out["median"] == pytest.approx(4.0)
    assert out["low_share"] == pytest.approx(1 / 3)
    assert low_quality_threshold(q) == pytest.approx(np.quantile(q[~np.isnan(q)], 0.25))
    assert quality_stats(q, [5], threshold=2.0)["mean"] is None
    with pytest.raises(InputError, match="quality"):
        low_quality_threshold(np.array([np.nan]))
