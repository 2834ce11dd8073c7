"""Why these rows: an explanation of every pick of a selection, and of any one pool row.

    table = explain_selection(ws, result)      # Explanation: picks frame + unrepresented
    answer = explain_row(ws, result, "row-id") # dict: picked? represented by? missed by?

Per pick (rank order): rank, id, row, gain (the score it won with at its step, as the
strategy defines it), coverage_part + quality_part (= gain; core.explain.parts), represents
(how many pool rows have this pick as their most similar pick; core.explain.represent),
cluster (the k-means cluster's name, as on the map), and closest_ids / closest_similarity
(its three most similar represented rows). Invariant: sum of represents = n - unrepresented.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from core.errors import InputError
from core.explain.laststep import candidate_mask, last_step_scores
from core.explain.parts import gain_parts
from core.explain.represent import closest_represented, nearest_pick_dense, nearest_pick_graph

__all__ = ["Explanation", "explain_row", "explain_selection", "representation"]


@dataclass
class Explanation:
    """picks: one row per pick (columns in the module docstring); unrepresented: pool rows
    no pick represents (kNN similarity only); similarity: "dense", "knn" or "none" (no
    embeddings); rep / rep_sim: (n,) rank of each row's representing pick (-1: none) and
    the similarity to it."""

    picks: pd.DataFrame
    unrepresented: int
    similarity: str
    rep: np.ndarray
    rep_sim: np.ndarray

    def to_json(self) -> dict[str, Any]:
        picks = []
        for rec in self.picks.to_dict("records"):
            picks.append({key: _plain(value) for key, value in rec.items()})
        return {"picks": picks, "unrepresented": self.unrepresented,
                "similarity": self.similarity}


def _plain(value: Any) -> Any:
    if isinstance(value, np.ndarray):
        return [_plain(v) for v in value.tolist()]
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating):
        return float(value)
    if value is pd.NA:
        return None
    return value


def representation(ws: Any, result: Any) -> tuple[np.ndarray, np.ndarray, str]:
    """(rep (n,) pick rank or -1, similarity (n,), kind) by the similarity the run used."""
    picks = np.asarray(result.indices, dtype=np.int64)
    n = int(ws.n_rows)
    if ws.embedding_info() is None:
        return np.full(n, -1, dtype=np.int64), np.zeros(n), "none"
    if (result.config.get("info") or {}).get("path") == "sparse":
        from core.select.facility_location import symmetric_similarity

        rep, sim = nearest_pick_graph(symmetric_similarity(ws.knn()), picks)
        return rep, sim, "knn"
    rep, sim = nearest_pick_dense(ws.embeddings(), picks)
    return rep, sim, "dense"


def selection_quality(ws: Any, result: Any) -> np.ndarray | None:
    """The run's own quality score per pool row (rank-normalised), or None."""
    from core.quality import workspace_quality

    return workspace_quality(ws, result.config.get("quality"))


def explain_selection(ws: Any, result: Any) -> Explanation:
    """Every pick's explanation (see the module docstring). O(n k d) for dense similarity,
    O(n K) for the kNN graph."""
    picks = np.asarray(result.indices, dtype=np.int64)
    n = int(ws.n_rows)
    cover, qual = gain_parts(result.config, result.gains, picks, selection_quality(ws, result), n)
    rep, sim, kind = representation(ws, result)
    ids = ws.pool_frame(["id"])["id"].astype(str).to_numpy()
    represents = np.bincount(rep[rep >= 0], minlength=len(picks))
    closest = closest_represented(rep, sim, picks)
    clusters: list[str | None] = [None] * len(picks)
    if kind != "none":
        labels, _ = ws.clusters()
        names = ws.cluster_names()
        clusters = [names.get(int(c), str(int(c))) for c in np.asarray(labels)[picks]]
    frame = pd.DataFrame({
        "rank": np.arange(len(picks), dtype=np.int64), "id": ids[picks], "row": picks,
        "gain": np.asarray(result.gains, dtype=np.float64), "coverage_part": cover,
        "quality_part": qual, "represents": represents.astype(np.int64), "cluster": clusters,
        "closest_ids": [ids[c].tolist() for c in closest],
        "closest_similarity": [np.round(sim[c], 6).tolist() for c in closest]})
    return Explanation(frame, int((rep < 0).sum()), kind, rep, sim)


def explain_row(ws: Any, result: Any, row_id: str, explanation: Explanation | None = None
                ) -> dict[str, Any]:
    """Whether the pool row with id ``row_id`` was picked, which pick represents it and how
    similar they are, and for an unpicked row its score at the last step against the last
    pick's gain (``missed_by`` = last gain - its score; None where not defined)."""
    ids = ws.pool_frame(["id"])["id"].astype(str).to_numpy()
    hits = np.flatnonzero(ids == str(row_id))
    if not len(hits):
        raise InputError(f"no pool row has id {row_id!r}", field="row")
    row = int(hits[0])
    exp = explanation or explain_selection(ws, result)
    picks = np.asarray(result.indices, dtype=np.int64)
    ranks = np.flatnonzero(picks == row)
    out: dict[str, Any] = {"id": str(row_id), "row": row, "picked": bool(len(ranks)),
                           "rank": int(ranks[0]) if len(ranks) else None}
    r = int(exp.rep[row])
    out["represented_by"] = None if r < 0 else {
        "rank": r, "id": str(ids[picks[r]]), "row": int(picks[r]),
        "similarity": round(float(exp.rep_sim[row]), 6)}
    if len(ranks):
        pick = exp.picks.iloc[int(ranks[0])]
        out.update({key: float(pick[key]) for key in ("gain", "coverage_part", "quality_part")})
        out["represents"] = int(pick["represents"])
        return out
    out.update(_missed(ws, result, row))
    return out


def _missed(ws: Any, result: Any, row: int) -> dict[str, Any]:
    """candidate / score_at_last_step / last_gain / missed_by (and deita's redundancy)."""
    if not candidate_mask(ws, result.config)[row]:
        return {"candidate": False, "note": "not a candidate: the run's filter excluded it"}
    last_gain = float(result.gains[-1]) if result.k else None
    scores = last_step_scores(ws, result, np.array([row]), selection_quality(ws, result))
    out: dict[str, Any] = {"candidate": True, "last_gain": last_gain,
                           "score_at_last_step": None, "missed_by": None}
    if scores is None:
        out["note"] = (f"{result.config.get('strategy')} does not score rows against each "
                       "other at its last step")
        return out
    out["score_at_last_step"] = float(scores[0])
    out["missed_by"] = float(last_gain - scores[0])
    if result.config.get("strategy") == "deita" and scores[0] >= last_gain:
        threshold = float((result.config.get("params") or {}).get("threshold", 0.9))
        x = ws.embeddings()
        cos = np.asarray(x[result.indices], dtype=np.float64) @ np.asarray(x[row], np.float64)
        out["note"] = (f"redundant: cosine {cos.max():.3f} to pick rank {int(cos.argmax())} "
                       f"is above the threshold {threshold}")
    return out
