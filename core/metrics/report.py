"""Every measure for a selection, beside the pool and a random baseline of the same size.

``compute_all_metrics(pool, indices)`` returns ``{measure: {"selection": v, "pool": v or
None, "random": {"mean": m, "std": s} or None}}`` (names in ``measures.MEASURES``).

Baseline: ``n_random`` seeded random subsets of the candidate rows, each of the
selection's size (core.metrics.baseline, which also says what is cached and how).

"pool" values: the whole pool (not only the candidates). Defined where they mean something
at the pool's size: facility location 1 and k-center radii 0 (every row covers itself),
Vendi (exact, d x d covariance), mean pairwise distance (closed form), cluster, text,
quality figures over all rows; Self-BLEU on a same-size seeded sample of the pool. None for
log det and LDD (an n x n factorisation, and not comparable across sizes).

Caching (``MetricsPool.cache``, e.g. ``Workspace.cached_array``): the pool's text and
cluster figures and its Vendi score, besides the baseline's curves and values.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from core.errors import InputError
from core.metrics import embedding as emb
from core.metrics import logdet as ld
from core.metrics.baseline import random_baseline, random_subset, reference_logdets
from core.metrics.cache import cached_or_computed
from core.metrics.composition import composition_values
from core.metrics.measures import FAMILIES, TEXT_SIDES
from core.metrics.quality import low_quality_threshold
from core.metrics.values import (
    TEXT_PART_MEASURES,
    TEXT_PARTS,
    MetricsOptions,
    MetricsPool,
    cluster_values,
    quality_values,
    self_bleu_values,
    subset_values,
    text_values,
    timed,
)

__all__ = ["MetricsOptions", "MetricsPool", "compute_all_metrics", "pool_values",
           "random_subset"]


def pool_values(pool: MetricsPool, k: int, opts: MetricsOptions, threshold: float | None,
                timings: dict | None = None) -> dict[str, float | None]:
    """The pool column (see the module docstring for what is defined)."""
    fam = set(opts.families)
    out: dict[str, float | None] = {}
    with timed(timings, "pool"):
        if "embedding" in fam:
            vendi = cached_or_computed(
                pool.cache, "pool_vendi",
                {"embedding": pool.embedding_key} if pool.embedding_key else None,
                lambda: np.array([emb.vendi_score(pool.embeddings)]))
            mpd = cached_or_computed(  # O(n d): 50 ms a slider move on 50,000 rows uncached
                pool.cache, "pool_mean_pairwise_distance",
                {"embedding": pool.embedding_key} if pool.embedding_key else None,
                lambda: np.array([emb.mean_pairwise_cosine_distance(pool.embeddings)]))
            out.update(facility_location=1.0, kcenter_radius=0.0, kcenter_radius_p95=0.0,
                       vendi=float(vendi[0]), mean_pairwise_distance=float(mpd[0]))
        if "logdet" in fam:
            out.update(logdet=None, ldd=None, ldd_spread=None)
        if "cluster" in fam and pool.cluster_labels is not None:
            out.update(_cached_cluster_pool_values(pool))
        if "text" in fam and pool.texts:
            out.update(_cached_text_pool_values(pool, opts))
        if "self_bleu" in fam:
            sample = random_subset(np.arange(pool.n), min(pool.n, k), opts.self_bleu_seed)
            out.update(self_bleu_values(pool, sample, opts))
        if "quality" in fam and threshold is not None:
            out.update(quality_values(pool, None, threshold))
        if "composition" in fam:
            out.update(composition_values(pool.token_counts, None, pool.unit_labels))
    return out


def _cached_cluster_pool_values(pool: MetricsPool) -> dict[str, float | None]:
    names = ["cluster_entropy", "cluster_entropy_ratio", "clusters_empty", "daar_inter",
             "daar_intra"]
    parts = ({"embedding": pool.embedding_key, "clusters": pool.cluster_key,
              "centroids": pool.cluster_centroids is not None}
             if pool.embedding_key and pool.cluster_key else None)

    def compute() -> np.ndarray:
        vals = cluster_values(pool, None)
        return np.array([vals.get(n, np.nan) for n in names], dtype=np.float64)

    arr = cached_or_computed(pool.cache, "pool_cluster_metrics", parts, compute)
    return {n: float(v) for n, v in zip(names, arr, strict=True) if np.isfinite(v)}


def _cached_text_pool_values(pool: MetricsPool, opts: MetricsOptions) -> dict[str, float | None]:
    """The pool's text measures, cached one part at a time (distinct, entropy, compression,
    lengths): the dashboard asks for the cheap parts and the compression ratio in two calls,
    and ``map`` builds every part ahead (core.prepare), so any subset reads the same
    entries. The compression ratio of 50,000 rows, most of the cost, is built once."""
    out: dict[str, float | None] = {}
    sides = sorted(pool.texts)
    for part in TEXT_PARTS:
        if part not in opts.text_parts:
            continue
        names = [name.format(side=side) for side in sides for name in TEXT_PART_MEASURES[part]]
        parts = ({"text": pool.text_key, "sides": sides, "part": part,
                  **({"level": opts.compression_level} if part == "compression" else {})}
                 if pool.text_key else None)

        def compute(part: str = part, names: list[str] = names) -> np.ndarray:
            vals = text_values(pool, None, dataclasses.replace(opts, text_parts=(part,)))
            return np.array([np.nan if vals.get(n) is None else vals[n] for n in names])

        arr = cached_or_computed(pool.cache, "pool_text_part", parts, compute)
        out.update({n: None if np.isnan(v) else float(v) for n, v in zip(names, arr, strict=True)})
    return out


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
    bad_parts = set(opts.text_parts) - set(TEXT_PARTS)
    if bad_parts:
        raise InputError(f"unknown text measures {sorted(bad_parts)}; expected some of "
                         f"{', '.join(TEXT_PARTS)}", field="text_parts")
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
    if "logdet" in opts.families and k <= opts.logdet_max_k:
        with timed(timings, "ldd_reference"):
            ref_values = reference_logdets(pool, k, opts)

    def refs() -> list[float]:
        return ref_values

    sel = subset_values(pool, idx, opts, logdet=selection_logdet, refs=refs,
                        threshold=threshold, timings=timings, tag="selection:", memo=True)
    base = pool_values(pool, k, opts, threshold, timings)
    rand = (random_baseline(pool, k, opts, threshold, timings, refs) if opts.n_random > 0
            else {})
    return {name: {"selection": sel[name], "pool": base.get(name), "random": rand.get(name)}
            for name in sel}
