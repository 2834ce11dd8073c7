"""Embedders: hashing (deterministic, for tests), TF-IDF + SVD, the real MiniLM model, and
bring-your-own vectors. Every one returns L2-normalised float32 rows."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest

from core.embed import (
    DEFAULT_MODEL,
    Embedder,
    HashingEmbedder,
    SentenceTransformerEmbedder,
    TfidfSvdEmbedder,
    create_embedder,
    l2_normalise,
    load_vectors,
)
from core.errors import CancelledError, InputError

TEXTS = [
    "How do I bake a chocolate cake?",
    "Give me a recipe for chocolate cake.",
    "Explain the theory of general relativity.",
    "What is the capital city of France?",
    "Write a Python function that reverses a list.",
    "",
    "!!!",
]


def assert_unit_float32(x: np.ndarray, n: int) -> None:
    assert x.dtype == np.float32
    assert x.shape[0] == n
    assert np.isfinite(x).all()
    np.testing.assert_allclose(np.linalg.norm(x, axis=1), 1.0, atol=1e-5)


# --------------------------------------------------------------------- hashing
def test_hashing_is_normalised_and_deterministic():
    a = HashingEmbedder().embed(TEXTS)
    b = HashingEmbedder().embed(list(TEXTS))
    assert a.shape == (len(TEXTS), 64)
    assert_unit_float32(a, len(TEXTS))
    assert np.array_equal(a, b)
    assert np.array_equal(HashingEmbedder().embed(TEXTS[2:3])[0], a[2])  # batch-independent


def test_hashing_is_the_same_in_another_process():
    code = ("import json, sys; sys.path.insert(0, sys.argv[1]);"
            "from core.embed import HashingEmbedder;"
            "print(json.dumps(HashingEmbedder().embed([sys.argv[2]])[0].tolist()))")
    from pathlib import Path

    repo = str(Path(__file__).resolve().parents[2])
    out = subprocess.run([sys.executable, "-c", code, repo, TEXTS[0]], capture_output=True,
                         text=True, check=True, env={"PYTHONHASHSEED": "123", "PATH": ""})
    other = np.array(json.loads(out.stdout), dtype=np.float32)
    assert np.array_equal(other, HashingEmbedder().embed(TEXTS[:1])[0])


def test_hashing_similar_texts_are_closer():
    x = HashingEmbedder(dim=256).embed(TEXTS[:3])
    assert x[0] @ x[1] > x[0] @ x[2]


def test_hashing_config_changes_the_vectors():
    base = HashingEmbedder().embed(TEXTS)
    assert not np.array_equal(HashingEmbedder(seed=1).embed(TEXTS), base)
    assert HashingEmbedder(dim=16).embed(TEXTS).shape == (len(TEXTS), 16)
    assert HashingEmbedder(seed=1).config() != HashingEmbedder().config()
    assert isinstance(HashingEmbedder(), Embedder)


def test_progress_reports_and_can_cancel():
    seen = []
    HashingEmbedder().embed(["t"] * 2500, progress=lambda d, t: seen.append((d, t)))
    assert seen[-1] == (2500, 2500) and (1000, 2500) in seen
    with pytest.raises(CancelledError):
        HashingEmbedder().embed(["t"] * 2500, progress=lambda d, t: False)
    with pytest.raises(CancelledError):
        TfidfSvdEmbedder(dim=4).embed(TEXTS * 3, progress=lambda d, t: False)


# ---------------------------------------------------------------------- TF-IDF
def corpus(n: int = 120) -> list[str]:
    topics = ["bake a cake with flour sugar and eggs", "train a neural network on images",
              "translate this sentence into french", "solve the equation for x and y"]
    return [f"{topics[i % 4]} variant {i % 9} number {i}" for i in range(n)]


def test_tfidf_is_normalised_and_deterministic():
    texts = corpus()
    a = TfidfSvdEmbedder(dim=16).embed(texts)
    b = TfidfSvdEmbedder(dim=16).embed(texts)
    assert a.shape == (len(texts), 16)
    assert_unit_float32(a, len(texts))
    assert np.array_equal(a, b)
    same_topic = a[0] @ a[4]
    other_topic = a[0] @ a[1]
    assert same_topic > other_topic


def test_tfidf_fitted_once_then_transforms_other_texts():
    emb = TfidfSvdEmbedder(dim=8)
    emb.prepare(corpus())
    x = emb.embed(["bake a cake", "zzzz qqqq unknown words", ""])
    assert_unit_float32(x, 3)
    assert np.array_equal(x[1], x[2])  # no known term: one fixed point


def test_tfidf_on_a_tiny_corpus_caps_the_dimension():
    x = TfidfSvdEmbedder(dim=256).embed(TEXTS[:4])
    assert 1 <= x.shape[1] <= 3
    assert_unit_float32(x, 4)


# --------------------------------------------------------------- create/by name
@pytest.mark.parametrize("name, cls", [("tfidf", TfidfSvdEmbedder), ("TF-IDF", TfidfSvdEmbedder),
                                       ("hashing", HashingEmbedder),
                                       ("deterministic", HashingEmbedder)])
def test_create_embedder_by_name(name, cls):
    assert isinstance(create_embedder(name), cls)


def test_default_embedder_is_minilm_without_loading_it():
    emb = create_embedder()
    assert isinstance(emb, SentenceTransformerEmbedder)
    assert emb.name == DEFAULT_MODEL == "all-MiniLM-L6-v2"
    assert emb._model is None  # constructing does not load the model
    assert create_embedder("minilm").config() == emb.config()


def test_l2_normalise_keeps_zero_rows_zero():
    x = l2_normalise(np.array([[3.0, 4.0], [0.0, 0.0]]))
    np.testing.assert_allclose(x, [[0.6, 0.8], [0.0, 0.0]])
    assert x.dtype == np.float32


# ------------------------------------------------------------ your own vectors
def test_load_vectors_normalises_and_accepts_integers(tmp_path):
    path = tmp_path / "v.npy"
    np.save(path, np.array([[3, 4], [0, 2], [5, 0]], dtype=np.int64))
    x = load_vectors(str(path), 3)
    np.testing.assert_allclose(x, [[0.6, 0.8], [0, 1], [1, 0]])
    assert x.dtype == np.float32


def test_load_vectors_refuses_pickled_objects(tmp_path):
    path = tmp_path / "obj.npy"
    np.save(path, np.array([{"a": 1}, {"b": 2}], dtype=object), allow_pickle=True)
    with pytest.raises(InputError, match="not a readable .npy file"):
        load_vectors(str(path), 2)


# --------------------------------------------------------------- the real model
@pytest.mark.slow
def test_minilm_on_real_alpaca_rows(shared_data):
    records = json.loads((shared_data / "alpaca" / "alpaca_5000.json").read_text())[:200]
    texts = [r["instruction"] for r in records]
    emb = create_embedder(batch_size=64)
    seen: list[int] = []
    x = emb.embed(texts, progress=lambda done, total: seen.append(done))
    assert seen == [64, 128, 192, 200]  # after every batch, not every 256 rows
    assert x.shape == (200, 384)
    assert_unit_float32(x, 200)
    assert emb.dim == 384

    pair = emb.embed(["How do I bake a chocolate cake?", "What is a recipe for chocolate cake?",
                      "Explain the theory of general relativity."])
    assert pair[0] @ pair[1] > pair[0] @ pair[2] + 0.3

    # Sorting by length inside embed() must not scramble rows: the plain
    # sentence-transformers call on the same texts agrees row by row.
    plain = emb.load().encode(texts[:32], batch_size=16, normalize_embeddings=True,
                              convert_to_numpy=True, show_progress_bar=False)
    cos = np.sum(plain * x[:32], axis=1)
    assert cos.min() > 0.999


@pytest.mark.slow
def test_missing_local_model_is_an_input_error(tmp_path):
    with pytest.raises(InputError) as err:
        create_embedder(str(tmp_path / "no_model_here")).load()
    assert err.value.field == "model"
    assert "cannot load model" in str(err.value)
