"""``cluster_balanced``: the macro strategy of Macro-to-Micro (arXiv 2505.24768).

Clusters come from the context's labels (a user column such as Dolly's ``category``, which
run_selection turns into labels when ``label_column`` is set, or the workspace's cached
k-means) or, when the context has none, from k-means on the embeddings with
``n_clusters`` (default core.clusters.default_n_clusters) and the run's seed.

Round-robin: the next pick comes from the cluster with the fewest picks so far (must-include
rows count for their cluster), ties by a fixed cluster order (clusters whose best candidate
has higher quality first, then lower label); within a cluster rows go by descending quality,
ties to the lower row. Exhausted clusters drop out. (The paper clusters with HDBSCAN; we use
k-means so every row has a cluster and the number of clusters is the user's choice.)

gains: 1 when a pick covers a cluster for the first time, else 0; objective_trace: the
number of clusters covered after each pick (METHODS.md's macro diversity).
"""

from __future__ import annotations

import heapq

import numpy as np

from core.clusters import kmeans_labels
from core.errors import InputError
from core.select.base import (
    Picks,
    ProgressReporter,
    SelectionContext,
    SelectionPlan,
    Strategy,
)
from core.select.params import Param
from core.select.quality_topk import quality_order


def resolve_labels(ctx: SelectionContext, strategy: str, n_clusters: int | None,
                   label_column: str | None, seed: int) -> tuple[np.ndarray, str]:
    """(labels int64 (n,), source) from the context, or k-means on its embeddings."""
    if ctx.labels is not None:
        return np.asarray(ctx.labels, dtype=np.int64), (f"column:{label_column}" if label_column
                                                        else "context")
    if label_column:
        raise InputError(f"strategy '{strategy}' was asked for labels from column "
                         f"'{label_column}' but none were provided", field="label_column")
    emb = ctx.require("embeddings", strategy)
    labels, _ = kmeans_labels(emb, n_clusters, seed=seed)
    return labels.astype(np.int64), "kmeans"


def label_params(count: str, what: str) -> tuple[Param, Param]:
    """The two parameters of a strategy that groups rows: how many k-means groups
    (``count``), or a pool column whose values are the groups."""
    return (
        Param(count, "int", None, f"k-means {what} (default: about sqrt(n)/3, 2 to 40); "
              "ignored with label_column", low=1, optional=True, step=1,
              label=f"number of {what}"),
        Param("label_column", "column", None, f"take the {what} from this pool column (e.g. "
              "category) instead of k-means", optional=True, label=f"{what} from"),
    )


class ClusterBalancedStrategy(Strategy):
    """Round-robin over clusters, best quality first within each."""

    name = "cluster_balanced"
    needs = frozenset({"labels", "quality"})
    greedy = True
    order = 60
    summary = "Round-robin over clusters, best quality first (Macro-to-Micro)."
    params = label_params("n_clusters", "clusters")

    def _select(self, ctx: SelectionContext, plan: SelectionPlan, seed: int,
                report: ProgressReporter) -> Picks:
        labels, source = resolve_labels(ctx, self.name, self.n_clusters, self.label_column,
                                        seed)
        q = ctx.quality_or_uniform()
        ordered = quality_order(q, plan.candidates)
        queues: dict[int, list[int]] = {}
        for row in ordered.tolist():  # per cluster, best first
            queues.setdefault(int(labels[row]), []).append(row)
        rank = {c: i for i, c in enumerate(sorted(queues, key=lambda c: (-q[queues[c][0]], c)))}
        counts: dict[int, int] = {}
        indices: list[int] = []
        gains: list[float] = []

        def take(row: int) -> None:
            c = int(labels[row])
            gains.append(0.0 if counts.get(c) else 1.0)
            counts[c] = counts.get(c, 0) + 1
            indices.append(row)
            report(len(indices))

        for row in plan.must:
            take(int(row))
        heap = [(counts.get(c, 0), rank[c], c) for c in queues]
        heapq.heapify(heap)
        pointer = dict.fromkeys(queues, 0)
        while len(indices) < plan.k:
            _, r, c = heapq.heappop(heap)
            take(queues[c][pointer[c]])
            pointer[c] += 1
            if pointer[c] < len(queues[c]):
                heapq.heappush(heap, (counts[c], r, c))
        info = {"label_source": source, "n_clusters": int(len(np.unique(labels)))}
        return Picks(indices, gains, np.cumsum(gains), info=info)
