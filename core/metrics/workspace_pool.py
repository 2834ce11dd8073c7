"""Assemble a :class:`MetricsPool` from a workspace, with its expensive parts cached there.

Shared by ``python -m core metrics`` and the dashboard. Cached through
``Workspace.cached_array`` (keyed by the pool): word-token ids of each text side, the
quality vector of a spec (``core.quality.workspace_quality``), LDD reference curves,
random-baseline log det curves and values, the pool's text and cluster figures; k-means
clusters through ``Workspace.clusters``.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from core.errors import InputError
from core.metrics.embedding import NearestPickMemo
from core.metrics.report import MetricsPool
from core.metrics.text import TokenizedTexts, tokenize_texts, tokenized_from_arrays
from core.quality import canonical_spec, parse_quality_spec, workspace_quality

TOKENIZER_VERSION = "word_tokens-1"


class SideTexts(Sequence):
    """One text side of a workspace's pool, read on first use: only the compression ratio
    reads the strings (the other text measures read cached token ids), and building 50,000
    of them cost the first cards of a fresh Select page about 0.2 s."""

    def __init__(self, ws, side: str) -> None:
        self._ws, self._side, self._texts = ws, side, None

    def _load(self) -> list[str]:
        if self._texts is None:
            self._texts = self._ws.texts(self._side)
        return self._texts

    def __len__(self) -> int:
        return len(self._load())

    def __getitem__(self, i):
        return self._load()[i]

    def __iter__(self):
        return iter(self._load())


def tokenized_side(ws, side: str) -> TokenizedTexts:
    """Word tokens of one text side ("instruction" = instruction + input, or "response")."""
    texts = SideTexts(ws, side)
    box: dict[str, np.ndarray] = {}

    def compute(part: str):
        def run() -> np.ndarray:
            if "ids" not in box:
                tok = tokenize_texts(texts)
                box.update(ids=tok.ids, offsets=tok.offsets)
            return box[part]
        return run

    key = {"side": side, "tokenizer": TOKENIZER_VERSION}
    offsets = ws.cached_array("metric_token_offsets", key, compute("offsets"))
    ids = ws.cached_array("metric_token_ids", key, compute("ids"))
    return tokenized_from_arrays(ids, offsets, texts)


def quality_vector(ws, spec: str | None) -> np.ndarray | None:
    """Quality per row for ``spec`` (core.quality grammar), rank-normalised to [0, 1] as
    the selection engine sees it, cached in the workspace; None for "none".

    So quality_mean is the selection's mean quality percentile (the pool's is 0.5).
    """
    parse_quality_spec(spec, columns=list(ws.pool_frame().columns))  # names unknown columns
    return workspace_quality(ws, spec)


def cluster_partition(ws, n_clusters: int | None = None, label_column: str | None = None
                      ) -> tuple[np.ndarray, np.ndarray]:
    """(labels, unit centroids): k-means of the embeddings or a label column's values."""
    from core.clusters import column_labels, label_centroids

    if label_column is None:
        return ws.clusters(n_clusters)
    frame = ws.pool_frame()
    if label_column not in frame.columns:
        raise InputError(f"unknown label column {label_column!r}; columns: "
                         f"{', '.join(frame.columns)}", field="label_column")
    labels, _ = column_labels(frame[label_column])
    return labels, label_centroids(np.asarray(ws.embeddings()), labels)


def metrics_pool_from_workspace(ws, *, quality: str | None = "heuristic", where: str | None = None,
                                n_clusters: int | None = None, label_column: str | None = None,
                                sides=("instruction", "response")) -> MetricsPool:
    """Everything the measures read about the workspace's pool, caches wired in.

    The kNN graph is used for coverage when it has been built (``ws.has_knn()``); it is
    not built here. ``where`` is the candidate predicate for the random baseline.
    """
    embeddings = ws.embeddings()  # raises the user-facing error when not embedded
    info = ws.embedding_info()
    labels, centroids = cluster_partition(ws, n_clusters, label_column)
    cluster_key = (f"column:{label_column}" if label_column is not None
                   else f"kmeans:{n_clusters}:0")
    return MetricsPool(
        embeddings=embeddings, quality=quality_vector(ws, quality), cluster_labels=labels,
        cluster_centroids=centroids, texts={side: tokenized_side(ws, side) for side in sides},
        knn=ws.knn() if ws.has_knn() else None,
        candidate_mask=ws.candidate_mask(where) if where else None,
        cache=ws.cached_array, embedding_key=info["key"], text_key=ws.pool_key,
        quality_key=canonical_spec(quality), cluster_key=cluster_key,
        nearest_memo=NearestPickMemo(), token_counts=_token_totals(ws),
        unit_labels={side: _unit_codes(ws, side) for side in sides})


def _unit_codes(ws, side: str) -> np.ndarray:
    """Unit codes of one side by the rules parser (core.workspace.units, cached there)."""
    from core.workspace.units import workspace_units

    return workspace_units(ws, side, "rules")[0]


def _token_totals(ws) -> np.ndarray:
    """Instruction + response tokens per row (core.workspace.tokens, cached there)."""
    from core.workspace.tokens import token_counts

    return token_counts(ws).sum(axis=1).to_numpy(dtype=np.int64)


def build_pool_figures(ws) -> dict[str, float | None]:
    """The pool column of the live measures (Vendi, mean distance, cluster and text figures,
    each cached in the workspace), as the dashboard's cards and table read it: ``map`` builds
    them ahead (core.prepare), since the pool's compression ratio alone took seconds on a
    fresh 50,000-row workspace's first Select visit."""
    from core.metrics.report import pool_values
    from core.metrics.values import MetricsOptions

    pool = metrics_pool_from_workspace(ws, quality="none")
    opts = MetricsOptions(families=("embedding", "cluster", "text"))
    return pool_values(pool, 1, opts, None)
