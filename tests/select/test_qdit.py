"""QDIT: exact greedy against a brute force, dense == sparse on a complete graph, limits, and
the relative scaling's alpha slider on a real pool."""

from __future__ import annotations

import json

import numpy as np
import pytest

from core.neighbors import build_knn_graph
from core.quality import rank_normalize
from core.select import SelectionContext, get_strategy
from core.text import prompt_text, subword_lengths
from tests.synthetic import clustered_unit_vectors


def brute_force_qdit(x, q, alpha, k, scale_mean=True, must=()):
    """Recompute every candidate's f(a|A) from scratch at every step; argmax, lowest row."""
    n = len(x)
    sim = np.maximum(x.astype(np.float64) @ x.T.astype(np.float64), 0.0)
    np.fill_diagonal(sim, 1.0)
    scale = (1 - alpha) / (n if scale_mean else 1)
    picked = list(must)
    for _ in range(k - len(picked)):
        cover = sim[picked].max(axis=0).sum() if picked else 0.0
        best, best_row = -np.inf, -1
        for a in range(n):
            if a in picked:
                continue
            f = scale * (sim[picked + [a]].max(axis=0).sum() - cover) + alpha * q[a]
            if f > best + 1e-12:
                best, best_row = f, a
        picked.append(best_row)
    return picked


def brute_force_relative(x, q, alpha, k, must=(), candidates=None):
    """Relative mode from scratch: every gain and G_t recomputed at every step (0/0 -> 1).

    Returns (picks, f_t of each pick); a forced row's G_t counts the free candidates and the
    row itself."""
    n = len(x)
    sim = np.maximum(x.astype(np.float64) @ x.T.astype(np.float64), 0.0)
    np.fill_diagonal(sim, 1.0)
    free = [a for a in (range(n) if candidates is None else np.flatnonzero(candidates))
            if a not in must]
    cur = np.zeros(n)
    picked, scores = [], []

    def take(row, gains, best):
        scores.append((1 - alpha) * (gains[row] / best if best > 0 else 1.0) + alpha * q[row])
        picked.append(row)
        cur[:] = np.maximum(cur, sim[row])

    for row in must:
        gains = {a: np.maximum(sim[a] - cur, 0.0).sum() for a in [*free, row]}
        take(row, gains, max(gains.values()))
    for _ in range(k - len(picked)):
        rest = [a for a in free if a not in picked]
        gains = {a: np.maximum(sim[a] - cur, 0.0).sum() for a in rest}
        best = max(gains.values())
        f = [(1 - alpha) * (gains[a] / best if best > 0 else 1.0) + alpha * q[a] for a in rest]
        top = max(f)
        take(rest[next(i for i, v in enumerate(f) if v > top - 1e-12)], gains, best)
    return picked, np.array(scores)


def fl_coverage(x, rows):
    sim = np.maximum(x @ x[rows].T, 0.0)
    return float(sim.max(axis=1).mean())


@pytest.fixture(scope="module")
def pool():
    x = clustered_unit_vectors(90, 10, 6, seed=3)
    q = np.random.default_rng(4).random(90)
    return x, q


@pytest.mark.parametrize("alpha", [0.0, 0.2, 0.6])
def test_mean_scaling_equals_brute_force(pool, alpha):
    x, q = pool
    res = get_strategy("qdit", alpha=alpha, method="dense", coverage="mean").select(
        SelectionContext(embeddings=x, quality=q), 25)
    assert res.indices.tolist() == brute_force_qdit(x, q, alpha, 25)
    assert res.config["info"]["path"] == "dense"


def test_sum_scaling_and_must_include_equal_brute_force(pool):
    x, q = pool
    res = get_strategy("qdit", alpha=0.9, coverage="sum").select(
        SelectionContext(embeddings=x, quality=q), 15, must_include=[40, 2])
    assert res.indices.tolist() == brute_force_qdit(x, q, 0.9, 15, scale_mean=False,
                                                    must=[40, 2])


@pytest.mark.parametrize("coverage", ["relative", "mean"])
@pytest.mark.parametrize("alpha", [0.0, 0.4, 0.8])
def test_sparse_equals_dense_on_complete_graph(pool, alpha, coverage):
    x, q = pool
    knn = build_knn_graph(x, k=len(x), method="exact")
    ctx = SelectionContext(embeddings=x, quality=q, knn=knn)
    kw = {"alpha": alpha, "coverage": coverage}
    dense = get_strategy("qdit", method="dense", **kw).select(ctx, 30, must_include=[7])
    sparse = get_strategy("qdit", method="sparse", **kw).select(ctx, 30, must_include=[7])
    assert sparse.config["info"]["path"] == "sparse"
    assert sparse.indices.tolist() == dense.indices.tolist()
    np.testing.assert_allclose(sparse.gains, dense.gains, rtol=1e-6)
    np.testing.assert_allclose(sparse.objective_trace, dense.objective_trace, rtol=1e-6)


