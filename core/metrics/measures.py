"""The catalogue of measures: name, family, label, direction. One place for CLI and UI."""

from __future__ import annotations

from dataclasses import dataclass

TEXT_SIDES = ("instruction", "response")
FAMILIES = ("embedding", "logdet", "cluster", "text", "self_bleu", "quality", "composition")


@dataclass(frozen=True)
class Measure:
    name: str
    family: str
    label: str
    better: str  # "higher" / "lower": which way is more diverse (or better); "neutral"
    description: str


_BASE = [
    Measure("facility_location", "embedding", "Facility-location coverage", "higher",
            "mean over the pool of max(0, cos) to the nearest pick"),
    Measure("kcenter_radius", "embedding", "k-center radius (max)", "lower",
            "largest cosine distance from a pool row to its nearest pick"),
    Measure("kcenter_radius_p95", "embedding", "k-center radius (p95)", "lower",
            "95th percentile of the cosine distance to the nearest pick"),
    Measure("mean_pairwise_distance", "embedding", "Mean pairwise cosine distance", "higher",
            "mean of 1 - cos over pairs of picks"),
    Measure("vendi", "embedding", "Vendi score", "higher",
            "exp(entropy of the eigenvalues of the cosine kernel / m): effective count"),
    Measure("logdet", "logdet", "log det (exp kernel)", "higher",
            "log det of the picks' kernel exp(gamma (x.y - 1) / 2)"),
    Measure("ldd", "logdet", "Log-determinant distance", "lower",
            "(logdet of uniform sphere points - logdet of picks) / m; 0 = uniform"),
    Measure("ldd_spread", "logdet", "LDD spread over references", "lower",
            "std of the LDD over the reference seeds"),
    Measure("cluster_entropy", "cluster", "Cluster entropy (nats)", "higher",
            "entropy of the picks over the pool's clusters"),
    Measure("cluster_entropy_ratio", "cluster", "Cluster entropy / max", "higher",
            "cluster entropy over log(min(clusters, picks))"),
    Measure("clusters_empty", "cluster", "Clusters left empty", "lower",
            "clusters of the pool with no pick"),
    Measure("daar_inter", "cluster", "DaaR inter-domain diversity", "higher",
            "mean over picks of the summed cosine to the other domains' centroids"),
    Measure("daar_intra", "cluster", "DaaR intra-domain similarity", "lower",
            "mean over picks of the cosine to their own domain's centroid"),
    Measure("quality_mean", "quality", "Quality (mean)", "higher", "mean quality of the picks"),
    Measure("quality_median", "quality", "Quality (median)", "higher",
            "median quality of the picks"),
    Measure("quality_low_share", "quality", "Low-quality share", "lower",
            "share of picks below the low-quality threshold"),
    Measure("training_tokens", "composition", "Training tokens", "neutral",
            "instruction + response tokens of the picks (the workspace's tokenizer)"),
]


def _text_measures(side: str) -> list[Measure]:
    return [
        Measure(f"distinct_1_{side}", "text", f"Distinct-1 ({side})", "higher",
                "unique unigrams / unigrams"),
        Measure(f"distinct_2_{side}", "text", f"Distinct-2 ({side})", "higher",
                "unique bigrams / bigrams"),
        Measure(f"distinct_3_{side}", "text", f"Distinct-3 ({side})", "higher",
                "unique trigrams / trigrams"),
        Measure(f"token_entropy_{side}", "text", f"Token entropy ({side}, nats)", "higher",
                "entropy of the word-token distribution"),
        Measure(f"compression_ratio_{side}", "text", f"Compression ratio ({side})", "lower",
                "raw bytes / zlib bytes of the joined texts"),
        Measure(f"length_mean_{side}", "text", f"Length mean ({side}, words)", "neutral",
                "mean length in word tokens"),
        Measure(f"length_median_{side}", "text", f"Length median ({side}, words)", "neutral",
                "median length in word tokens"),
        Measure(f"self_bleu_{side}", "self_bleu", f"Self-BLEU ({side})", "lower",
                "mean BLEU-4 of a sampled text against the other sampled texts"),
        Measure(f"distinct_units_{side}", "composition", f"Units covered ({side})", "higher",
                "distinct verb + object units of the picks / units in the pool"),
    ]


MEASURES: dict[str, Measure] = {
    m.name: m for m in _BASE + [m for side in TEXT_SIDES for m in _text_measures(side)]
}


def measure_names(families=FAMILIES, sides=TEXT_SIDES) -> list[str]:
    """Measure names of the given families (and text sides), in catalogue order."""
    out = []
    for m in MEASURES.values():
        side = (m.name.rsplit("_", 1)[-1] if m.family in ("text", "self_bleu")
                or m.name.startswith("distinct_units_") else None)
        if m.family in families and (side is None or side in sides):
            out.append(m.name)
    return out
