"""Log-determinant diversity: log det of a selection's kernel and the LDD of Wang et al. 2024.

Kernel (the one the DPP strategy uses), on L2-normalised rows:
    K(x, y) = exp(gamma * (x.y - 1) / 2)        (= exp(-gamma |x - y|^2 / 4), full rank)
plus ``jitter`` on the diagonal so exact duplicate rows give a large negative but finite
log det instead of -inf (default 1e-6: a duplicate costs about log(1e-6) = -13.8).

log det over the first m picks of a greedy MAP run is sum_{t<=m} log d_t^2, d_t^2 the
conditional variance of pick t (Chen, Zhang, Zhou 2018). When the greedy runs over the
whole set (m = set size) the order does not matter and the sum is log det K_A, which one
Cholesky factorisation K_A = L L^T gives as 2 sum log L_tt. A Cholesky factor's leading
block is the factor of the leading block, so the same factorisation gives log det of every
prefix of the rows at once: :func:`logdet_prefix_curve`.

LDD_m = (1/m) (logdet R_m - logdet A_m), R = as many points as the set drawn uniformly on
the unit sphere of the same dimension (a maximally spread reference). Lower = more diverse;
0 = as diverse as uniform points. Averaged over a few reference seeds with the spread.
"""

from __future__ import annotations

import numpy as np
import scipy.linalg

from core.errors import InputError

DEFAULT_GAMMA = 1.0
DEFAULT_JITTER = 1e-6
# Below this pivot a float32 factorisation is redone in float64. Measured: float32 pivots
# of 1e-3 carry a relative error near 1e-4, larger ones far less, so a float32 log det is
# within about 1e-5 (relative) of the float64 one; a tiny pivot would dominate the error.
_FLOAT32_MIN_PIVOT = 1e-3
_VANISHED = 1e-10


def exp_kernel_matrix(features: np.ndarray, *, gamma: float = DEFAULT_GAMMA,
                      jitter: float = DEFAULT_JITTER, dtype=np.float64) -> np.ndarray:
    """K = exp(gamma (F F^T - 1) / 2) + jitter I for unit rows F (m, d): (m, m), O(m^2 d)."""
    f = np.asarray(features, dtype=dtype)
    k = f @ f.T
    k -= 1.0
    k *= gamma / 2.0
    np.exp(k, out=k)
    k[np.diag_indices_from(k)] = 1.0 + jitter  # exactly K(x, x) = 1 for unit rows
    return k


def _pivots(kernel: np.ndarray) -> np.ndarray | None:
    """Squared Cholesky diagonal (the conditional variances), or None if not positive."""
    try:
        chol = scipy.linalg.cholesky(kernel, lower=True, overwrite_a=True, check_finite=False)
    except np.linalg.LinAlgError:
        return None
    return np.square(np.diag(chol).astype(np.float64))


def logdet_prefix_curve(features: np.ndarray, *, gamma: float = DEFAULT_GAMMA,
                        jitter: float = DEFAULT_JITTER) -> np.ndarray:
    """log det of the kernel of the first t rows, for t = 1..m: (m,) float64.

    One Cholesky factorisation, O(m^2 d + m^3 / 3) time, O(m^2) memory. Tried in float32
    (BLAS twice as fast, log det within ~1e-5 relative); redone in float64 when a pivot is
    below 1e-3, where float32 round-off starts to matter, or the factorisation fails.
    """
    f = np.asarray(features)
    if f.ndim != 2 or f.shape[0] == 0:
        raise InputError("expected a non-empty (m, d) matrix of unit rows", field="features")
    pivots = _pivots(exp_kernel_matrix(f, gamma=gamma, jitter=jitter, dtype=np.float32))
    if pivots is None or pivots.min() < _FLOAT32_MIN_PIVOT:
        pivots = _pivots(exp_kernel_matrix(f, gamma=gamma, jitter=jitter, dtype=np.float64))
    if pivots is None:  # only with jitter = 0 and exact duplicates
        raise InputError("the kernel is singular (duplicate rows?); use a positive jitter",
                         field="jitter")
    return np.cumsum(np.log(pivots))


