"""Per-pick explanations (core.explain) against brute-force computations on a real
5,000-row pool: ../shared/data/alpaca/alpaca_5000.json, TF-IDF + SVD embeddings, quality =
response length (rank-normalised)."""

from __future__ import annotations

import json

import numpy as np
import pytest

from core.explain import explain_row, explain_selection
from core.explain.laststep import last_step_scores
from core.explain.parts import gain_parts
from core.quality import workspace_quality
from core.select.request import SelectionRequest
from core.select.run import run_selection

K = 25


@pytest.fixture(scope="module")
def ws(alpaca_5000_tfidf):
    return alpaca_5000_tfidf


@pytest.fixture(scope="module")
def runs(ws):
    specs = {"qdit": ("qdit", {"alpha": 0.5}), "qdit_sparse": ("qdit", {"alpha": 0.3,
                                                                        "method": "sparse"}),
             "qdit_mean": ("qdit", {"alpha": 0.02, "coverage": "mean"}),
             "dpp": ("dpp", {"lam": 0.5}), "kcenter": ("kcenter", {"quality_weight": 0.5}),
             "deita": ("deita", {"threshold": 0.5})}
    return {name: run_selection(ws, SelectionRequest(strat, K, params, quality="length"))
            for name, (strat, params) in specs.items()}


def _x(ws):
    return np.asarray(ws.embeddings(), dtype=np.float64)


def test_a_strategy_without_a_quality_term_or_registration_has_quality_part_zero():
    gains, rows = np.array([3.0, 1.0]), np.array([0, 1])
    cover, qual = gain_parts({"strategy": "cluster_balanced", "params": {}}, gains, rows,
                             np.array([0.9, 0.1]), 2)
    assert qual.tolist() == [0.0, 0.0] and cover.tolist() == [3.0, 1.0]
    cover, qual = gain_parts({"strategy": "gone", "params": {}}, gains, rows, None, 2)
    assert qual.tolist() == [0.0, 0.0] and cover.tolist() == [3.0, 1.0]


def test_qdit_coverage_part_is_the_relative_facility_location_gain(ws, runs):
    """Brute force: (1 - alpha) * g_t / G_t with g over the dense clipped cosine."""
    result = runs["qdit"]
    exp = explain_selection(ws, result)
    x = _x(ws)
    sim = np.maximum(x @ x.T, 0.0)
    np.fill_diagonal(sim, 1.0)
    cur = np.zeros(len(x))
    free = np.ones(len(x), dtype=bool)
    q = workspace_quality(ws, "length")
    for t, row in enumerate(result.indices):
        g = np.maximum(sim - cur, 0.0).sum(axis=1)
        best = g[free].max()
        assert exp.picks["coverage_part"][t] == pytest.approx(0.5 * g[row] / best, abs=2e-4)
        assert exp.picks["quality_part"][t] == pytest.approx(0.5 * q[row], abs=1e-12)
        cur = np.maximum(cur, sim[row])
        free[row] = False
    parts = exp.picks["coverage_part"] + exp.picks["quality_part"]
    assert np.allclose(parts, exp.picks["gain"], atol=1e-12)


def test_dpp_coverage_part_is_the_log_conditional_variance(ws, runs):
    result = runs["dpp"]
    exp = explain_selection(ws, result)
    x = _x(ws)
    kernel = np.exp((x[result.indices] @ x[result.indices].T - 1.0) / 2.0)
    for t in range(K):
        kv = kernel[:t, t]
        d2 = 1.0 - kv @ np.linalg.solve(kernel[:t, :t], kv) if t else 1.0
        assert exp.picks["coverage_part"][t] == pytest.approx(0.5 * np.log(d2), abs=1e-5)


def test_kcenter_split_is_the_quality_share_of_the_weighted_distance(ws, runs):
    result = runs["kcenter"]
    exp = explain_selection(ws, result)
    x, q = _x(ws), workspace_quality(ws, "length")
    for t, row in enumerate(result.indices):
        dist = 2.0 if t == 0 else 1.0 - (x[result.indices[:t]] @ x[row]).max()
        assert exp.picks["quality_part"][t] == pytest.approx(0.5 * q[row] * dist, abs=1e-5)
        assert exp.picks["coverage_part"][t] == pytest.approx(0.5 * dist, abs=1e-5)


