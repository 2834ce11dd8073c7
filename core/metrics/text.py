"""Text-level diversity of a selection (Macro-to-Micro's post-hoc measures).

Texts are tokenised once per pool column with ``core.text.word_tokens`` (lower-cased words
and punctuation) into one flat id array, so each measure of a selection is a few numpy
operations over the selected rows' tokens instead of a Python loop. Apply everything to
the instruction side and the response side separately.

- distinct-n (Li et al. 2016): distinct n-grams / all n-grams over the selection's texts
  (n-grams do not cross text boundaries);
- token entropy: H = -sum p log p (nats) of the selection's unigram distribution;
- compression ratio: raw UTF-8 bytes / zlib-compressed bytes of the texts joined by "\\n"
  (higher = more redundant = less diverse);
- Self-BLEU (Zhu et al. 2018): mean BLEU-4 of each text of a seeded sample against all the
  other sampled texts as references (higher = less diverse); see :func:`self_bleu`;
- length statistics in word tokens.
"""

from __future__ import annotations

import zlib
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from core.errors import InputError
from core.text import word_tokens


@dataclass(frozen=True)
class TokenizedTexts:
    """One text column tokenised: row i's token ids are ids[offsets[i]:offsets[i + 1]]."""

    ids: np.ndarray          # (total_tokens,) int32
    offsets: np.ndarray      # (n + 1,) int64
    vocab_size: int
    texts: Sequence[str]     # the raw strings, for the compression ratio

    @property
    def n(self) -> int:
        return int(self.offsets.size - 1)


def tokenize_texts(texts: Sequence[str]) -> TokenizedTexts:
    """Word-tokenise every text and map tokens to dense ids: O(total characters)."""
    vocab: dict[str, int] = {}
    ids: list[int] = []
    offsets = np.zeros(len(texts) + 1, dtype=np.int64)
    for i, text in enumerate(texts):
        ids.extend(vocab.setdefault(tok, len(vocab)) for tok in word_tokens(text or ""))
        offsets[i + 1] = len(ids)
    return TokenizedTexts(np.asarray(ids, dtype=np.int32), offsets, max(1, len(vocab)),
                          list(texts))


def tokenized_from_arrays(ids: np.ndarray, offsets: np.ndarray, texts: Sequence[str]
                          ) -> TokenizedTexts:
    """Rebuild a :class:`TokenizedTexts` from cached ``ids`` and ``offsets`` arrays."""
    ids = np.asarray(ids, dtype=np.int32)
    vocab = int(ids.max()) + 1 if ids.size else 1
    return TokenizedTexts(ids, np.asarray(offsets, dtype=np.int64), vocab, texts)


def _rows(tok: TokenizedTexts, indices) -> np.ndarray:
    return np.arange(tok.n) if indices is None else np.asarray(indices, dtype=np.int64)


