"""The non-greedy-objective strategies: baselines, cluster round-robin, DEITA, token coverage,
DaaR."""

from __future__ import annotations

import numpy as np
import pytest

from core.errors import InputError
from core.select import SelectionContext, get_strategy
from core.select.registry import STRATEGIES
from core.select.token_coverage import band_type_sets, flat_token_ids
from tests.synthetic import clustered_unit_vectors, synthetic_texts


def test_random_is_a_seeded_uniform_sample(small_ctx):
    a = get_strategy("random").select(small_ctx, 30, seed=1).indices
    b = get_strategy("random").select(small_ctx, 30, seed=2).indices
    assert a.tolist() != b.tolist()
    counts = np.zeros(small_ctx.n)
    for seed in range(200):
        counts[get_strategy("random").select(small_ctx, 30, seed=seed).indices] += 1
    assert counts.min() > 0 and counts.max() < 3 * counts.mean()


def test_quality_top_k_and_requires_a_score(small_ctx):
    res = get_strategy("quality").select(small_ctx, 10)
    assert res.indices.tolist() == np.argsort(-small_ctx.quality, kind="stable")[:10].tolist()
    with pytest.raises(InputError, match="needs a quality score"):
        get_strategy("quality").select(SelectionContext(embeddings=small_ctx.embeddings), 5)


@pytest.mark.parametrize("name", ["qdit", "dpp"])
def test_quality_weight_one_is_the_quality_top_k_on_quality_alone(name):
    # The rule has one owner (Strategy.quality_only): at weight 1 the strategy needs only
    # the quality score and picks the quality top-k, must-include rows first.
    weighted = {n for n, cls in STRATEGIES.items() if cls.quality_weight_param}
    assert weighted == {"qdit", "dpp"}
    q = np.random.default_rng(4).permutation(np.repeat(np.linspace(0.1, 0.9, 20), 2))
    strat = get_strategy(name, **{STRATEGIES[name].quality_weight_param: 1.0})
    assert strat.quality_only() and strat.context_needs(len(q)) == {"quality"}
    res = strat.select(SelectionContext(quality=q), 8, must_include=[5])
    top = [r for r in np.argsort(-q, kind="stable").tolist() if r != 5][:7]
    assert res.indices.tolist() == [5, *top]
    assert not get_strategy(name).quality_only()


def test_cluster_balanced_round_robin(small_ctx):
    res = get_strategy("cluster_balanced").select(small_ctx, 22)
    labels = small_ctx.labels[res.indices]
    counts = np.bincount(labels, minlength=4)
    assert counts.max() - counts.min() <= 1  # balanced
    q = small_ctx.quality
    for c in range(4):  # best quality first within each cluster
        in_c = np.flatnonzero(small_ctx.labels == c)
        best = in_c[np.argsort(-q[in_c], kind="stable")][:counts[c]]
        assert res.indices[labels == c].tolist() == best.tolist()
    assert res.objective_trace[-1] == 4 and res.gains[:4].tolist() == [1, 1, 1, 1]


def test_cluster_balanced_runs_kmeans_without_labels():
    x = clustered_unit_vectors(80, 8, 4, seed=1)
    res = get_strategy("cluster_balanced", n_clusters=4).select(SelectionContext(embeddings=x),
                                                                 8)
    assert res.config["info"] == {"label_source": "kmeans", "n_clusters": 4}
    assert res.objective == 4


def test_deita_respects_the_threshold(small_ctx):
    x = small_ctx.embeddings
    res = get_strategy("deita", threshold=0.6).select(small_ctx, 15)
    sims = x[res.indices] @ x[res.indices].T
    np.fill_diagonal(sims, -1)
    assert sims.max() <= 0.6 + 1e-6
    # brute-force walk
    kept = []
    for row in np.argsort(-small_ctx.quality, kind="stable"):
        if all(x[row] @ x[j] <= 0.6 for j in kept):
            kept.append(int(row))
        if len(kept) == 15:
            break
    assert res.indices.tolist() == kept


def test_deita_stops_early_on_duplicates():
    x = np.repeat(np.eye(3, dtype=np.float32), 4, axis=0)
    res = get_strategy("deita").select(SelectionContext(embeddings=x), 5)
    assert res.k == 3 and "kept 3 of 5" in res.stopped_early


def test_token_coverage_equals_brute_force_greedy():
    texts = synthetic_texts(60, seed=4)
    q = np.random.default_rng(5).random(60)
    ctx = SelectionContext(texts=texts, quality=q)
    res = get_strategy("token_coverage", min_count=2, max_count=60).select(ctx, 20)
    flat, offsets = flat_token_ids(ctx, "token_coverage")
    indptr, types, _ = band_type_sets(flat, offsets, 2, 60)
    sets = [set(types[indptr[i]:indptr[i + 1]].tolist()) for i in range(60)]
    covered: set[int] = set()
    brute = []
    for _ in range(20):
        key = [(len(sets[i] - covered), q[i], -i) if i not in brute else (-1, 0, 0)
               for i in range(60)]
        brute.append(-max(key)[2])
        covered |= sets[brute[-1]]
    assert res.indices.tolist() == brute
    assert res.objective == len(covered)


def test_token_band_counts_occurrences():
    flat = np.array([1, 1, 2, 3, 3, 3, 1])
    offsets = np.array([0, 3, 7])
    indptr, types, n_band = band_type_sets(flat, offsets, 2, 3)
    assert n_band == 2  # 1 (three times) and 3 (three times); 2 appears once
    assert types[indptr[0]:indptr[1]].tolist() == [1]
    assert types[indptr[1]:indptr[2]].tolist() == [1, 3]


def test_daar_reward_is_a_normalised_entropy_and_deterministic(small_ctx):
    a = get_strategy("daar", n_domains=4, steps=60).select(SelectionContext(
        embeddings=small_ctx.embeddings), 15, seed=2)
    b = get_strategy("daar", n_domains=4, steps=60).select(SelectionContext(
        embeddings=small_ctx.embeddings), 15, seed=2)
    assert a.indices.tolist() == b.indices.tolist()
    assert np.all((a.gains >= 0) & (a.gains <= 1)) and np.all(np.diff(a.gains) <= 0)


def test_daar_target_weight_favours_the_target_domain():
    x = clustered_unit_vectors(200, 8, 4, seed=6, noise=0.6)
    labels = np.argmax(x @ np.random.default_rng(0).normal(size=(8, 3)), axis=1)
    ctx = SelectionContext(embeddings=x, labels=labels, label_names=["a", "b", "c"])
    plain = get_strategy("daar", steps=80).select(ctx, 40, seed=0)
    target = get_strategy("daar", steps=80, target_domain="b", target_weight=0.8).select(
        ctx, 40, seed=0)
    assert (labels[target.indices] == 1).sum() > (labels[plain.indices] == 1).sum()
    with pytest.raises(InputError, match="unknown target_domain 'z'"):
        get_strategy("daar", target_domain="z", target_weight=0.5).select(ctx, 5)
