"""Diversity and quality metrics of a selection: pure functions, selection + pool in.

Families: ``embedding`` (coverage, radius, spread, Vendi), ``logdet`` (log det, LDD),
``cluster`` (entropy over clusters, DaaR domain diversity), ``text`` (distinct-n, entropy,
compression, lengths; Self-BLEU), ``quality``. ``report.compute_all_metrics`` puts every
measure beside the pool and a random baseline; ``traces`` gives metrics versus k.
"""

from core.metrics.cache import MemoryArrayCache
from core.metrics.measures import MEASURES, Measure, measure_names
from core.metrics.report import (
    MetricsOptions,
    MetricsPool,
    compute_all_metrics,
    random_subset,
)
from core.metrics.traces import coverage_trace, metric_traces

__all__ = [
    "MEASURES", "Measure", "MemoryArrayCache", "MetricsOptions", "MetricsPool",
    "compute_all_metrics", "coverage_trace", "measure_names", "metric_traces", "random_subset",
]
