"""learned:COLUMN: exactness against scikit-learn, leak-free cross-validation, refusals,
caching under its inputs, the spec grammar and the selection/manifest record."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from core.errors import InputError
from core.quality import canonical_spec, parse_quality_spec, workspace_quality
from core.quality.learned import (
    MIN_JUDGED,
    JudgedLabels,
    cross_validate,
    fold_splits,
    judged_labels,
    make_model,
)
from core.quality.learned_workspace import (
    LearnedScorer,
    workspace_features,
    workspace_learned,
)


def _partial(ws, column: str, keep: int) -> None:
    """Blank the judge column except on the first ``keep`` rows (an added column)."""
    values = pd.to_numeric(ws.pool_frame()[column]).to_numpy(np.float64).copy()
    values[keep:] = np.nan
    ws.set_columns({f"{column}_some": values})


def test_learned_equals_sklearn_fitted_directly(judged_workspace):
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    ws = judged_workspace
    _partial(ws, "good", 80)
    learned = workspace_learned(ws, "good_some")
    x = workspace_features(ws)
    assert x.shape == (ws.n_rows, ws.embeddings().shape[1] + 7)
    y = ws.pool_frame()["good"].to_numpy()[:80]
    direct = make_pipeline(StandardScaler(), LogisticRegression(C=0.05, max_iter=2000))
    direct.fit(x[:80], y)
    np.testing.assert_allclose(learned.scores, direct.predict_proba(x)[:, 1], rtol=1e-9)
    assert learned.labels.kind == "binary" and "logistic" in learned.labels.model
    assert learned.cv.metric == "auc" and len(learned.cv.folds) == 5
    assert learned.cv.mean > 0.9  # long good answers are easy to tell apart


def test_ratings_use_ridge_and_spearman(judged_workspace):
    from sklearn.linear_model import Ridge
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    ws = judged_workspace
    learned = workspace_learned(ws, "rating")
    x = workspace_features(ws)
    direct = make_pipeline(StandardScaler(), Ridge(alpha=100.0)).fit(
        x, ws.pool_frame()["rating"].to_numpy(np.float64))
    np.testing.assert_allclose(learned.scores, direct.predict(x), rtol=1e-9)
    assert learned.labels.kind == "rating" and learned.cv.metric == "spearman"
    assert "Spearman" in learned.summary() and "ridge" in learned.summary()


def test_cross_validation_never_scores_a_row_with_a_model_fitted_on_it():
    """Random labels on random features: a model fitted on its own rows memorises them
    (AUC near 1), an honest out-of-fold prediction is near chance."""
    rng = np.random.default_rng(0)
    m = 200
    x = rng.normal(size=(m, 150))
    y = (rng.random(m) < 0.5).astype(float)
    labels = JudgedLabels("j", np.arange(m), y, "binary")
    splits = fold_splits(labels)
    tests = np.concatenate([t for _, t in splits])
    assert np.array_equal(np.sort(tests), np.arange(m))  # every row tested exactly once
    assert all(not set(tr) & set(te) for tr, te in splits)
    cv = cross_validate(x, labels)
    from sklearn.metrics import roc_auc_score

    in_sample = make_model("binary").fit(x, y).predict_proba(x)[:, 1]
    assert roc_auc_score(y, in_sample) > 0.95
    assert abs(roc_auc_score(y, cv.oof) - 0.5) < 0.15
    # each out-of-fold prediction equals a model fitted without that row's fold
    train, test = splits[0]
    alone = make_model("binary").fit(x[train], y[train]).predict_proba(x[test])[:, 1]
    np.testing.assert_allclose(cv.oof[test], alone)


@pytest.mark.parametrize("values,message", [
    (["good"] * 60 + [None] * 10, "is not numeric (row 0 holds 'good')"),
    ([1.0] * (MIN_JUDGED - 1) + [None] * 10, f"has {MIN_JUDGED - 1} judged rows"),
    ([1.0] * 60, "has one class only"),
    ([1.0] * 59 + [0.0], "only 1 row of class 0"),
])
def test_refusals_are_one_line(values, message):
    with pytest.raises(InputError) as err:
        judged_labels(pd.DataFrame({"j": values}), "j")
    assert message in str(err.value) and "\n" not in str(err.value)


def test_spec_grammar_round_trips_learned_and_reward():
    assert canonical_spec(" learned:label ") == "learned:label"
    assert canonical_spec("reward:OpenAssistant/reward-model-deberta-v3-large-v2") == \
        "reward:OpenAssistant/reward-model-deberta-v3-large-v2"
    mix = "0.7*learned:label+0.3*reward:/tmp/rm"
    assert canonical_spec(canonical_spec(mix)) == canonical_spec(mix) == mix
    assert isinstance(parse_quality_spec("learned:label"), LearnedScorer)
    with pytest.raises(InputError, match="names no column"):
        parse_quality_spec("learned:")
    with pytest.raises(InputError, match="unknown column 'nope' for learned quality"):
        parse_quality_spec("learned:nope", columns=["id", "label"])


def test_cache_key_follows_the_judged_rows(judged_workspace):
    ws = judged_workspace
    _partial(ws, "good", 80)
    first = workspace_quality(ws, "learned:good_some")
    assert np.array_equal(first, workspace_quality(ws, "learned:good_some"))
    _partial(ws, "good", 90)  # ten more rows judged: new inputs, new score
    second = workspace_quality(ws, "learned:good_some")
    assert not np.array_equal(first, second)
    assert workspace_learned(ws, "good_some").inputs["judged_rows"] == 90


def test_selection_records_and_reproduces_the_learned_inputs(judged_workspace, tmp_path):
    from core.export import export_selection, reproduce_manifest
    from core.select.request import SelectionRequest
    from core.select.run import run_selection

    ws = judged_workspace
    _partial(ws, "good", 80)
    result = run_selection(ws, SelectionRequest("qdit", 20, {"alpha": 0.7},
                                                quality="learned:good_some"))
    inputs = result.config["quality_inputs"]["learned:good_some"]
    assert inputs["judged_rows"] == 80 and inputs["label_type"] == "binary"
    assert inputs["embedding_key"] == ws.embedding_info()["key"]
    ws.save_selection("learned", result)
    export_selection(ws, "learned", "alpaca", tmp_path / "bundle", compute_metrics=False)
    report = reproduce_manifest(tmp_path / "bundle", ws)
    assert report.match and report.checks["quality"].startswith("match")
    _partial(ws, "good", 85)  # the labels changed since: refused, saying which input
    with pytest.raises(InputError, match="quality inputs differ for learned:good_some"):
        reproduce_manifest(tmp_path / "bundle", ws)
