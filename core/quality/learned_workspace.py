"""``learned:COLUMN`` on a workspace: features from the cached embedding, fit, predict,
cross-validate, all cached under a key of the inputs (:func:`learned_inputs`).

The inputs are the column, the label type, the model, the feature set, the embedding key
and a hash of the judged rows and their values; change any of them (label one more row,
re-embed) and the score is computed again. The same dict is recorded in a selection's
config (``quality_inputs``) and its manifest.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from core.quality.learned import (
    FEATURE_SET,
    FOLDS,
    CrossValidation,
    JudgedLabels,
    cross_validate,
    extra_features,
    fit_and_score,
    judged_labels,
    learned_features,
)


@dataclass
class LearnedQuality:
    """Raw scores (n,) of every pool row, the judged labels, their cross-validation and the
    inputs that made them."""

    scores: np.ndarray
    labels: JudgedLabels
    cv: CrossValidation
    inputs: dict[str, Any]

    def summary(self) -> str:
        """One line: model, label type, judged rows and the CV figure with its spread."""
        cv = self.cv
        return (f"learned:{self.labels.column}: {self.labels.model} on {self.labels.y.size:,} "
                f"judged rows ({self.labels.kind} labels), {len(cv.folds)}-fold "
                f"cross-validated {cv.metric.upper() if cv.metric == 'auc' else 'Spearman'} "
                f"{cv.mean:.3f} ± {cv.std:.3f}")


def learned_inputs(ws, labels: JudgedLabels) -> dict[str, Any]:
    """What the learned score depends on (its cache key and its manifest record)."""
    return {"kind": "learned", "column": labels.column, "label_type": labels.kind,
            "model": labels.model, "feature_set": FEATURE_SET,
            "embedding_key": ws._require_embedding()["key"], "judged_rows": int(labels.y.size),
            "judged_hash": labels.labels_key(), "folds": FOLDS, "seed": 0}


def workspace_extra_features(ws) -> np.ndarray:
    """float64 (n, 7) log1p(response words) + heuristic flags, cached (3 s per 50k rows)."""
    from core.quality.heuristics import heuristic_flags

    def compute() -> np.ndarray:
        frame = ws.pool_frame(["instruction", "response"])
        instructions = frame["instruction"].fillna("").astype(str).tolist()
        responses = frame["response"].fillna("").astype(str).tolist()
        return extra_features(responses, heuristic_flags(instructions, responses))

    return np.asarray(ws.cached_array("learned-extra", {"feature_set": FEATURE_SET}, compute),
                      dtype=np.float64)


def workspace_features(ws) -> np.ndarray:
    """float64 (n, d + 7): :func:`core.quality.learned.learned_features` of the workspace."""
    return learned_features(ws.embeddings(), workspace_extra_features(ws))


def workspace_learned(ws, column: str) -> LearnedQuality:
    """Fit ``learned:column`` on the workspace (or read it from the cache)."""
    labels = judged_labels(ws.pool_frame(), column)
    inputs = learned_inputs(ws, labels)
    box: dict[str, Any] = {}

    def features() -> np.ndarray:
        if "x" not in box:
            box["x"] = workspace_features(ws)
        return box["x"]

    def cv(part: str):
        def run() -> np.ndarray:
            if "cv" not in box:
                box["cv"] = cross_validate(features(), labels)
            return box["cv"].oof if part == "oof" else np.asarray(box["cv"].folds)
        return run

    scores = ws.cached_array("learned", inputs, lambda: fit_and_score(features(), labels))
    oof = ws.cached_array("learned-oof", inputs, cv("oof"))
    folds = ws.cached_array("learned-folds", inputs, cv("folds"))
    metric = "auc" if labels.kind == "binary" else "spearman"
    return LearnedQuality(np.asarray(scores, dtype=np.float64), labels,
                          CrossValidation(metric, [float(f) for f in folds], np.asarray(oof)),
                          inputs)


class LearnedScorer:
    """``learned:COLUMN``: the score a model fitted on the judged rows of COLUMN predicts
    (needs a workspace: it reads the cached embedding)."""

    def __init__(self, column: str) -> None:
        self.column = column
        self.spec = f"learned:{column}"

    def columns(self) -> list[str]:
        return [self.column, "instruction", "response"]

    def score(self, frame) -> np.ndarray:
        from core.errors import InputError

        raise InputError(f"{self.spec} needs a workspace's embeddings; run it on a workspace",
                         field="quality")

    def workspace_score(self, ws, progress=None) -> np.ndarray:
        return workspace_learned(ws, self.column).scores

    def inputs(self, ws) -> dict[str, Any]:
        return learned_inputs(ws, judged_labels(ws.pool_frame(), self.column))