@pytest.mark.parametrize("alpha", [0.0, 0.1, 0.3, 0.5, 0.7, 0.9])
@pytest.mark.parametrize("seed", [0, 1])
def test_relative_equals_brute_force(alpha, seed):
    rng = np.random.default_rng(seed)
    x = clustered_unit_vectors(70, 8, 5, seed=10 + seed)
    q = rng.random(70)
    mask = rng.random(70) < 0.8
    must = [int(r) for r in rng.choice(np.flatnonzero(~mask), 2, replace=False)]
    res = get_strategy("qdit", alpha=alpha, method="dense").select(
        SelectionContext(embeddings=x, quality=q), 24, candidates=mask, must_include=must)
    picks, scores = brute_force_relative(x, q, alpha, 24, must=must, candidates=mask)
    assert res.config["params"]["coverage"] == "relative"
    assert res.indices.tolist() == picks
    np.testing.assert_allclose(res.gains, scores, rtol=1e-5)
    assert np.all(res.gains <= 1 + 1e-9) and np.all(res.gains >= 0)


@pytest.mark.parametrize("tier_min", [2, 32, 10**9])
@pytest.mark.parametrize("alpha", [0.2, 0.5, 0.8, 0.97, 1.0])
def test_relative_with_tied_quality_equals_brute_force(monkeypatch, tier_min, alpha):
    # Heuristic scores tie most of a pool at one value: those rows go to per-value lazy
    # heaps (quality tiers) instead of the per-step scan. Three common values, a few rare
    # ones, candidates and must-include rows; tier_min 2 puts every repeated value in a
    # tier, 10**9 none.
    import core.select.relative_gain as fl

    monkeypatch.setattr(fl, "TIER_MIN", tier_min)
    rng = np.random.default_rng(7)
    x = clustered_unit_vectors(130, 12, 6, seed=8)
    q = rng.choice([0.25, 0.6, 0.9], size=130, p=[0.3, 0.3, 0.4])
    q[rng.choice(130, 9, replace=False)] = rng.random(9)
    mask = rng.random(130) < 0.9
    must = [int(r) for r in rng.choice(np.flatnonzero(~mask), 2, replace=False)]
    res = get_strategy("qdit", alpha=alpha, method="dense").select(
        SelectionContext(embeddings=x, quality=q), 40, candidates=mask, must_include=must)
    picks, scores = brute_force_relative(x, q, alpha, 40, must=must, candidates=mask)
    assert res.indices.tolist() == picks
    np.testing.assert_allclose(res.gains, scores, rtol=1e-5)


@pytest.mark.parametrize("tier_min", [2, 32, 10**9])
@pytest.mark.parametrize("method", ["dense", "sparse"])
def test_relative_with_tied_quality_and_tied_gains(monkeypatch, tier_min, method):
    # Ten copies of each of eight one-hot rows and two quality values, 40 rows each: gains
    # tie exactly within each group (the lower row must win), and after eight picks every
    # gain is 0 (quality decides, ties to the lower row).
    import core.select.relative_gain as fl

    monkeypatch.setattr(fl, "TIER_MIN", tier_min)
    x = np.repeat(np.eye(8, dtype=np.float32), 10, axis=0)
    q = np.random.default_rng(9).permutation(np.repeat([0.3, 0.7], 40))
    knn = build_knn_graph(x, k=80, method="exact")
    for alpha in (0.1, 0.5, 0.9):
        res = get_strategy("qdit", alpha=alpha, method=method).select(
            SelectionContext(embeddings=x, quality=q, knn=knn), 30)
        picks, scores = brute_force_relative(x, q, alpha, 30)
        assert res.indices.tolist() == picks, alpha
        np.testing.assert_allclose(res.gains, scores, rtol=1e-6)


