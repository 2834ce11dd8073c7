"""Near-duplicate detection: the MinHash engine against datasketch, planted edited copies of
real rows (precision and recall), the kNN-graph method, and the groups' kept rows."""

from __future__ import annotations

import random

import numpy as np
import pytest

from core.errors import InputError
from core.pool.near_duplicates import (
    check_method,
    embedding_pairs,
    group_pairs,
    minhash_pairs,
    minhash_signatures,
    row_words,
    shingle_hashes,
)


def test_signatures_equal_datasketch_update_batch():
    from datasketch import MinHash

    texts = ["the quick brown fox jumps over the lazy dog", "a b", "", "one two three four"]
    hashes, offsets = shingle_hashes(row_words(texts), 3)
    sig = minhash_signatures(hashes, offsets, 64, seed=7)
    for i in range(len(texts)):
        ref = MinHash(num_perm=64, seed=7, scheme="affine32", hashfunc=lambda x: x)
        ref.update_batch([int(v) for v in hashes[offsets[i]:offsets[i + 1]]])
        assert np.array_equal(ref.hashvalues, sig[i]), i


def test_shingles_are_order_sensitive_and_short_rows_get_one():
    hashes, offsets = shingle_hashes([["a", "b", "c"], ["c", "b", "a"], ["x"], []], 3)
    assert np.diff(offsets).tolist() == [1, 1, 1, 0]
    assert hashes[0] != hashes[1]


def _edited_copy(text: str, rng: random.Random, kind: str) -> str:
    words = text.split()
    if kind == "drop":
        del words[rng.randrange(len(words))]
    else:
        i, j = rng.sample(range(len(words)), 2)
        words[i], words[j] = words[j], words[i]
    return " ".join(words)


def test_planted_near_duplicates_of_real_rows_are_found_and_nothing_else(shared_data):
    """100 edited copies (50 with a word dropped, 50 with two words swapped) of real Dolly
    rows of >= 80 words: recall 1.0 at Jaccard 0.8 (0.96 with the LSH index built at 0.8
    itself rather than 0.7), and no pair touches a row that was not planted or copied
    (precision 1)."""
    from core.pool import load_pool

    frame = load_pool(shared_data / "dolly" / "alpagasus_dolly_3k.json").frame
    texts = [f"{i}\n\n{x}\n\n{r}" for i, x, r in
             zip(frame["instruction"], frame["input"], frame["response"], strict=True)]
    texts = [t for t in texts if len(t.split()) >= 80]
    # Untouched base: no near-duplicates among themselves (Dolly has a few real ones).
    pairs, _ = minhash_pairs(texts, 0.5)
    busy = set(pairs.ravel().tolist())
    base = [t for i, t in enumerate(texts) if i not in busy][:400]
    rng = random.Random(0)
    sources = rng.sample(range(len(base)), 100)
    planted = [_edited_copy(base[s], rng, "drop" if n < 50 else "swap")
               for n, s in enumerate(sources)]
    pairs, scores = minhash_pairs(base + planted, 0.8)
    expected = {(s, len(base) + n) for n, s in enumerate(sources)}
    found = {tuple(p) for p in pairs.tolist()}
    recall = len(found & expected) / len(expected)
    precision = len(found & expected) / max(len(found), 1)
    print(f"planted near-duplicates: recall {recall:.3f}, precision {precision:.3f}")
    assert recall >= 0.99, recall
    assert precision == 1.0, sorted(found - expected)[:5]
    assert np.all(scores >= 0.8)


def test_embedding_pairs_from_knn_graph():
    indices = np.array([[0, 1, 2], [1, 0, 2], [2, 1, 0], [3, 2, 1]])
    sims = np.array([[1, .97, .5], [1, .97, .6], [1, .96, .5], [1, .94, .2]], dtype=np.float32)
    pairs, scores = embedding_pairs(indices, sims, 0.95)
    assert pairs.tolist() == [[0, 1], [1, 2]]
    assert np.allclose(scores, [0.97, 0.96])


def test_groups_keep_the_best_quality_then_the_first_row():
    pairs = np.array([[0, 3], [3, 5], [1, 4], [6, 7]])
    quality = np.array([0.1, 0.5, 0.0, 0.9, 0.5, 0.2, 0.3, 0.3])
    nd = group_pairs(8, pairs, np.ones(4), quality, "minhash", 0.8)
    assert nd.groups == [[0, 3, 5], [1, 4], [6, 7]]
    assert nd.kept == [3, 1, 6]  # best quality; ties: first seen
    assert nd.dropped().tolist() == [0, 4, 5, 7]
    assert group_pairs(8, pairs, np.ones(4), None, "minhash", 0.8).kept == [0, 1, 6]


def test_bad_method_and_threshold():
    with pytest.raises(InputError, match="unknown method"):
        check_method("simhash", None)
    with pytest.raises(InputError, match="threshold"):
        check_method("minhash", 1.5)
    assert check_method("embedding", None) == 0.95