def greedy_logdet_picks(features: np.ndarray, m: int, *, gamma: float = DEFAULT_GAMMA,
                        jitter: float = DEFAULT_JITTER) -> tuple[np.ndarray, np.ndarray]:
    """Greedy MAP on the kernel of ``features`` (N, d): (picks, log d_t^2), m at most.

    Chen et al. 2018 incremental Cholesky: O(N m^2) time, O(N m) memory, kernel columns
    computed on the fly. Stops early (shorter result) when the best conditional variance
    falls below 1e-10. The sum of the gains is log det of the picks' kernel.
    """
    f = np.asarray(features, dtype=np.float64)
    n = f.shape[0]
    m = min(int(m), n)
    rows = np.zeros((m, n), dtype=np.float64)
    d2 = np.full(n, 1.0 + jitter)
    gains = np.empty(m, dtype=np.float64)
    picks = np.empty(m, dtype=np.int64)
    j = 0
    for t in range(m):
        picks[t] = j
        gains[t] = np.log(d2[j])
        col = np.exp(gamma * (f @ f[j] - 1.0) / 2.0)
        col[j] += jitter
        e = (col - rows[:t].T @ rows[:t, j]) / np.sqrt(d2[j])
        rows[t] = e
        d2 -= e * e
        d2[j] = -np.inf
        j = int(np.argmax(d2))
        if d2[j] < _VANISHED and t + 1 < m:
            return picks[:t + 1], gains[:t + 1]
    return picks, gains


def greedy_logdet_gains(features: np.ndarray, m: int, *, gamma: float = DEFAULT_GAMMA,
                        jitter: float = DEFAULT_JITTER) -> np.ndarray:
    """log d_t^2 of the first m picks of greedy MAP (see :func:`greedy_logdet_picks`)."""
    return greedy_logdet_picks(features, m, gamma=gamma, jitter=jitter)[1]


def sphere_points(count: int, dim: int, seed: int) -> np.ndarray:
    """``count`` points uniform on the unit sphere S^(dim-1): (count, dim) float32."""
    rng = np.random.default_rng(seed)
    pts = rng.standard_normal((count, dim))
    pts /= np.linalg.norm(pts, axis=1, keepdims=True)
    return pts.astype(np.float32)


def reference_logdet_curve(count: int, dim: int, *, seed: int, gamma: float = DEFAULT_GAMMA,
                           jitter: float = DEFAULT_JITTER) -> np.ndarray:
    """log det of the first t of ``count`` uniform sphere points, t = 1..count: (count,).

    The points of seed s are fixed, so a curve computed once for a large ``count`` serves
    every smaller set size (cache it): O(count^2 dim + count^3 / 3).
    """
    return logdet_prefix_curve(sphere_points(count, dim, seed), gamma=gamma, jitter=jitter)


def ldd_from_logdets(set_logdet: float, reference_logdets, m: int) -> tuple[float, float]:
    """(mean, std) over references of LDD_m = (logdet R_m - logdet A_m) / m."""
    values = (np.asarray(reference_logdets, dtype=np.float64) - set_logdet) / m
    return float(values.mean()), float(values.std())


def log_determinant_distance(embeddings: np.ndarray, indices, *, m: int | None = None,
                             reference_seeds=(0, 1, 2), gamma: float = DEFAULT_GAMMA,
                             jitter: float = DEFAULT_JITTER) -> tuple[float, float]:
    """LDD of the selection against uniform sphere references: (mean, std over seeds).

    m None (default) uses the whole selection (greedy over all picks = log det K_A, via
    Cholesky); a smaller m runs the greedy MAP for m steps on the selection and on each
    reference of the same size, as in the paper. Uncached; the report builder caches the
    reference curves.
    """
    x = np.asarray(embeddings)
    features = x[np.asarray(indices, dtype=np.int64)]
    size, dim = features.shape
    if m is None or m >= size:
        set_logdet = float(logdet_prefix_curve(features, gamma=gamma, jitter=jitter)[-1])
        refs = [reference_logdet_curve(size, dim, seed=s, gamma=gamma, jitter=jitter)[-1]
                for s in reference_seeds]
        return ldd_from_logdets(set_logdet, refs, size)
    if m < 1:
        raise InputError(f"expected m >= 1, got {m}", field="m")
    set_gains = greedy_logdet_gains(features, m, gamma=gamma, jitter=jitter)
    m_eff = set_gains.size
    refs = [greedy_logdet_gains(sphere_points(size, dim, s), m_eff, gamma=gamma,
                                jitter=jitter).sum() for s in reference_seeds]
    return ldd_from_logdets(float(set_gains.sum()), refs, m_eff)
