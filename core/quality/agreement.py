"""Which quality score agrees with your judge: ``python -m core quality --against COLUMN``.

For the rows the judge column has a value for (the labelled rows), each score is compared
with the judge's verdict:

- ``auc``: for a binary judge (two distinct values, the larger = approved), the ROC AUC of
  the score: the probability that a random approved row scores above a random rejected one
  (ties count half). 0.5 = no better than chance; below 0.5 the score "ranks the judge's
  picks lower". null for a judge with more than two values.
- ``spearman``: Spearman's rank correlation of score and verdict (always).
- ``n``: labelled rows where the score has a value.

Scores covered: ``heuristic``, ``length``, ``learned:COLUMN`` cross-validated (each
labelled row scored by the model fitted without its fold, never on its own training row),
every cached ``reward:`` score, and every numeric pool column except the judge, ``id``
and ``source_row``.
``learned:COLUMN`` is left out, with the reason, when it is refused (fewer than 50 judged
rows, one class).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from core.errors import InputError

FLAG_BELOW = "ranks the judge's picks lower"


def score_agreement(score: np.ndarray, verdict: np.ndarray, binary: bool) -> dict[str, Any]:
    """{"auc", "spearman", "n"} of ``score`` against ``verdict`` over rows where both are
    finite (AUC only when ``binary``; None where undefined)."""
    from scipy.stats import spearmanr
    from sklearn.metrics import roc_auc_score

    score = np.asarray(score, dtype=np.float64)
    ok = np.isfinite(score) & np.isfinite(verdict)
    s, v = score[ok], verdict[ok]
    out: dict[str, Any] = {"auc": None, "spearman": None, "n": int(ok.sum())}
    if binary and np.unique(v).size == 2:
        out["auc"] = round(float(roc_auc_score(v == v.max(), s)), 4)
    if np.unique(s).size > 1 and np.unique(v).size > 1:
        out["spearman"] = round(float(spearmanr(s, v).statistic), 4)
    if out["auc"] is not None and out["auc"] < 0.5:
        out["flag"] = FLAG_BELOW
    return out


def judge_verdicts(frame: pd.DataFrame, against: str) -> np.ndarray:
    """float64 (n,) judge values, NaN where unjudged; InputError for an unknown or
    non-numeric column, or fewer than two distinct verdicts."""
    if against not in frame.columns:
        raise InputError(f"unknown judge column '{against}'; available columns: "
                         f"{', '.join(map(str, frame.columns))}", field="against")
    raw = frame[against]
    raw = raw.astype(np.int64) if raw.dtype == bool else raw
    verdict = pd.to_numeric(raw, errors="coerce").to_numpy(np.float64, na_value=np.nan)
    bad = np.flatnonzero(np.isnan(verdict) & raw.notna().to_numpy())
    if bad.size:
        raise InputError(f"judge column '{against}' is not numeric (row {int(bad[0])} holds "
                         f"{str(raw.iloc[bad[0]])[:40]!r})", field="against")
    if np.unique(verdict[np.isfinite(verdict)]).size < 2:
        raise InputError(f"judge column '{against}' needs at least two different verdicts "
                         f"on its labelled rows ({int(np.isfinite(verdict).sum())} labelled)",
                         field="against")
    return verdict


def numeric_columns(frame: pd.DataFrame, exclude: set[str]) -> list[str]:
    """Columns whose non-empty values are all numbers (or booleans), at least one; the
    pool's bookkeeping columns (id, source_row: a row's position in its file) excluded."""
    from core.pool.canonical import CANONICAL_COLUMNS

    out = []
    for name in frame.columns:
        if name in exclude or name in CANONICAL_COLUMNS:
            continue
        col = frame[name]
        if col.dtype == bool or pd.api.types.is_numeric_dtype(col):
            if col.notna().any():
                out.append(str(name))
    return out


def agreement_report(ws, against: str) -> dict[str, Any]:
    """The report of the module docstring as a JSON-ready dict:
    {"against", "labelled", "binary", "scores": {spec: {"auc", "spearman", "n"[, "flag"]}},
    "learned": {"summary", "cross_validation", "inputs"} or {"refused": why}}."""
    from core.quality.compute import workspace_quality
    from core.quality.learned_workspace import workspace_learned
    from core.quality.reward_job import list_cached_rewards

    frame = ws.pool_frame()
    verdict = judge_verdicts(frame, against)
    binary = np.unique(verdict[np.isfinite(verdict)]).size == 2
    scores: dict[str, dict[str, Any]] = {}
    for spec in ("heuristic", "length"):
        scores[spec] = score_agreement(workspace_quality(ws, spec), verdict, binary)
    try:
        learned = workspace_learned(ws, against)
    except InputError as exc:  # too few judged rows, one class: the other scores still count
        learned, learned_note = None, {"refused": exc.problem}
    else:
        oof = np.full(len(frame), np.nan)
        oof[learned.labels.rows] = learned.cv.oof
        scores[f"learned:{against}"] = score_agreement(oof, verdict, binary)
        learned_note = {"summary": learned.summary(), "cross_validation": learned.cv.to_dict(),
                        "inputs": learned.inputs}
    for meta in list_cached_rewards(ws):
        raw = np.load(ws.cache_dir / meta["file"], allow_pickle=False)
        scores[f"reward:{meta['model']}"] = score_agreement(raw, verdict, binary)
    for name in numeric_columns(frame, {against}):
        values = pd.to_numeric(frame[name], errors="coerce").to_numpy(np.float64,
                                                                        na_value=np.nan)
        scores[f"column:{name}"] = score_agreement(values, verdict, binary)
    return {"against": against, "labelled": int(np.isfinite(verdict).sum()), "binary": binary,
            "scores": scores, "learned": learned_note}