def _gather(tok: TokenizedTexts, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(token ids, position of each token inside its text, text lengths) of ``rows``."""
    starts = tok.offsets[rows]
    lengths = tok.offsets[rows + 1] - starts
    total = int(lengths.sum())
    first = np.cumsum(lengths) - lengths
    pos_in_text = np.arange(total, dtype=np.int64) - np.repeat(first, lengths)
    ids = tok.ids[np.repeat(starts, lengths) + pos_in_text]
    return ids, pos_in_text, lengths


def _ngram_codes(ids: np.ndarray, pos_in_text: np.ndarray, max_n: int, vocab: int
                 ) -> list[np.ndarray]:
    """Per order n = 1..max_n, an int64 code for each n-gram (indexed by its last token).

    Invalid positions (fewer than n tokens so far in the text) hold -1. Codes are exact:
    the n ids as the digits of a base-``vocab`` number when vocab ** max_n fits in 62 bits
    (any word vocabulary below 2 million at max_n = 3: shifted slices, no index arrays);
    otherwise an (n-1)-gram code is made dense with np.unique (a sort with inverse, several
    times slower) before being combined with the next id. Nothing overflows or collides.
    """
    codes = ids.astype(np.int64)
    out = [codes]
    direct = vocab ** max_n < 2 ** 62
    for n in range(2, max_n + 1):
        if direct:
            prev = codes
        else:
            prev_valid = pos_in_text >= n - 2
            prev = np.full(codes.size, -1, dtype=np.int64)
            prev[prev_valid] = np.unique(codes[prev_valid], return_inverse=True)[1].ravel()
        nxt = np.empty(codes.size, dtype=np.int64)
        nxt[:1] = -1
        np.multiply(prev[:-1], vocab, out=nxt[1:])
        nxt[1:] += ids[1:]
        nxt[pos_in_text < n - 1] = -1
        codes = nxt
        out.append(codes)
    return out


def distinct_n(tok: TokenizedTexts, indices=None, orders=(1, 2, 3)) -> dict[int, float | None]:
    """distinct-n for each n in ``orders``: unique n-grams / n-grams (None if there are none)."""
    ids, pos, _ = _gather(tok, _rows(tok, indices))
    codes = _ngram_codes(ids, pos, max(orders), tok.vocab_size)
    result: dict[int, float | None] = {}
    for n in orders:
        valid = codes[n - 1][codes[n - 1] >= 0]
        result[n] = _count_distinct(valid) / valid.size if valid.size else None
    return result


def _count_distinct(values: np.ndarray) -> int:
    """Number of distinct values (a sort: faster here than numpy 2's hash-based unique)."""
    srt = np.sort(values)
    return int(np.count_nonzero(srt[1:] != srt[:-1])) + 1


def token_entropy(tok: TokenizedTexts, indices=None) -> float | None:
    """Shannon entropy (nats) of the selection's unigram distribution; None without tokens."""
    ids, _, _ = _gather(tok, _rows(tok, indices))
    if ids.size == 0:
        return None
    counts = np.bincount(ids)
    p = counts[counts > 0] / ids.size
    return float(-(p * np.log(p)).sum())


def length_stats(tok: TokenizedTexts, indices=None) -> dict[str, float]:
    """Mean and median length in word tokens of the selected texts."""
    rows = _rows(tok, indices)
    lengths = (tok.offsets[rows + 1] - tok.offsets[rows]).astype(np.float64)
    return {"mean": float(lengths.mean()), "median": float(np.median(lengths))}


def compression_ratio(texts: Sequence[str], indices=None, *, level: int = 6) -> float | None:
    """len(raw) / len(zlib.compress(raw, level)), raw = the texts joined by "\\n" in UTF-8.

    Texts are joined in pool order, so the value does not depend on the pick order.
    O(total bytes). ``level`` 6 is gzip's default. None when the texts are all empty.
    """
    rows = range(len(texts)) if indices is None else np.sort(np.asarray(indices, np.int64))
    raw = "\n".join(texts[int(i)] or "" for i in rows).encode("utf-8")
    if not raw.strip():
        return None
    return len(raw) / len(zlib.compress(raw, level))


def _clipped_matches(codes: np.ndarray, doc: np.ndarray, n_docs: int) -> np.ndarray:
    """Per text, sum over its n-grams g of min(count_t(g), max over other texts of count(g))."""
    valid = codes >= 0
    grams = codes[valid]
    if grams.size and int(grams.max()) >= 2 ** 62 // max(1, n_docs):  # keep key in int64
        grams = np.unique(grams, return_inverse=True)[1].ravel().astype(np.int64)
    key = grams * n_docs + doc[valid]
    keys, counts = np.unique(key, return_counts=True)
    gram, owner = keys // n_docs, keys % n_docs
    order = np.lexsort((-counts, gram))
    gram, owner, counts = gram[order], owner[order], counts[order]
    group_start = np.r_[True, gram[1:] != gram[:-1]]
    first = np.maximum.accumulate(np.where(group_start, np.arange(gram.size), 0))
    top1 = counts[first]
    second_idx = first + 1
    has_second = (second_idx < gram.size) & ~np.r_[group_start[1:], True][first]
    top2 = np.where(has_second, counts[np.minimum(second_idx, gram.size - 1)], 0)
    best_other = np.where(np.arange(gram.size) == first, top2, top1)
    return np.bincount(owner, weights=np.minimum(counts, best_other), minlength=n_docs)


def _closest_other_length(lengths: np.ndarray) -> np.ndarray:
    """For each text, the length of the closest *other* text (ties: the shorter), as BLEU."""
    order = np.argsort(lengths, kind="stable")
    srt = lengths[order]
    below = np.r_[-10**9, srt[:-1]]
    above = np.r_[srt[1:], 10**9]
    pick_below = (srt - below) <= (above - srt)
    closest = np.where(pick_below, below, above)
    out = np.empty_like(lengths)
    out[order] = closest
    return out


def self_bleu(tok: TokenizedTexts, indices=None, *, sample_size: int = 500, seed: int = 0,
              max_n: int = 4, epsilon: float = 0.1) -> float | None:
    """Self-BLEU: mean sentence BLEU-``max_n`` of each sampled text against the others.

    Sample: ``sample_size`` of the selected rows drawn with ``seed`` (all if fewer).
    BLEU(h) = BP * exp(mean_n log p_n): p_n the modified n-gram precision (counts clipped at
    the largest count in any other sampled text), uniform weights, zero matches smoothed to
    epsilon / (number of n-grams) (NLTK's method1), BP = 1 if |h| > r else exp(1 - r/|h|)
    with r the closest other length. Texts shorter than ``max_n`` tokens are references only.
    Vectorised: O(T log T) for T sampled tokens. None when fewer than 2 texts qualify.
    """
    rows = np.sort(_rows(tok, indices))  # the sample must not depend on the pick order
    if sample_size < 2:
        raise InputError(f"expected a Self-BLEU sample of at least 2, got {sample_size}",
                         field="sample_size")
    if rows.size > sample_size:
        rows = np.random.default_rng(seed).choice(rows, sample_size, replace=False)
    ids, pos, lengths = _gather(tok, rows)
    if rows.size < 2 or int((lengths >= max_n).sum()) < 1:
        return None
    doc = np.repeat(np.arange(rows.size), lengths)
    codes = _ngram_codes(ids, pos, max_n, tok.vocab_size)
    log_p = np.zeros(rows.size, dtype=np.float64)
    for n in range(1, max_n + 1):
        matches = _clipped_matches(codes[n - 1], doc, rows.size)
        totals = np.maximum(lengths - n + 1, 1).astype(np.float64)
        log_p += np.log(np.where(matches > 0, matches, epsilon) / totals) / max_n
    ref_len = _closest_other_length(lengths)
    hyp = np.maximum(lengths, 1).astype(np.float64)
    log_bp = np.where(lengths > ref_len, 0.0, 1.0 - ref_len / hyp)
    eligible = lengths >= max_n
    return float(np.exp(log_bp + log_p)[eligible].mean())
