"""The report: keys and shape, baseline against the candidates, caching, subsets."""

from __future__ import annotations

import json

import numpy as np
import pytest

from core.clusters import label_centroids
from core.errors import InputError
from core.metrics import (
    MEASURES,
    MemoryArrayCache,
    MetricsOptions,
    MetricsPool,
    compute_all_metrics,
    random_subset,
)
from core.metrics import embedding as emb
from core.metrics.text import tokenize_texts


def _pool(clustered_pool, **extra):
    x, labels = clustered_pool
    rng = np.random.default_rng(0)
    words = [f"w{i}" for i in range(300)]
    texts = [" ".join(rng.choice(words, rng.integers(2, 20))) for _ in range(x.shape[0])]
    tok = tokenize_texts(texts)
    return MetricsPool(x, quality=rng.random(x.shape[0]), cluster_labels=labels,
                       cluster_centroids=label_centroids(x, labels),
                       texts={"instruction": tok, "response": tok},
                       token_counts=rng.integers(1, 100, x.shape[0]),
                       unit_labels={"instruction": np.arange(x.shape[0]) % 7,
                                    "response": np.arange(x.shape[0]) % 50}, **extra)


def test_report_has_every_measure_with_selection_pool_random(clustered_pool):
    pool = _pool(clustered_pool)
    report = compute_all_metrics(pool, np.arange(0, 400, 10), MetricsOptions(n_random=2))
    assert set(report) == set(MEASURES)
    for name, entry in report.items():
        assert set(entry) == {"selection", "pool", "random"}, name
        assert entry["selection"] is not None, name
        assert set(entry["random"]) == {"mean", "std"}, name
    assert report["facility_location"]["pool"] == 1.0
    assert report["logdet"]["pool"] is None
    assert report["training_tokens"]["selection"] == pool.token_counts[::10][:40].sum()
    assert report["training_tokens"]["pool"] == pool.token_counts.sum()
    # rows 0, 10, ..., 390: (10 i) % 7 covers all 7 units, (10 i) % 50 covers 5 of 50
    assert report["distinct_units_instruction"]["selection"] == 1.0
    assert report["distinct_units_response"]["selection"] == 5 / 50
    assert report["distinct_units_response"]["pool"] == 1.0
    json.dumps(report)  # plain JSON-serialisable values


def test_selection_values_equal_the_direct_functions(clustered_pool):
    pool = _pool(clustered_pool)
    idx = np.arange(3, 400, 7)
    report = compute_all_metrics(pool, idx, MetricsOptions(n_random=1))
    sims = emb.max_similarity_to_selection(pool.embeddings, idx)
    assert report["facility_location"]["selection"] == pytest.approx(
        emb.facility_location_coverage(sims))
    assert report["vendi"]["selection"] == pytest.approx(emb.vendi_score(pool.embeddings, idx))
    assert report["vendi"]["pool"] == pytest.approx(emb.vendi_score(pool.embeddings))


def test_report_ignores_pick_order(clustered_pool):
    pool = _pool(clustered_pool)
    idx = np.random.default_rng(5).choice(400, 60, replace=False)
    opts = MetricsOptions(n_random=1)
    a = compute_all_metrics(pool, idx, opts)
    b = compute_all_metrics(pool, idx[::-1].copy(), opts)
    for name in a:
        assert a[name]["selection"] == pytest.approx(b[name]["selection"], rel=1e-5, abs=1e-6), \
            name


def test_random_baseline_respects_candidate_mask(clustered_pool):
    x, labels = clustered_pool
    mask = labels < 2  # only the first two clusters may be picked
    pool = _pool(clustered_pool, candidate_mask=mask)
    report = compute_all_metrics(pool, np.flatnonzero(mask)[:20], MetricsOptions(n_random=3))
    # every random subset lies in two clusters: the other six are always empty
    assert report["clusters_empty"]["random"]["mean"] == pytest.approx(6.0)
    assert report["clusters_empty"]["random"]["std"] == 0.0
    with pytest.raises(InputError, match="candidates"):
        compute_all_metrics(pool, np.arange(150), MetricsOptions(n_random=1))


def test_random_subsets_are_nested_across_k():
    cand = np.arange(10, 1000, 3)
    small, large = random_subset(cand, 20, 4), random_subset(cand, 200, 4)
    np.testing.assert_array_equal(small, large[:20])
    assert np.isin(large, cand).all() and np.unique(large).size == 200