@pytest.mark.parametrize("method", ["dense", "sparse"])
def test_relative_falls_back_to_quality_once_everything_is_covered(method):
    # Three copies of each of four one-hot rows: exact 0/1 similarities, so four picks cover
    # the pool exactly and G_t = 0 for the rest; quality then decides.
    x = np.repeat(np.eye(4, dtype=np.float32), 3, axis=0)
    q = np.random.default_rng(5).random(12)
    knn = build_knn_graph(x, k=12, method="exact")
    res = get_strategy("qdit", alpha=0.3, method=method).select(
        SelectionContext(embeddings=x, quality=q, knn=knn), 10)
    picks, scores = brute_force_relative(x, q, 0.3, 10)
    assert res.indices.tolist() == picks
    np.testing.assert_allclose(res.gains, scores, rtol=1e-6)
    rest = [r for r in np.argsort(-q, kind="stable") if r not in picks[:4]]
    assert picks[4:] == [int(r) for r in rest[:6]]
    assert {r // 3 for r in picks[:4]} == {0, 1, 2, 3}


def test_relative_gains_reach_one_at_alpha_zero(pool):
    x, q = pool
    res = get_strategy("qdit", alpha=0.0).select(SelectionContext(embeddings=x, quality=q), 20)
    np.testing.assert_allclose(res.gains, 1.0)  # the pick is always the best gain


def test_objective_trace_is_the_objective(pool):
    x, q = pool
    alpha = 0.3
    ctx = SelectionContext(embeddings=x, quality=q)
    res = get_strategy("qdit", alpha=alpha, coverage="mean").select(ctx, 12)
    rel = get_strategy("qdit", alpha=alpha).select(ctx, 12, must_include=[3])
    for j in (1, 5, 12):
        rows = res.indices[:j]
        expected = (1 - alpha) * fl_coverage(x, rows) + alpha * q[rows].sum()
        assert res.objective_trace[j - 1] == pytest.approx(expected, rel=1e-6)
        rows = rel.indices[:j]
        expected = (1 - alpha) * fl_coverage(x, rows) + alpha * q[rows].mean()
        assert rel.objective_trace[j - 1] == pytest.approx(expected, rel=1e-6)
    assert np.all(np.diff(res.objective_trace) >= 0)
    assert rel.config["info"]["final_mean_coverage"] == pytest.approx(
        fl_coverage(x, rel.indices), rel=1e-6)


@pytest.mark.parametrize("coverage", ["relative", "mean", "sum"])
def test_alpha_one_is_quality_top_k(pool, coverage):
    x, q = pool
    res = get_strategy("qdit", alpha=1.0, coverage=coverage).select(
        SelectionContext(embeddings=x, quality=q), 20)
    assert res.indices.tolist() == np.argsort(-q, kind="stable")[:20].tolist()
    assert res.config["info"]["path"] == "none"


@pytest.mark.parametrize("method", ["dense", "sparse"])
@pytest.mark.parametrize("coverage", ["relative", "mean"])
def test_alpha_zero_is_pure_facility_location(pool, coverage, method):
    x, q = pool
    ctx = SelectionContext(embeddings=x, quality=q,
                           knn=build_knn_graph(x, k=len(x), method="exact"))
    a = get_strategy("qdit", alpha=0.0, coverage=coverage, method=method).select(ctx, 20)
    b = get_strategy("qdit", alpha=0.0, coverage=coverage, method=method).select(
        SelectionContext(embeddings=x, knn=ctx.knn), 20)
    assert a.indices.tolist() == b.indices.tolist()  # quality plays no part
    assert a.indices.tolist() == brute_force_qdit(x, np.zeros(len(x)), 0.0, 20)


def test_sparse_path_builds_a_graph_when_the_context_has_none(pool):
    x, q = pool
    res = get_strategy("qdit", alpha=0.5, method="auto", dense_max_n=10).select(
        SelectionContext(embeddings=x, quality=q), 10)
    assert res.config["info"]["path"] == "sparse" and res.k == 10


def test_greedy_beats_random_coverage(pool):
    x, q = pool
    res = get_strategy("qdit", alpha=0.0).select(SelectionContext(embeddings=x, quality=q), 15)
    rng = np.random.default_rng(0)
    randoms = [fl_coverage(x, rng.choice(len(x), 15, replace=False)) for _ in range(20)]
    assert fl_coverage(x, res.indices) > max(randoms)


ALPHA_TABLE = [0.0, 0.1, 0.3, 0.5, 0.7, 0.9, 1.0]
K_REAL = 300


@pytest.fixture(scope="module")
def alpaca(shared_data):
    """alpaca_5000: TF-IDF + SVD(64) prompt embeddings, quality = rank of the response length."""
    from sklearn.decomposition import TruncatedSVD
    from sklearn.feature_extraction.text import TfidfVectorizer

    rows = json.loads((shared_data / "alpaca" / "alpaca_5000.json").read_text("utf-8"))
    texts = [prompt_text(r["instruction"], r["input"]) for r in rows]
    tfidf = TfidfVectorizer(min_df=2, sublinear_tf=True).fit_transform(texts)
    x = TruncatedSVD(64, random_state=0).fit_transform(tfidf)
    x = (x / np.maximum(np.linalg.norm(x, axis=1, keepdims=True), 1e-12)).astype(np.float32)
    q = rank_normalize(subword_lengths([r["output"] for r in rows]))
    return SelectionContext(embeddings=x, quality=q)


def test_relative_alpha_slider_trades_off_smoothly_on_a_real_pool(alpaca):
    table = {}
    for alpha in ALPHA_TABLE:
        res = get_strategy("qdit", alpha=alpha).select(alpaca, K_REAL)
        table[alpha] = (float(alpaca.quality[res.indices].mean()),
                        fl_coverage(alpaca.embeddings, res.indices))
    print("\nalpha -> (mean quality, mean coverage) at k =", K_REAL)
    for alpha, (quality, cover) in table.items():
        print(f"  {alpha:.1f} -> ({quality:.4f}, {cover:.4f})")
    means = [table[a][0] for a in ALPHA_TABLE]
    assert all(b >= a - 1e-12 for a, b in zip(means, means[1:], strict=False)), table
    (q0, c0), (qh, ch), (q1, c1) = table[0.0], table[0.5], table[1.0]
    assert q0 < qh < q1, table
    assert c1 < ch < c0, table