@pytest.mark.parametrize("name", ["qdit", "dpp", "kcenter", "deita"])
def test_represents_is_the_dense_nearest_pick(ws, runs, name):
    result = runs[name]
    exp = explain_selection(ws, result)
    x = _x(ws)
    cos = x @ x[result.indices].T
    cos[result.indices, np.arange(K)] = 2.0  # a pick represents itself
    want = np.bincount(cos.argmax(axis=1), minlength=K)
    assert exp.similarity == "dense" and exp.unrepresented == 0
    assert exp.picks["represents"].tolist() == want.tolist()
    assert exp.picks["represents"].sum() == ws.n_rows - exp.unrepresented
    # the closest represented rows: the top similarities among the rows it represents
    owner = cos.argmax(axis=1)
    for t, rec in exp.picks.iterrows():
        mine = np.flatnonzero(owner == t)
        mine = mine[mine != result.indices[t]]
        top = np.sort(cos[mine, t])[::-1][:3]
        assert rec["closest_similarity"] == pytest.approx(top.tolist(), abs=1e-5)


def test_represents_on_the_knn_graph_counts_rows_without_a_pick_apart(ws, runs):
    result = runs["qdit_sparse"]
    exp = explain_selection(ws, result)
    graph = ws.knn()
    n = ws.n_rows
    dense = np.zeros((n, n), dtype=np.float32)
    dense[np.repeat(np.arange(n), graph.k), graph.indices.ravel()] = np.clip(
        graph.sims.ravel(), 0, None)
    dense = np.maximum(dense, dense.T)[:, result.indices]
    dense[result.indices, np.arange(K)] = 2.0
    has = dense.max(axis=1) > 0
    want = np.bincount(dense[has].argmax(axis=1), minlength=K)
    assert exp.similarity == "knn"
    assert exp.unrepresented == int((~has).sum()) > 0
    assert exp.picks["represents"].tolist() == want.tolist()
    assert exp.picks["represents"].sum() == n - exp.unrepresented


@pytest.mark.parametrize("name", ["qdit", "qdit_sparse", "qdit_mean", "dpp", "kcenter"])
def test_last_step_scores_give_the_last_pick_its_gain_and_no_row_more(ws, runs, name):
    """The greedy's last step: the last pick scores its own gain, every other free row
    at most that (so 'missed by' is never negative)."""
    result = runs[name]
    q = workspace_quality(ws, "length")
    scores = last_step_scores(ws, result, np.arange(ws.n_rows), q)
    last = result.indices[-1]
    assert scores[last] == pytest.approx(result.gains[-1], abs=1e-4)
    free = np.ones(ws.n_rows, dtype=bool)
    free[result.indices] = False
    assert scores[free].max() <= result.gains[-1] + 1e-4


def test_explain_row_for_a_missed_and_a_picked_row(ws, runs):
    result = runs["qdit"]
    exp = explain_selection(ws, result)
    ids = ws.pool_frame(["id"])["id"].astype(str).to_numpy()
    missed = exp.picks["closest_ids"][K - 1][0]
    answer = explain_row(ws, result, missed, exp)
    assert not answer["picked"] and answer["candidate"]
    assert answer["represented_by"]["rank"] == K - 1
    assert answer["missed_by"] == pytest.approx(answer["last_gain"] -
                                                answer["score_at_last_step"])
    assert answer["missed_by"] >= -1e-6
    picked = explain_row(ws, result, ids[result.indices[3]], exp)
    assert picked["picked"] and picked["rank"] == 3
    assert picked["represented_by"]["rank"] == 3
    assert picked["coverage_part"] + picked["quality_part"] == pytest.approx(picked["gain"])


def test_deita_row_skipped_as_redundant_says_so(ws, runs):
    result = runs["deita"]
    q = workspace_quality(ws, "length")
    ids = ws.pool_frame(["id"])["id"].astype(str).to_numpy()
    walked = np.flatnonzero(q >= result.gains[-1])
    skipped = np.setdiff1d(walked, result.indices)
    assert len(skipped)
    answer = explain_row(ws, result, ids[skipped[0]])
    assert answer["missed_by"] <= 0 and answer["note"].startswith("redundant: cosine")


def test_cli_explain_json_and_row(ws, runs, run_cli):
    ws.save_selection("qdit-explain", runs["qdit"])
    code, out, _ = run_cli("explain", "--workspace", ws.root, "--selection", "qdit-explain",
                           "--json")
    assert code == 0
    data = json.loads(out)
    assert len(data["picks"]) == K
    assert sum(p["represents"] for p in data["picks"]) + data["unrepresented"] == ws.n_rows
    first = data["picks"][0]
    assert {"rank", "id", "row", "gain", "coverage_part", "quality_part", "represents",
            "cluster"} <= set(first)
    code, out, _ = run_cli("explain", "--workspace", ws.root, "--selection", "qdit-explain",
                           "--row", first["closest_ids"][0])
    assert code == 0 and "was not picked" in out and "missed by" in out
    code, _, err = run_cli("explain", "--workspace", ws.root, "--selection", "qdit-explain",
                           "--row", "no-such-id")
    assert code == 2 and err.startswith("error:") and "no-such-id" in err
