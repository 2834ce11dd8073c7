"""Near-duplicates of a workspace's pool, and the drop filter that records a decision.

``find_near_duplicates`` runs :mod:`core.pool.near_duplicates` on the workspace (the pairs
are cached under the pool, method, threshold and shingle size; the embedding method also
under the embedding's key) and picks each group's kept row by the workspace quality.

``apply_drop`` records the rows to drop in ``near_duplicates.json`` (atomic write). The
pool file is never changed: the record is a candidate filter that ``run_selection`` ANDs
into every strategy's candidate mask and copies into the selection's config (so the
manifest holds it and ``reproduce`` reapplies the same ids). ``undo_drop`` removes the
record; a record made for another pool is ignored.
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np

from core.pool.near_duplicates import (
    NearDuplicates,
    check_method,
    embedding_pairs,
    group_pairs,
    minhash_pairs,
    union_pairs,
)
from core.workspace.atomic import atomic_write_json, read_json

DROP_FILE = "near_duplicates.json"
_VERSION = 2  # 2: LSH built at threshold - 0.1


def near_duplicate_pairs(ws: Any, method: str, threshold: float, shingle_size: int = 3
                         ) -> tuple[np.ndarray, np.ndarray]:
    """(pairs (m, 2) int64, scores (m,)) of ``method`` at ``threshold``, cached."""
    if method == "both":
        return union_pairs(near_duplicate_pairs(ws, "minhash", threshold, shingle_size),
                           near_duplicate_pairs(ws, "embedding", threshold, shingle_size))
    key: dict[str, Any] = {"method": method, "threshold": round(float(threshold), 6),
                           "version": _VERSION}
    if method == "minhash":
        key.update(shingle_size=int(shingle_size), num_perm=128, seed=1)

        def compute() -> np.ndarray:
            pairs, scores = minhash_pairs(ws.texts("both"), threshold, shingle_size=shingle_size)
            return np.column_stack([pairs.astype(np.float64), scores]).reshape(-1, 3)
    else:
        key["embedding"] = ws._require_embedding()["key"]

        def compute() -> np.ndarray:
            graph = ws.knn()
            pairs, scores = embedding_pairs(graph.indices, graph.sims, threshold)
            return np.column_stack([pairs.astype(np.float64), scores]).reshape(-1, 3)

    table = ws.cached_array("near-duplicate-pairs", key, compute)
    return table[:, :2].astype(np.int64), table[:, 2].astype(np.float64)


# The lowest threshold the Pool page's slider offers per method: its pairs are computed once
# at this floor (cached) and filtered as the slider moves; ``map`` computes the minhash ones
# ahead (core.prepare).
SLIDER_FLOORS = {"minhash": 0.7, "embedding": 0.9}


def find_near_duplicates(ws: Any, method: str = "minhash", threshold: float | None = None, *,
                         quality_spec: str | None = "heuristic", shingle_size: int = 3,
                         floor: float | None = None) -> NearDuplicates:
    """Pairs, groups and kept rows on ``ws`` (see :mod:`core.pool.near_duplicates`).

    ``floor`` (<= threshold): compute the pairs at ``floor`` (cached) and keep those
    scoring >= ``threshold``; a threshold slider then costs one computation. The kept row
    of a group has the highest ``quality_spec`` score (None / "none": the first row).
    """
    from core.quality import workspace_quality

    threshold = check_method(method, threshold)
    base = threshold if floor is None else min(check_method(method, floor), threshold)
    pairs, scores = near_duplicate_pairs(ws, method, base, shingle_size)
    keep = scores >= threshold
    quality = workspace_quality(ws, quality_spec) if quality_spec else None
    return group_pairs(ws.n_rows, pairs[keep], scores[keep], quality, method, threshold)


def apply_drop(ws: Any, result: NearDuplicates, *, quality_spec: str | None,
               shingle_size: int = 3) -> dict[str, Any]:
    """Record ``result.dropped()`` as the workspace's drop filter (replacing any) and
    return the record."""
    ids = ws.pool_frame(["id"])["id"].to_numpy()
    record = {"pool_key": ws.pool_key, "method": result.method,
              "threshold": result.threshold, "quality": quality_spec,
              "shingle_size": shingle_size if result.method != "embedding" else None,
              "n_groups": len(result.groups),
              "dropped_ids": sorted(str(i) for i in ids[result.dropped()]),
              "created": time.strftime("%Y-%m-%dT%H:%M:%S%z")}
    atomic_write_json(ws.root / DROP_FILE, record)
    return record


def drop_record(ws: Any) -> dict[str, Any] | None:
    """The active drop filter of the current pool, or None."""
    record = read_json(ws.root / DROP_FILE)
    if not record or record.get("pool_key") != ws.pool_key:
        return None
    return record


def undo_drop(ws: Any) -> dict[str, Any] | None:
    """Remove the drop filter; returns the record that was active (None if none)."""
    record = drop_record(ws)
    (ws.root / DROP_FILE).unlink(missing_ok=True)
    return record


def drop_filter_config(record: dict[str, Any] | None) -> dict[str, Any] | None:
    """What a selection's config keeps of a drop record (enough to reapply it)."""
    if not record:
        return None
    return {key: record.get(key) for key in ("method", "threshold", "quality", "shingle_size",
                                             "dropped_ids")}


def apply_drop_filter(ws: Any, candidates: np.ndarray | None,
                      drop: dict[str, Any] | None) -> np.ndarray | None:
    """``candidates`` AND NOT (row id in ``drop["dropped_ids"]``); unchanged when no drop."""
    if not drop or not drop.get("dropped_ids"):
        return candidates
    ids = ws.pool_frame(["id"])["id"]
    mask = np.ones(len(ids), dtype=bool) if candidates is None else candidates.copy()
    mask &= ~ids.isin(list(drop["dropped_ids"])).to_numpy()
    return mask
