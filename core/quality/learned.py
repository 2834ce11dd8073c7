"""Quality learned from a judge's verdicts on some rows: ``learned:COLUMN``.

COLUMN holds a judge's verdict on some rows (0/1, a 1-10 rating, any number) and is empty
(NaN) on the rest. Features per row (:func:`learned_features`), shape (n, d + 7)::

    x = [embedding (d, L2-normalised), log1p(response words), empty, too_short, truncated,
         refusal, copied_instruction, repetition]          (core.quality.heuristics flags)

The model is fitted on the judged rows after standardising every feature (zero mean, unit
variance over the judged rows):

- binary labels (exactly two distinct values; the larger one is "good"):
  ``LogisticRegression(C=LOGISTIC_C)``; the score is P(good | x);
- ratings (three or more distinct values): ``Ridge(alpha=RIDGE_ALPHA)``; the score is the
  predicted rating.

Every row is then scored (judged rows included) and rank-normalised like any other score.
The model is checked by stratified (binary) or plain (ratings) k-fold cross-validation:
each judged row gets an out-of-fold prediction from the model fitted without its fold;
per fold, AUC (binary) or Spearman's rho (ratings) of those predictions. Refusals (one-line
InputError): a column that is not numeric, fewer than MIN_JUDGED judged rows, a binary
label with one class only (or fewer than 2 rows of a class).

Cost: the fit is O(m d) per solver iteration over the m judged rows, prediction O(n d).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from core.errors import InputError

MIN_JUDGED = 50
FOLDS = 5
LOGISTIC_C = 0.05
RIDGE_ALPHA = 100.0
FEATURE_SET = "embedding+log1p_response_words+heuristic_flags/v1"
FLAG_COLUMNS = ["empty", "too_short", "truncated", "refusal", "copied_instruction",
                "repetition"]


@dataclass
class JudgedLabels:
    """The judged rows of a column: ``rows`` (m,) int64 pool rows, ``y`` (m,) float64."""

    column: str
    rows: np.ndarray
    y: np.ndarray
    kind: str  # "binary" or "rating"

    @property
    def model(self) -> str:
        return (f"logistic regression (C={LOGISTIC_C:g})" if self.kind == "binary"
                else f"ridge regression (alpha={RIDGE_ALPHA:g})")

    def labels_key(self) -> str:
        from core.workspace.keys import config_key

        return config_key("judged", self.rows.tolist(), self.y.tolist())


@dataclass
class CrossValidation:
    """Out-of-fold predictions ``oof`` (m,) aligned with JudgedLabels.rows, one metric per
    fold (AUC for binary labels, Spearman for ratings)."""

    metric: str
    folds: list[float]
    oof: np.ndarray = field(repr=False)

    @property
    def mean(self) -> float:
        return float(np.nanmean(self.folds))

    @property
    def std(self) -> float:
        return float(np.nanstd(self.folds))

    def to_dict(self) -> dict[str, Any]:
        return {"metric": self.metric, "mean": round(self.mean, 4), "std": round(self.std, 4),
                "folds": [round(float(f), 4) for f in self.folds]}


def judged_labels(frame: pd.DataFrame, column: str) -> JudgedLabels:
    """The judged rows of ``frame[column]``, its label type, or a one-line refusal."""
    if column not in frame.columns:
        raise InputError(f"unknown column '{column}' for learned quality; available columns: "
                         f"{', '.join(map(str, frame.columns))}", field="quality")
    raw = frame[column]
    if raw.dtype == bool:
        raw = raw.astype(np.int64)
    values = pd.to_numeric(raw, errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)
    bad = np.flatnonzero(np.isnan(values) & raw.notna().to_numpy())
    if bad.size:
        raise InputError(f"column '{column}' is not numeric (row {int(bad[0])} holds "
                         f"{str(raw.iloc[bad[0]])[:40]!r}); learned quality needs 0/1 labels or "
                         "numeric ratings, empty where unjudged", field="quality")
    rows = np.flatnonzero(np.isfinite(values))
    if rows.size < MIN_JUDGED:
        raise InputError(f"column '{column}' has {rows.size} judged rows; learned quality needs "
                         f"at least {MIN_JUDGED}", field="quality")
    y = values[rows]
    classes, counts = np.unique(y, return_counts=True)
    if classes.size == 1:
        raise InputError(f"column '{column}' has one class only (all {rows.size} judged rows "
                         f"are {classes[0]:g}); a judge must mark some rows good and some bad",
                         field="quality")
    if classes.size == 2 and counts.min() < 2:
        raise InputError(f"column '{column}' has only {counts.min()} row of class "
                         f"{classes[np.argmin(counts)]:g}; cross-validation needs at least 2",
                         field="quality")
    kind = "binary" if classes.size == 2 else "rating"
    if kind == "binary":
        y = (y == classes[1]).astype(np.float64)
    return JudgedLabels(column, rows.astype(np.int64), y, kind)


def extra_features(responses: list[str], flags: pd.DataFrame) -> np.ndarray:
    """float64 (n, 7): log1p(response words) and the six heuristic flags."""
    words = np.fromiter((len(r.split()) for r in responses), dtype=np.float64,
                        count=len(responses))
    return np.column_stack([np.log1p(words), flags[FLAG_COLUMNS].to_numpy(np.float64)])


def learned_features(embeddings: np.ndarray, extra: np.ndarray) -> np.ndarray:
    """float64 (n, d + 7): the embedding followed by :func:`extra_features`."""
    return np.hstack([np.asarray(embeddings, dtype=np.float64), extra])


def make_model(kind: str):
    """The unfitted scikit-learn pipeline for a label type (see the module docstring)."""
    from sklearn.linear_model import LogisticRegression, Ridge
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    if kind == "binary":
        return make_pipeline(StandardScaler(), LogisticRegression(C=LOGISTIC_C, max_iter=2000))
    return make_pipeline(StandardScaler(), Ridge(alpha=RIDGE_ALPHA))


def predict_quality(model, x: np.ndarray, kind: str) -> np.ndarray:
    """float64 (n,): P(good) for binary labels, the predicted rating otherwise."""
    if kind == "binary":
        return model.predict_proba(x)[:, 1].astype(np.float64)
    return model.predict(x).astype(np.float64)


def fit_and_score(x: np.ndarray, labels: JudgedLabels) -> np.ndarray:
    """Fit on the judged rows of ``x`` (n, f) and score all n rows."""
    model = make_model(labels.kind).fit(x[labels.rows], labels.y)
    return predict_quality(model, x, labels.kind)


def fold_splits(labels: JudgedLabels, folds: int = FOLDS, seed: int = 0
                ) -> list[tuple[np.ndarray, np.ndarray]]:
    """(train, test) positions into ``labels.rows``, disjoint, tests partitioning all m:
    stratified for binary labels (folds capped by the rarer class's count)."""
    from sklearn.model_selection import KFold, StratifiedKFold

    m = labels.y.size
    if labels.kind == "binary":
        k = int(min(folds, np.unique(labels.y, return_counts=True)[1].min()))
        splitter = StratifiedKFold(n_splits=k, shuffle=True, random_state=seed)
        return list(splitter.split(np.zeros(m), labels.y))
    splitter = KFold(n_splits=min(folds, m), shuffle=True, random_state=seed)
    return list(splitter.split(np.zeros(m)))


def cross_validate(x: np.ndarray, labels: JudgedLabels, folds: int = FOLDS, seed: int = 0
                   ) -> CrossValidation:
    """Out-of-fold predictions and per-fold AUC/Spearman; each model sees only its fold's
    training rows, so no judged row is ever scored by a model fitted on it."""
    xj = x[labels.rows]
    oof = np.full(labels.y.size, np.nan)
    scores = []
    for train, test in fold_splits(labels, folds, seed):
        model = make_model(labels.kind).fit(xj[train], labels.y[train])
        oof[test] = predict_quality(model, xj[test], labels.kind)
        scores.append(agreement(oof[test], labels.y[test], labels.kind))
    return CrossValidation("auc" if labels.kind == "binary" else "spearman", scores, oof)


def agreement(score: np.ndarray, y: np.ndarray, kind: str) -> float:
    """AUC of ``score`` against binary ``y``, else Spearman's rho (NaN when undefined)."""
    from scipy.stats import spearmanr
    from sklearn.metrics import roc_auc_score

    if kind == "binary":
        return float(roc_auc_score(y, score)) if np.unique(y).size == 2 else float("nan")
    if np.unique(score).size < 2 or np.unique(y).size < 2:
        return float("nan")
    return float(spearmanr(score, y).statistic)
