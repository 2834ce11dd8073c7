"""Text measures against hand counts and a direct (slow) Self-BLEU implementation."""

from __future__ import annotations

import math
import zlib
from collections import Counter

import numpy as np
import pytest

from core.metrics import text as tx

TEXTS = ["the cat sat", "the cat ran", "a dog"]


def test_distinct_n_by_hand():
    tok = tx.tokenize_texts(TEXTS)
    # unigrams: the cat sat the cat ran a dog -> 8, unique 6
    # bigrams: the-cat, cat-sat, the-cat, cat-ran, a-dog -> 5, unique 4 (none cross texts)
    # trigrams: the-cat-sat, the-cat-ran -> 2, unique 2
    assert tx.distinct_n(tok) == {1: pytest.approx(6 / 8), 2: pytest.approx(4 / 5),
                                  3: pytest.approx(1.0)}
    assert tx.distinct_n(tok, [0, 1], orders=(2,)) == {2: pytest.approx(3 / 4)}
    assert tx.distinct_n(tok, [2], orders=(3,)) == {3: None}


def test_token_entropy_and_lengths_by_hand():
    tok = tx.tokenize_texts(TEXTS)
    p = np.array([2, 2, 1, 1, 1, 1]) / 8
    assert tx.token_entropy(tok) == pytest.approx(-(p * np.log(p)).sum())
    assert tx.token_entropy(tx.tokenize_texts(["", "!"]), [0]) is None
    assert tx.length_stats(tok) == {"mean": pytest.approx(8 / 3), "median": 3.0}


def test_compression_ratio_is_raw_over_zlib():
    texts = ["hello world " * 20, "something else entirely", ""]
    raw = "\n".join(texts[:2]).encode("utf-8")
    assert tx.compression_ratio(texts, [0, 1]) == pytest.approx(
        len(raw) / len(zlib.compress(raw, 6)))
    assert tx.compression_ratio(texts, [2]) is None
    repeated = tx.compression_ratio(["same text here"] * 50)
    varied = tx.compression_ratio([f"text number {i} about {i * 7919 % 997}" for i in range(50)])
    assert repeated > varied


def test_self_bleu_by_hand():
    tok = tx.tokenize_texts(["a b c d", "a b c e", "x y z w"])
    # text 0 against {1, 2}: p1 = 3/4, p2 = 2/3, p3 = 1/2, p4 = 0 -> 0.1/1; BP = 1
    close = (0.75 * (2 / 3) * 0.5 * 0.1) ** 0.25
    # text 2 matches nothing: p_n = 0.1 / (5 - n)
    far = (0.1 / 4 * 0.1 / 3 * 0.1 / 2 * 0.1 / 1) ** 0.25
    assert tx.self_bleu(tok) == pytest.approx((2 * close + far) / 3)


def _ngrams(tokens, n):
    return [tuple(tokens[i:i + n]) for i in range(len(tokens) - n + 1)]


def _direct_bleu(hyp, refs, max_n=4, eps=0.1):
    log_p = 0.0
    for n in range(1, max_n + 1):
        best = Counter()
        for ref in refs:
            for gram, count in Counter(_ngrams(ref, n)).items():
                best[gram] = max(best[gram], count)
        hyp_counts = Counter(_ngrams(hyp, n))
        matches = sum(min(c, best[g]) for g, c in hyp_counts.items())
        total = max(len(hyp) - n + 1, 1)
        log_p += math.log((matches or eps) / total) / max_n
    ref_len = min((abs(len(r) - len(hyp)), len(r)) for r in refs)[1]
    bp = 1.0 if len(hyp) > ref_len else math.exp(1 - ref_len / len(hyp))
    return bp * math.exp(log_p)


def test_self_bleu_matches_direct_implementation_on_random_texts():
    rng = np.random.default_rng(0)
    words = "a b c d e f the cat dog sat on mat .".split()
    texts = [" ".join(rng.choice(words, rng.integers(1, 16))) for _ in range(60)]
    tok = tx.tokenize_texts(texts)
    toks = [t.split() for t in texts]
    direct = [_direct_bleu(h, toks[:i] + toks[i + 1:]) for i, h in enumerate(toks) if len(h) >= 4]
    assert tx.self_bleu(tok, sample_size=100) == pytest.approx(np.mean(direct), rel=1e-10)


def test_self_bleu_sample_is_seeded_and_tracks_redundancy():
    rng = np.random.default_rng(1)
    vocab = [f"w{i}" for i in range(3000)]
    varied = tx.tokenize_texts([" ".join(rng.choice(vocab, 12)) for _ in range(400)])
    same = tx.tokenize_texts(["please write a short poem about the sea today"] * 400)
    a = tx.self_bleu(varied, sample_size=50, seed=3)
    assert a == tx.self_bleu(varied, sample_size=50, seed=3)
    assert a != tx.self_bleu(varied, sample_size=50, seed=4)
    assert tx.self_bleu(same, sample_size=50) == pytest.approx(1.0)
    assert a < 0.1


@pytest.mark.parametrize("vocab", [40_000, 3_000_000])
def test_ngram_codes_agree_whatever_the_vocabulary_size(vocab):
    # n-gram codes are base-vocab numbers when vocab ** n fits in 62 bits (40,000: the
    # 3-grams do; the 4-grams of Self-BLEU do too, and exceed int64 once multiplied by the
    # number of texts) and densified codes otherwise (3,000,000): relabelling the token ids
    # near the top of either vocabulary changes no measure.
    rng = np.random.default_rng(2)
    words = "a b c d e f the cat dog sat on mat .".split()
    texts = [" ".join(rng.choice(words, rng.integers(1, 16))) for _ in range(80)]
    tok = tx.tokenize_texts(texts)
    relabel = vocab - 1 - rng.permutation(tok.vocab_size)
    big = tx.TokenizedTexts(relabel[tok.ids].astype(np.int32), tok.offsets, vocab, tok.texts)
    rows = rng.choice(80, 50, replace=False)
    assert tx.distinct_n(big, rows) == tx.distinct_n(tok, rows)
    assert tx.distinct_n(big) == tx.distinct_n(tok)
    assert tx.self_bleu(big, sample_size=60) == pytest.approx(tx.self_bleu(tok, sample_size=60),
                                                              rel=1e-12)
