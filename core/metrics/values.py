"""The measures of one index set, by family, and the inputs and options they read.

``subset_values`` is the one place that turns a set of pool rows into named numbers; the
report calls it for the selection and for each random subset.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field

import numpy as np

from core.metrics import cluster as cl
from core.metrics import embedding as emb
from core.metrics import logdet as ld
from core.metrics import text as tx
from core.metrics.cache import ArrayCache
from core.metrics.composition import composition_values
from core.metrics.measures import FAMILIES
from core.metrics.quality import quality_stats
from core.neighbors import KnnGraph


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
    # Remembers recent selections' nearest picks so the next, similar one is updated
    # (core.metrics.embedding.NearestPickMemo); used for the selection, not random subsets.
    nearest_memo: emb.NearestPickMemo | None = None
    # Training tokens per row (instruction + response), for the composition family.
    token_counts: np.ndarray | None = None
    # Unit codes per row by side (core.units), for distinct_units_{side}.
    unit_labels: dict[str, np.ndarray] = field(default_factory=dict)

    @property
    def n(self) -> int:
        return int(self.embeddings.shape[0])


TEXT_PARTS = ("distinct", "entropy", "compression", "lengths")


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
    # Which text measures to compute (all by default): the dashboard asks for the cheap ones
    # first and the compression ratio (zlib over the selection, most of the text cost) later.
    text_parts: tuple[str, ...] = TEXT_PARTS
    logdet_max_k: int = 10_000  # log det / LDD above this size: None (O(k^3), O(k^2) memory)


@contextmanager
def timed(timings: dict | None, label: str):
    start = time.perf_counter()
    yield
    if timings is not None:
        timings[label] = timings.get(label, 0.0) + time.perf_counter() - start


def embedding_values(pool: MetricsPool, idx: np.ndarray, *, memo: bool = False
                     ) -> dict[str, float | None]:
    sims = emb.max_similarity_to_selection(pool.embeddings, idx, knn=pool.knn,
                                           memo=pool.nearest_memo if memo else None)
    radius, radius_p95 = emb.kcenter_radius(sims)
    return {"facility_location": emb.facility_location_coverage(sims),
            "kcenter_radius": radius, "kcenter_radius_p95": radius_p95,
            "mean_pairwise_distance": emb.mean_pairwise_cosine_distance(pool.embeddings, idx),
            "vendi": emb.vendi_score(pool.embeddings, idx)}


def logdet_values(logdet: float, refs: list[float], k: int) -> dict[str, float]:
    mean, std = ld.ldd_from_logdets(logdet, refs, k)
    return {"logdet": logdet, "ldd": mean, "ldd_spread": std}


def cluster_values(pool: MetricsPool, idx: np.ndarray | None) -> dict[str, float | None]:
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


# The measures of each text part, per side (what text_values writes for it).
TEXT_PART_MEASURES = {
    "distinct": ("distinct_1_{side}", "distinct_2_{side}", "distinct_3_{side}"),
    "entropy": ("token_entropy_{side}",),
    "compression": ("compression_ratio_{side}",),
    "lengths": ("length_mean_{side}", "length_median_{side}"),
}


def text_values(pool: MetricsPool, idx: np.ndarray | None, opts: MetricsOptions
                 ) -> dict[str, float | None]:
    out: dict[str, float | None] = {}
    parts = set(opts.text_parts)
    for side, tok in pool.texts.items():
        if "distinct" in parts:
            dist = tx.distinct_n(tok, idx)
            out.update({f"distinct_{n}_{side}": dist[n] for n in (1, 2, 3)})
        if "entropy" in parts:
            out[f"token_entropy_{side}"] = tx.token_entropy(tok, idx)
        if "compression" in parts:
            out[f"compression_ratio_{side}"] = tx.compression_ratio(
                tok.texts, idx, level=opts.compression_level)
        if "lengths" in parts:
            lengths = tx.length_stats(tok, idx)
            out[f"length_mean_{side}"] = lengths["mean"]
            out[f"length_median_{side}"] = lengths["median"]
    return out


def self_bleu_values(pool: MetricsPool, idx: np.ndarray | None, opts: MetricsOptions
                      ) -> dict[str, float | None]:
    return {f"self_bleu_{side}": tx.self_bleu(tok, idx, sample_size=opts.self_bleu_sample,
                                              seed=opts.self_bleu_seed)
            for side, tok in pool.texts.items()}


def quality_values(pool: MetricsPool, idx: np.ndarray | None, threshold: float
                    ) -> dict[str, float | None]:
    if pool.quality is None:
        return {}
    stats = quality_stats(pool.quality, idx, threshold=threshold)
    return {"quality_mean": stats["mean"], "quality_median": stats["median"],
            "quality_low_share": stats["low_share"]}


def subset_values(pool: MetricsPool, idx: np.ndarray, opts: MetricsOptions, *,
                  logdet: Callable[[], float], refs: Callable[[], list[float]],
                  threshold: float | None, timings: dict | None = None, tag: str = "",
                  memo: bool = False) -> dict[str, float | None]:
    """Every requested measure of one index set. ``logdet``/``refs`` are called lazily;
    ``memo``: go through ``pool.nearest_memo`` (the selection, not a random subset)."""
    fam = set(opts.families)
    out: dict[str, float | None] = {}
    if "embedding" in fam:
        with timed(timings, f"{tag}embedding"):
            out.update(embedding_values(pool, idx, memo=memo))
    if "logdet" in fam and idx.size > opts.logdet_max_k:
        out.update(logdet=None, ldd=None, ldd_spread=None)  # O(k^3): skipped, see options
    elif "logdet" in fam:
        with timed(timings, f"{tag}logdet"):
            out.update(logdet_values(logdet(), refs(), idx.size))
    if "cluster" in fam:
        with timed(timings, f"{tag}cluster"):
            out.update(cluster_values(pool, idx))
    if "text" in fam:
        with timed(timings, f"{tag}text"):
            out.update(text_values(pool, idx, opts))
    if "self_bleu" in fam:
        with timed(timings, f"{tag}self_bleu"):
            out.update(self_bleu_values(pool, idx, opts))
    if "quality" in fam and threshold is not None:
        with timed(timings, f"{tag}quality"):
            out.update(quality_values(pool, idx, threshold))
    if "composition" in fam:
        out.update(composition_values(pool.token_counts, idx, pool.unit_labels))
    return out


