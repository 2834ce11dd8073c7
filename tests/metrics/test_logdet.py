"""log det and LDD: hand values, prefix curves, greedy equals Cholesky, sphere samples."""

from __future__ import annotations

import numpy as np
import pytest
from metrics_helpers import unit_rows

from core.metrics import logdet as ld


def test_logdet_of_two_rows_by_hand():
    c = 0.3
    x = np.array([[1.0, 0.0], [c, np.sqrt(1 - c * c)]])
    off = np.exp((c - 1) / 2)  # gamma = 1
    jit = ld.DEFAULT_JITTER
    curve = ld.logdet_prefix_curve(x)
    assert curve[0] == pytest.approx(np.log(1 + jit), abs=1e-7)
    assert curve[1] == pytest.approx(np.log((1 + jit) ** 2 - off ** 2), abs=1e-6)


def test_prefix_curve_equals_slogdet_of_each_prefix():
    x = unit_rows(120, 8, seed=1)
    curve = ld.logdet_prefix_curve(x, gamma=2.0)
    kernel = ld.exp_kernel_matrix(x, gamma=2.0)
    for t in (1, 7, 60, 120):
        sign, value = np.linalg.slogdet(kernel[:t, :t])
        assert sign > 0
        assert curve[t - 1] == pytest.approx(value, abs=1e-3)


def test_greedy_over_whole_set_equals_cholesky_log_det():
    x = unit_rows(80, 6, seed=2)
    gains = ld.greedy_logdet_gains(x, 80)
    assert gains.size == 80
    # the Cholesky path may run in float32: within 1e-5 relative
    assert gains.sum() == pytest.approx(ld.logdet_prefix_curve(x)[-1], rel=1e-5)
    # greedy MAP picks the largest conditional variance first, so gains never increase
    assert np.all(np.diff(gains) <= 1e-9)


def test_greedy_first_pick_gains_match_recomputed_log_det():
    x = unit_rows(30, 5, seed=3)
    gains = ld.greedy_logdet_gains(x, 5)
    kernel = ld.exp_kernel_matrix(x)
    chosen: list[int] = []
    for t in range(5):  # brute force: pick the row that maximises log det of the set
        best = max((j for j in range(30) if j not in chosen),
                   key=lambda j: np.linalg.slogdet(kernel[np.ix_(chosen + [j], chosen + [j])])[1])
        chosen.append(best)
        total = np.linalg.slogdet(kernel[np.ix_(chosen, chosen)])[1]
        assert gains[: t + 1].sum() == pytest.approx(total, abs=1e-8)


def test_duplicates_give_a_finite_very_negative_log_det():
    x = unit_rows(10, 4, seed=4)
    dup = np.vstack([x, x[:1]])
    low = ld.logdet_prefix_curve(dup)[-1] - ld.logdet_prefix_curve(x)[-1]
    assert np.isfinite(low)
    assert low < np.log(ld.DEFAULT_JITTER) + 2  # about log(2 * jitter)


def test_ldd_of_a_uniform_sphere_sample_is_near_zero():
    pts = ld.sphere_points(400, 16, seed=99)
    mean, std = ld.log_determinant_distance(pts, np.arange(400), reference_seeds=(0, 1, 2, 3))
    assert abs(mean) < 0.01
    assert 0 <= std < 0.01


def test_ldd_of_a_clustered_set_is_positive(clustered_pool):
    x, _ = clustered_pool
    mean, _ = ld.log_determinant_distance(x, np.arange(0, 400, 4))
    assert mean > 0.1


def test_ldd_with_m_uses_greedy_and_is_near_zero_for_sphere_points():
    pts = ld.sphere_points(200, 16, seed=7)
    mean, std = ld.log_determinant_distance(pts, np.arange(200), m=50)
    assert abs(mean) < 0.02
    x = np.vstack([pts[:20]] * 10)  # 200 rows, only 20 distinct
    mean_dup, _ = ld.log_determinant_distance(x + 0, np.arange(200), m=50)
    assert mean_dup > 1.0


def test_ldd_from_logdets_formula():
    mean, std = ld.ldd_from_logdets(-10.0, [-4.0, -6.0], 4)
    assert mean == pytest.approx(((-4 + 10) / 4 + (-6 + 10) / 4) / 2)
    assert std == pytest.approx(0.25)
