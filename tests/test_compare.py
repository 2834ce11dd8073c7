import numpy as np
import pytest

from core.compare import cluster_coverage, jaccard, jaccard_matrix, pareto_front


def test_jaccard_by_hand():
    assert jaccard([1, 2, 3], [2, 3, 4]) == pytest.approx(2 / 4)
    assert jaccard([], []) == 1.0
    assert jaccard([1], [2]) == 0.0
    m = jaccard_matrix({"a": [1, 2], "b": [2, 3], "c": [9]})
    assert m.loc["a", "b"] == pytest.approx(1 / 3) and m.loc["b", "a"] == m.loc["a", "b"]
    assert m.loc["a", "a"] == 1.0 and m.loc["a", "c"] == 0.0


def test_cluster_coverage_counts_and_shares():
    labels = np.array([0, 0, 0, 1, 1, 2])
    table = cluster_coverage(labels, {"s": [0, 1, 3]}, {0: "zero", 1: "one", 2: "two"})
    got = {r.cluster: (r.picked, r.share_covered) for r in table.itertuples()}
    assert got == {"zero": (2, pytest.approx(2 / 3)), "one": (1, 0.5), "two": (0, 0.0)}


def test_pareto_front_by_hand():
    x = [1, 2, 3, 2, 0.5, 3]
    y = [3, 2, 1, 1, 0.5, 1]
    # (2,1) is dominated by (2,2) and (3,1); (0.5,0.5) by everything; twins (3,1) both kept
    assert pareto_front(x, y).tolist() == [True, True, True, False, False, True]


def test_pareto_front_random_points_match_brute_force():
    rng = np.random.default_rng(0)
    x, y = rng.random(200), rng.random(200)
    brute = [not any((x[j] >= x[i] and y[j] >= y[i] and (x[j] > x[i] or y[j] > y[i]))
                     for j in range(200)) for i in range(200)]
    assert pareto_front(x, y).tolist() == brute
