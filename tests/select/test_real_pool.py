"""Behaviour on a real pool (../shared/data/alpaca/alpaca_5000.json, TF-IDF + SVD embeddings
computed here, quality = response length in WordPiece tokens, rank-normalised)."""

from __future__ import annotations

import json

import numpy as np
import pytest

from core.quality import rank_normalize
from core.select import SelectionContext, get_strategy
from core.text import prompt_text, subword_lengths

K = 200
ALPHAS = [0.0, 0.005, 0.02, 0.1, 0.3, 0.5, 0.8, 0.95, 1.0]


@pytest.fixture(scope="module")
def alpaca(shared_data):
    from sklearn.decomposition import TruncatedSVD
    from sklearn.feature_extraction.text import TfidfVectorizer

    rows = json.loads((shared_data / "alpaca" / "alpaca_5000.json").read_text("utf-8"))
    texts = [prompt_text(r["instruction"], r["input"]) for r in rows]
    tfidf = TfidfVectorizer(min_df=2, sublinear_tf=True).fit_transform(texts)
    x = TruncatedSVD(64, random_state=0).fit_transform(tfidf)
    x = (x / np.maximum(np.linalg.norm(x, axis=1, keepdims=True), 1e-12)).astype(np.float32)
    q = rank_normalize(subword_lengths([r["output"] for r in rows]))
    return SelectionContext(embeddings=x, quality=q)


def coverage(x, rows):
    """Facility-location coverage: mean over the pool of the best clipped cosine to a pick."""
    return float(np.maximum(x @ x[rows].T, 0.0).max(axis=1).mean())


@pytest.mark.parametrize("scale", ["mean", "sum"])
def test_raising_alpha_never_lowers_mean_quality(alpaca, scale):
    means = [alpaca.quality[get_strategy("qdit", alpha=a, coverage=scale).select(
        alpaca, K).indices].mean() for a in ALPHAS]
    assert all(b >= a - 1e-12 for a, b in zip(means, means[1:], strict=False)), means
    assert means[-1] > means[0] + 0.3  # the slider does move the selection


def test_qdit_coverage_beats_random(alpaca):
    x = alpaca.embeddings
    qdit = coverage(x, get_strategy("qdit", alpha=0.0).select(alpaca, K).indices)
    balanced = coverage(x, get_strategy("qdit", alpha=0.5, coverage="sum").select(
        alpaca, K).indices)
    randoms = [coverage(x, get_strategy("random").select(alpaca, K, seed=s).indices)
               for s in range(5)]
    assert qdit > max(randoms) + 0.02
    assert balanced > max(randoms)


def test_dpp_lambda_trades_diversity_for_quality(alpaca):
    div = get_strategy("dpp", lam=0.0).select(alpaca, 100)
    mid = get_strategy("dpp", lam=0.5).select(alpaca, 100)
    top = get_strategy("dpp", lam=1.0).select(alpaca, 100)
    q = alpaca.quality
    assert q[div.indices].mean() < q[mid.indices].mean() < q[top.indices].mean()
    x = alpaca.embeddings
    assert coverage(x, div.indices) > coverage(x, top.indices)
