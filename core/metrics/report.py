"""Every measure for a selection, beside the pool and a random baseline of the same size.

``compute_all_metrics(pool, indices)`` returns ``{measure: {"selection": v, "pool": v or
None, "random": {"mean": m, "std": s} or None}}`` (names in ``measures.MEASURES``).

Baseline: ``n_random`` random subsets of the candidate rows, each of the selection's size.
Seed s's subset of size k is the first k rows of one fixed permutation of the candidates,
so subsets are nested across k: a cached per-seed curve of log det over permutation
prefixes (one Cholesky) serves every k up to its length, and a slider that moves k reuses it.

"pool" values: the whole pool (not only the candidates). Defined where they mean something
at the pool's size: facility location 1 and k-center radii 0 (every row covers itself),
Vendi (exact, d x d covariance), mean pairwise distance (closed form), cluster, text,
quality figures over all rows; Self-BLEU on a same-size seeded sample of the pool. None for
log det and LDD (an n x n factorisation, and not comparable across sizes).

Caching (``MetricsPool.cache``, e.g. ``Workspace.cached_array``): LDD reference curves
(depend only on dim, gamma, jitter, seed), random-baseline log det curves (embedding key,
candidate mask, seed), the pool's text figures (text key) and each random subset's values
(every input key, mask, k, seed, options: a new selection of the same size costs only its
own measures). Curves are computed for k rounded up to a multiple of 1,024 so nearby
slider values hit the same entry.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import time
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field

import numpy as np

from core.errors import InputError
from core.metrics import cluster as cl
from core.metrics import embedding as emb
from core.metrics import logdet as ld
from core.metrics import text as tx
from core.metrics.cache import ArrayCache, cached_or_computed
from core.metrics.measures import FAMILIES, MEASURES, TEXT_SIDES, measure_names
from core.metrics.quality import low_quality_threshold, quality_stats
from core.neighbors import KnnGraph

CURVE_BLOCK = 1024


@dataclass
class MetricsPool:
    """What the measures read about the pool. Only ``embeddings`` is required.

    texts: side ("instruction" / "response") -> tokenised column.
    embedding_key / text_key / quality_key / cluster_key: identities of those inputs for
    ``cache`` (e.g. the embedding key, the pool key, the quality spec, "kmeans:20:0");
    what lacks a key (or everything, without ``cache``) is recomputed on every call.
    """

    embeddings: np.ndarray
    quality: np.ndarray | None = None
    cluster_labels: np.ndarray | None = None
    cluster_centroids: np.ndarray | None = None
    texts: dict[str, tx.TokenizedTexts] = field(default_factory=dict)
    knn: KnnGraph | None = None
    candidate_mask: np.ndarray | None = None
    cache: ArrayCache | None = None
    embedding_key: str | None = None
    text_key: str | None = None
    quality_key: str | None = None
    cluster_key: str | None = None

    @property
    def n(self) -> int:
        return int(self.embeddings.shape[0])


@dataclass
class MetricsOptions:
    """Parameters of the measures and the baseline (defaults as documented per measure)."""

    families: tuple[str, ...] = FAMILIES
    n_random: int = 3
    random_seed: int = 0
    reference_seeds: tuple[int, ...] = (0, 1, 2)
    gamma: float = ld.DEFAULT_GAMMA
    jitter: float = ld.DEFAULT_JITTER
    low_quality_threshold: float | None = None
    self_bleu_sample: int = 500
    self_bleu_seed: int = 0
    compression_level: int = 6


@contextmanager
def _timed(timings: dict | None, label: str):
    start = time.perf_counter()
    yield
    if timings is not None:
        timings[label] = timings.get(label, 0.0) + time.perf_counter() - start


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


def _embedding_values(pool: MetricsPool, idx: np.ndarray) -> dict[str, float | None]:
    sims = emb.max_similarity_to_selection(pool.embeddings, idx, knn=pool.knn)
    radius, radius_p95 = emb.kcenter_radius(sims)
    return {"facility_location": emb.facility_location_coverage(sims),
            "kcenter_radius": radius, "kcenter_radius_p95": radius_p95,
            "mean_pairwise_distance": emb.mean_pairwise_cosine_distance(pool.embeddings, idx),
            "vendi": emb.vendi_score(pool.embeddings, idx)}


def _logdet_values(logdet: float, refs: list[float], k: int) -> dict[str, float]:
    mean, std = ld.ldd_from_logdets(logdet, refs, k)
    return {"logdet": logdet, "ldd": mean, "ldd_spread": std}


def _cluster_values(pool: MetricsPool, idx: np.ndarray | None) -> dict[str, float | None]:
    if pool.cluster_labels is None:
        return {}
    ent = cl.cluster_entropy(pool.cluster_labels, idx)
    out = {"cluster_entropy": ent["entropy"], "cluster_entropy_ratio": ent["ratio"],
           "clusters_empty": ent["empty"]}
    if pool.cluster_centroids is not None:
        dom = cl.domain_diversity(pool.embeddings, pool.cluster_labels,
                                  pool.cluster_centroids, idx)
        out.update(daar_inter=dom["inter"], daar_intra=dom["intra"])
    return out


def _text_values(pool: MetricsPool, idx: np.ndarray | None, opts: MetricsOptions
                 ) -> dict[str, float | None]:
    out: dict[str, float | None] = {}
    for side, tok in pool.texts.items():
        dist = tx.distinct_n(tok, idx)
        lengths = tx.length_stats(tok, idx)
        out.update({f"distinct_{n}_{side}": dist[n] for n in (1, 2, 3)})
        out[f"token_entropy_{side}"] = tx.token_entropy(tok, idx)
        out[f"compression_ratio_{side}"] = tx.compression_ratio(tok.texts, idx,
                                                                level=opts.compression_level)
        out[f"length_mean_{side}"] = lengths["mean"]
        out[f"length_median_{side}"] = lengths["median"]
    return out


def _self_bleu_values(pool: MetricsPool, idx: np.ndarray | None, opts: MetricsOptions
                      ) -> dict[str, float | None]:
    return {f"self_bleu_{side}": tx.self_bleu(tok, idx, sample_size=opts.self_bleu_sample,
                                              seed=opts.self_bleu_seed)
            for side, tok in pool.texts.items()}


def _quality_values(pool: MetricsPool, idx: np.ndarray | None, threshold: float
                    ) -> dict[str, float | None]:
    if pool.quality is None:
        return {}
    stats = quality_stats(pool.quality, idx, threshold=threshold)
    return {"quality_mean": stats["mean"], "quality_median": stats["median"],
            "quality_low_share": stats["low_share"]}


def subset_values(pool: MetricsPool, idx: np.ndarray, opts: MetricsOptions, *,
                  logdet: Callable[[], float], refs: Callable[[], list[float]],
                  threshold: float | None, timings: dict | None = None, tag: str = ""
                  ) -> dict[str, float | None]:
    """Every requested measure of one index set. ``logdet``/``refs`` are called lazily."""
    fam = set(opts.families)
    out: dict[str, float | None] = {}
    if "embedding" in fam:
        with _timed(timings, f"{tag}embedding"):
            out.update(_embedding_values(pool, idx))
    if "logdet" in fam:
        with _timed(timings, f"{tag}logdet"):
            out.update(_logdet_values(logdet(), refs(), idx.size))
    if "cluster" in fam:
        with _timed(timings, f"{tag}cluster"):
            out.update(_cluster_values(pool, idx))
    if "text" in fam:
        with _timed(timings, f"{tag}text"):
            out.update(_text_values(pool, idx, opts))
    if "self_bleu" in fam:
        with _timed(timings, f"{tag}self_bleu"):
            out.update(_self_bleu_values(pool, idx, opts))
    if "quality" in fam and threshold is not None:
        with _timed(timings, f"{tag}quality"):
            out.update(_quality_values(pool, idx, threshold))
    return out


def pool_values(pool: MetricsPool, k: int, opts: MetricsOptions, threshold: float | None,
                timings: dict | None = None) -> dict[str, float | None]:
    """The pool column (see the module docstring for what is defined)."""
    fam = set(opts.families)
    out: dict[str, float | None] = {}
    with _timed(timings, "pool"):
        if "embedding" in fam:
            vendi = cached_or_computed(
                pool.cache, "pool_vendi",
                {"embedding": pool.embedding_key} if pool.embedding_key else None,
                lambda: np.array([emb.vendi_score(pool.embeddings)]))
            out.update(facility_location=1.0, kcenter_radius=0.0, kcenter_radius_p95=0.0,
                       vendi=float(vendi[0]),
                       mean_pairwise_distance=emb.mean_pairwise_cosine_distance(pool.embeddings))
        if "logdet" in fam:
            out.update(logdet=None, ldd=None, ldd_spread=None)
        if "cluster" in fam and pool.cluster_labels is not None:
            out.update(_cached_cluster_pool_values(pool))
        if "text" in fam and pool.texts:
            out.update(_cached_text_pool_values(pool, opts))
        if "self_bleu" in fam:
            sample = random_subset(np.arange(pool.n), min(pool.n, k), opts.self_bleu_seed)
            out.update(_self_bleu_values(pool, sample, opts))
        if "quality" in fam and threshold is not None:
            out.update(_quality_values(pool, None, threshold))
    return out


def _cached_cluster_pool_values(pool: MetricsPool) -> dict[str, float | None]:
    names = ["cluster_entropy", "cluster_entropy_ratio", "clusters_empty", "daar_inter",
             "daar_intra"]
    parts = ({"embedding": pool.embedding_key, "clusters": pool.cluster_key,
              "centroids": pool.cluster_centroids is not None}
             if pool.embedding_key and pool.cluster_key else None)

    def compute() -> np.ndarray:
        vals = _cluster_values(pool, None)
        return np.array([vals.get(n, np.nan) for n in names], dtype=np.float64)

    arr = cached_or_computed(pool.cache, "pool_cluster_metrics", parts, compute)
    return {n: float(v) for n, v in zip(names, arr, strict=True) if np.isfinite(v)}


def _cached_text_pool_values(pool: MetricsPool, opts: MetricsOptions) -> dict[str, float | None]:
    names = [n for n in measure_names(("text",), tuple(pool.texts))]
    parts = ({"text": pool.text_key, "sides": sorted(pool.texts),
              "level": opts.compression_level} if pool.text_key else None)

    def compute() -> np.ndarray:
        vals = _text_values(pool, None, opts)
        return np.array([np.nan if vals.get(n) is None else vals[n] for n in names])

    arr = cached_or_computed(pool.cache, "pool_text_metrics", parts, compute)
    return {n: None if np.isnan(v) else float(v) for n, v in zip(names, arr, strict=True)}


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


def compute_all_metrics(pool: MetricsPool, indices, options: MetricsOptions | None = None, *,
                        timings: dict | None = None) -> dict[str, dict]:
    """{measure: {"selection", "pool", "random"}} for the selection ``indices``.

    ``timings``, when given, receives seconds per part ("selection:embedding", "pool",
    "random:logdet", ...). Raises InputError for an empty or invalid selection.
    """
    opts = options or MetricsOptions()
    unknown = set(opts.families) - set(FAMILIES)
    if unknown:
        raise InputError(f"unknown metric families {sorted(unknown)}; expected some of "
                         f"{', '.join(FAMILIES)}", field="families")
    idx = emb.check_selection(indices, pool.n)
    bad_sides = set(pool.texts) - set(TEXT_SIDES)
    if bad_sides:
        raise InputError(f"unknown text sides {sorted(bad_sides)}", field="texts")
    threshold = None
    if pool.quality is not None:
        threshold = (low_quality_threshold(pool.quality) if opts.low_quality_threshold is None
                     else float(opts.low_quality_threshold))
    k = idx.size

    def selection_logdet() -> float:
        return float(ld.logdet_prefix_curve(pool.embeddings[idx], gamma=opts.gamma,
                                            jitter=opts.jitter)[-1])

    ref_values: list[float] = []
    if "logdet" in opts.families:
        with _timed(timings, "ldd_reference"):
            ref_values = reference_logdets(pool, k, opts)

    def refs() -> list[float]:
        return ref_values

    sel = subset_values(pool, idx, opts, logdet=selection_logdet, refs=refs,
                        threshold=threshold, timings=timings, tag="selection:")
    base = pool_values(pool, k, opts, threshold, timings)
    rand = (random_baseline(pool, k, opts, threshold, timings, refs) if opts.n_random > 0
            else {})
    return {name: {"selection": sel[name], "pool": base.get(name), "random": rand.get(name)}
            for name in sel}
