"""The random baseline: seeded random subsets of the candidates, of the selection's size.

Seed s's subset of size k is the first k rows of one fixed permutation of the candidates,
so subsets are nested across k: a cached per-seed curve of log det over permutation
prefixes (one Cholesky) serves every k up to its length, and so does the LDD reference
curve of each reference seed. Curves are computed for k rounded up to a multiple of 1,024
so nearby slider values hit the same cache entry. With every input keyed, each subset's
values are cached too, so a new selection of the same size costs only its own measures.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
from collections.abc import Callable

import numpy as np

from core.errors import InputError
from core.metrics import logdet as ld
from core.metrics.cache import cached_or_computed
from core.metrics.measures import MEASURES
from core.metrics.values import MetricsOptions, MetricsPool, subset_values

CURVE_BLOCK = 1024


def _rounded(k: int, limit: int) -> int:
    return min(limit, -(-k // CURVE_BLOCK) * CURVE_BLOCK)


def candidate_rows(pool: MetricsPool) -> np.ndarray:
    """Pool rows a selection may use (all rows without a mask)."""
    if pool.candidate_mask is None:
        return np.arange(pool.n, dtype=np.int64)
    mask = np.asarray(pool.candidate_mask, dtype=bool)
    if mask.shape != (pool.n,):
        raise InputError(f"expected a mask of {pool.n} booleans", field="candidate_mask")
    return np.flatnonzero(mask)


def _mask_digest(pool: MetricsPool) -> str:
    if pool.candidate_mask is None:
        return "all"
    packed = np.packbits(np.asarray(pool.candidate_mask, dtype=bool))
    return hashlib.sha256(packed.tobytes()).hexdigest()[:16]


def random_subset(candidates: np.ndarray, k: int, seed: int) -> np.ndarray:
    """The first k rows of the seeded permutation of ``candidates`` (nested across k)."""
    return np.random.default_rng(seed).permutation(candidates)[:k]


def reference_logdets(pool: MetricsPool, k: int, opts: MetricsOptions) -> list[float]:
    """log det of k uniform sphere points, one value per reference seed (cached curves)."""
    dim = int(pool.embeddings.shape[1])
    size = -(-k // CURVE_BLOCK) * CURVE_BLOCK if pool.cache is not None else k
    out = []
    for seed in opts.reference_seeds:
        parts = {"dim": dim, "gamma": opts.gamma, "jitter": opts.jitter, "seed": seed,
                 "count": size}
        curve = cached_or_computed(
            pool.cache, "ldd_reference", parts,
            lambda s=seed: ld.reference_logdet_curve(size, dim, seed=s, gamma=opts.gamma,
                                                     jitter=opts.jitter))
        out.append(float(curve[k - 1]))
    return out


def _random_logdet(pool: MetricsPool, candidates: np.ndarray, k: int, seed: int,
                   opts: MetricsOptions) -> float:
    keyed = pool.cache is not None and pool.embedding_key is not None
    size = _rounded(k, candidates.size) if keyed else k
    parts = {"embedding": pool.embedding_key, "mask": _mask_digest(pool), "seed": seed,
             "gamma": opts.gamma, "jitter": opts.jitter, "count": size} if keyed else None

    def compute() -> np.ndarray:
        rows = random_subset(candidates, size, seed)
        return ld.logdet_prefix_curve(pool.embeddings[rows], gamma=opts.gamma,
                                      jitter=opts.jitter)

    return float(cached_or_computed(pool.cache, "random_logdet", parts, compute)[k - 1])


def _mean_std(values: list[dict[str, float | None]]) -> dict[str, dict[str, float] | None]:
    out: dict[str, dict[str, float] | None] = {}
    for name in dict.fromkeys(n for v in values for n in v):
        got = np.array([v[name] for v in values if v.get(name) is not None], dtype=np.float64)
        out[name] = ({"mean": float(got.mean()), "std": float(got.std())} if got.size else None)
    return out


def random_baseline(pool: MetricsPool, k: int, opts: MetricsOptions, threshold: float | None,
                    timings: dict | None = None, refs: Callable[[], list[float]] | None = None
                    ) -> dict[str, dict[str, float] | None]:
    """Mean and std of every measure over ``opts.n_random`` seeded random subsets of size k."""
    refs = refs or functools.cache(lambda: reference_logdets(pool, k, opts))
    candidates = candidate_rows(pool)
    if k > candidates.size:
        raise InputError(f"the selection has {k} rows but only {candidates.size} rows are "
                         "candidates", field="selection")
    per_seed = []
    for s in range(opts.random_seed, opts.random_seed + opts.n_random):
        def compute(s=s) -> dict[str, float | None]:
            return subset_values(
                pool, random_subset(candidates, k, s), opts, refs=refs, threshold=threshold,
                logdet=lambda: _random_logdet(pool, candidates, k, s, opts), timings=timings,
                tag="random:")
        parts = _random_values_key(pool, k, s, opts, threshold)
        if parts is None:
            per_seed.append(compute())
        else:
            arr = cached_or_computed(pool.cache, "random_values", parts,
                                     lambda compute=compute: _values_to_array(compute()))
            per_seed.append(_array_to_values(arr))
    return _mean_std(per_seed)


_ALL_NAMES = sorted(MEASURES)


def _values_to_array(values: dict[str, float | None]) -> np.ndarray:
    return np.array([np.nan if values.get(n) is None else values[n] for n in _ALL_NAMES])


def _array_to_values(arr: np.ndarray) -> dict[str, float]:
    return {n: float(v) for n, v in zip(_ALL_NAMES, arr, strict=True) if np.isfinite(v)}


def _random_values_key(pool: MetricsPool, k: int, seed: int, opts: MetricsOptions,
                       threshold: float | None) -> dict | None:
    """Cache key of one random subset's values, or None when an input has no identity.

    A slider that changes the strategy's parameters but not k reuses the whole baseline.
    """
    fam = set(opts.families)
    needs = [pool.cache, pool.embedding_key]
    if fam & {"text", "self_bleu"} and pool.texts:
        needs.append(pool.text_key)
    if "quality" in fam and pool.quality is not None:
        needs.append(pool.quality_key)
    if "cluster" in fam and pool.cluster_labels is not None:
        needs.append(pool.cluster_key)
    if any(n is None for n in needs):
        return None
    return {"embedding": pool.embedding_key, "text": pool.text_key, "quality": pool.quality_key,
            "clusters": pool.cluster_key, "mask": _mask_digest(pool), "k": k, "seed": seed,
            "threshold": threshold, "sides": sorted(pool.texts),
            "knn": None if pool.knn is None else bool(pool.knn.exact),
            "options": {**dataclasses.asdict(opts), "families": sorted(fam),
                        "n_random": None, "random_seed": None}}