def test_cached_and_uncached_reports_agree_and_cache_is_reused(clustered_pool):
    idx = np.arange(0, 400, 9)
    plain = compute_all_metrics(_pool(clustered_pool), idx, MetricsOptions(n_random=2))
    cache = MemoryArrayCache()
    pool = _pool(clustered_pool, cache=cache, embedding_key="e1", text_key="t1")
    cached = compute_all_metrics(pool, idx, MetricsOptions(n_random=2))
    for name in plain:
        assert cached[name]["selection"] == pytest.approx(plain[name]["selection"], rel=1e-4)
        # log det curves of another length may run in float64 instead of float32
        assert cached[name]["random"]["mean"] == pytest.approx(plain[name]["random"]["mean"],
                                                               rel=1e-4, abs=1e-6), name
    stored = len(cache)
    misses = cache.misses
    compute_all_metrics(pool, idx[:30], MetricsOptions(n_random=2))  # smaller k: same curves
    assert len(cache) == stored and cache.misses == misses and cache.hits > 0


def test_families_subset_and_missing_inputs(clustered_pool):
    x, _ = clustered_pool
    report = compute_all_metrics(MetricsPool(x), np.arange(10),
                                 MetricsOptions(families=("embedding", "quality"), n_random=1))
    assert set(report) == {"facility_location", "kcenter_radius", "kcenter_radius_p95",
                           "mean_pairwise_distance", "vendi"}
    with pytest.raises(InputError, match="families"):
        compute_all_metrics(MetricsPool(x), np.arange(10), MetricsOptions(families=("nope",)))


def test_knn_shortcut_in_report(clustered_pool):
    from core.neighbors import build_knn_graph

    x, _ = clustered_pool
    idx = np.arange(0, 400, 13)
    opts = MetricsOptions(families=("embedding",), n_random=2)
    dense = compute_all_metrics(MetricsPool(x), idx, opts)
    fast = compute_all_metrics(MetricsPool(x, knn=build_knn_graph(x, 16, method="exact")),
                               idx, opts)
    for name in dense:
        assert fast[name]["selection"] == pytest.approx(dense[name]["selection"], abs=1e-6)
        assert fast[name]["random"]["mean"] == pytest.approx(dense[name]["random"]["mean"],
                                                             abs=1e-6)


def test_random_baseline_values_are_cached_per_k_when_every_input_has_a_key(clustered_pool):
    cache = MemoryArrayCache()
    keys = dict(cache=cache, embedding_key="e", text_key="t", quality_key="q", cluster_key="c")
    pool = _pool(clustered_pool, **keys)
    opts = MetricsOptions(n_random=2)
    first = compute_all_metrics(pool, np.arange(0, 400, 10), opts)
    misses = cache.misses
    other = compute_all_metrics(pool, np.arange(5, 400, 10), opts)  # same k, other rows
    assert cache.misses == misses  # the baseline came from the cache
    assert other["vendi"]["random"] == first["vendi"]["random"]
    fresh = compute_all_metrics(_pool(clustered_pool), np.arange(5, 400, 10), opts)
    for name, entry in other.items():
        assert entry["random"]["mean"] == pytest.approx(fresh[name]["random"]["mean"],
                                                        rel=1e-4, abs=1e-6), name
    compute_all_metrics(pool, np.arange(0, 400, 11), opts)  # another k: new baseline
    assert cache.misses > misses


def test_log_det_is_skipped_above_its_size_limit(clustered_pool):
    x, _ = clustered_pool
    opts = MetricsOptions(families=("embedding", "logdet"), n_random=1, logdet_max_k=50)
    small = compute_all_metrics(MetricsPool(x), np.arange(50), opts)
    large = compute_all_metrics(MetricsPool(x), np.arange(51), opts)
    assert small["ldd"]["selection"] is not None
    assert large["ldd"]["selection"] is None and large["logdet"]["random"] is None
    assert large["vendi"]["selection"] is not None


def test_text_parts_split_the_text_family_without_changing_a_value(clustered_pool):
    """The dashboard asks for distinct-n/entropy/lengths first and the compression ratio
    later, against one shared cache: each part equals the full report's value and a partial
    request never leaves a gap in a later full one."""
    pool = _pool(clustered_pool, cache=MemoryArrayCache(), embedding_key="e", text_key="t")
    idx = np.arange(5, 400, 9)
    light = compute_all_metrics(pool, idx, MetricsOptions(
        families=("text",), text_parts=("distinct", "entropy", "lengths")))
    heavy = compute_all_metrics(pool, idx, MetricsOptions(
        families=("text",), text_parts=("compression",)))
    full = compute_all_metrics(pool, idx, MetricsOptions(families=("text",)))
    assert set(light) | set(heavy) == set(full) and not set(light) & set(heavy)
    assert all(name.startswith("compression_ratio") for name in heavy)
    for name, entry in {**light, **heavy}.items():
        assert entry["selection"] == pytest.approx(full[name]["selection"]), name
        assert entry["pool"] == pytest.approx(full[name]["pool"]), name
        assert entry["random"]["mean"] == pytest.approx(full[name]["random"]["mean"]), name
    with pytest.raises(InputError, match="unknown text measures"):
        compute_all_metrics(pool, idx, MetricsOptions(families=("text",), text_parts=("bleu",)))
