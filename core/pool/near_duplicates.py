"""Near-duplicate rows of a pool: pairs, groups and the row each group keeps.

Two methods, each giving pairs (a, b) with a < b and a similarity >= threshold:

- ``minhash``: the text of a row is instruction, input and response, lower-cased and cut
  into words (``\\w+``); its shingles are the runs of ``shingle_size`` consecutive words
  (a shorter row is one shingle). Each shingle is hashed to 32 bits (each distinct word by
  blake2b, a run by an order-sensitive mix of its words' hashes), and the row's MinHash
  signature is the minimum over its shingles of datasketch's ``affine32`` permutations
  ``a * fmix32(h) + b mod 2^32`` (computed in bulk with numpy, identical to
  ``datasketch.MinHash.update_batch`` on those hashes). A ``datasketch.MinHashLSH``
  index built at threshold - 0.1 proposes candidate pairs (LSH at the threshold itself
  misses many pairs just above it: recall on planted edited copies rose from 0.918 to
  0.984 at the same time); each is then kept only if the exact
  Jaccard similarity |S_a & S_b| / |S_a | S_b| of the two shingle sets is >= threshold,
  so LSH's false positives are removed and the score is exact. Time about O(total words x
  num_perm) for the signatures plus O(candidates x shingles) for the check; no embedding.
- ``embedding``: the workspace's cosine kNN graph (K = 32 neighbours per row): a pair is
  an edge with cosine >= threshold. A row with more than K - 1 near-copies loses the
  extra edges, but the groups below still join them through their neighbours.
- ``both``: the union of the two sets of pairs (the score kept is the larger).

Groups are the connected components of the pair graph (so a group may chain rows that are
not all pairwise similar). Each group keeps one row: the highest quality, then the lowest
row index (first seen). The other rows of the group are the ones a drop removes.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
import scipy.sparse as sp
from scipy.sparse.csgraph import connected_components

from core.errors import InputError

METHODS = ("minhash", "embedding", "both")
DEFAULT_THRESHOLDS = {"minhash": 0.8, "embedding": 0.95, "both": 0.8}
_WORD_RE = re.compile(r"\w+", re.UNICODE)
_MAX_HASH = np.uint64((1 << 32) - 1)
LSH_MARGIN = 0.1
_MIX = np.uint64(0x100000001B3)  # FNV-1a 64-bit prime: an order-sensitive combine


@dataclass
class NearDuplicates:
    """pairs (m, 2) int64 with a < b, sorted; scores (m,) float; groups: row lists (each
    sorted, the list sorted by first row); kept (g,) the kept row of each group."""

    method: str
    threshold: float
    pairs: np.ndarray
    scores: np.ndarray
    groups: list[list[int]]
    kept: list[int]

    def dropped(self) -> np.ndarray:
        """Rows a drop removes: every grouped row except its group's kept row (sorted)."""
        keep = set(self.kept)
        return np.array(sorted(r for g in self.groups for r in g if r not in keep),
                        dtype=np.int64)

    def to_dict(self) -> dict:
        return {"method": self.method, "threshold": self.threshold,
                "pairs": self.pairs.tolist(), "scores": [round(float(s), 4)
                                                         for s in self.scores],
                "groups": self.groups, "kept": self.kept, "n_pairs": int(len(self.pairs)),
                "n_groups": len(self.groups), "n_dropped": int(len(self.dropped()))}


def check_method(method: str, threshold: float | None) -> float:
    """The threshold to use (the method's default when None); InputError when bad."""
    if method not in METHODS:
        raise InputError(f"unknown method {method!r}; expected one of {', '.join(METHODS)}",
                         field="method")
    value = DEFAULT_THRESHOLDS[method] if threshold is None else float(threshold)
    if not 0.0 < value <= 1.0:
        raise InputError(f"threshold must be in (0, 1], got {threshold}", field="threshold")
    return value


def row_words(texts: Sequence[str]) -> list[list[str]]:
    """Lower-cased ``\\w+`` words of each text (the normalisation MinHash sees)."""
    return [_WORD_RE.findall(t.lower()) if t else [] for t in texts]


def shingle_hashes(words: list[list[str]], shingle_size: int = 3
                   ) -> tuple[np.ndarray, np.ndarray]:
    """32-bit hashes of every row's word shingles as (flat uint64 hashes, offsets (n+1,)).

    Row i's hashes are ``flat[offsets[i]:offsets[i+1]]`` (duplicates possible); a row with
    fewer words than ``shingle_size`` has one shingle of all its words, an empty row none.
    """
    if shingle_size < 1:
        raise InputError(f"shingle size must be >= 1, got {shingle_size}", field="shingle_size")
    lengths = np.fromiter(map(len, words), dtype=np.int64, count=len(words))
    flat_words = [w for row in words for w in row]
    codes, uniques = pd.factorize(pd.Series(flat_words, dtype=object)) if flat_words else \
        (np.zeros(0, dtype=np.int64), [])
    word_hash = np.fromiter((int.from_bytes(hashlib.blake2b(w.encode(), digest_size=8).digest(),
                                            "little") for w in uniques),
                            dtype=np.uint64, count=len(uniques))
    wh = word_hash[codes] if len(codes) else np.zeros(0, dtype=np.uint64)
    starts = np.concatenate([[0], np.cumsum(lengths)[:-1]]) if len(lengths) else lengths
    span = np.minimum(lengths, shingle_size)  # words per shingle of each row
    n_shingles = np.where(lengths == 0, 0, np.maximum(lengths - shingle_size + 1, 1))
    offsets = np.concatenate([[0], np.cumsum(n_shingles)]).astype(np.int64)
    # Start position (into the flat words) of every shingle, and its row's span.
    row_of = np.repeat(np.arange(len(words)), n_shingles)
    pos = starts[row_of] + (np.arange(offsets[-1]) - offsets[row_of])
    width = span[row_of]
    h = np.zeros(len(pos), dtype=np.uint64)
    with np.errstate(over="ignore"):
        for j in range(shingle_size):
            use = width > j
            h[use] = (h[use] * _MIX) ^ wh[pos[use] + j]
        h = (h ^ (h >> np.uint64(32))) & _MAX_HASH
    return h, offsets


def _fmix32(hv: np.ndarray) -> np.ndarray:
    """MurmurHash3's 32-bit finalizer (the bijection datasketch's affine32 scheme pre-mixes
    its inputs with)."""
    hv = hv ^ (hv >> np.uint32(16))
    hv = hv * np.uint32(0x85EBCA6B)
    hv = hv ^ (hv >> np.uint32(13))
    hv = hv * np.uint32(0xC2B2AE35)
    return hv ^ (hv >> np.uint32(16))


def minhash_signatures(hashes: np.ndarray, offsets: np.ndarray, num_perm: int = 128,
                       seed: int = 1) -> np.ndarray:
    """(n, num_perm) uint32 MinHash signatures in datasketch's ``affine32`` scheme:
    sig[i, k] = min over row i's shingle hashes h of a_k * fmix32(h) + b_k (mod 2^32), with
    datasketch's (a, b) for ``seed``; a row with no shingle gets all 2^32 - 1 (empty)."""
    from datasketch import MinHash

    a, b = MinHash(num_perm=num_perm, seed=seed, scheme="affine32").permutations
    a, b = a.astype(np.uint32)[:, None], b.astype(np.uint32)[:, None]
    n = len(offsets) - 1
    sig = np.full((n, num_perm), np.uint32(0xFFFFFFFF), dtype=np.uint32)
    counts = np.diff(offsets)
    nonempty = np.flatnonzero(counts)
    mixed = _fmix32(hashes.astype(np.uint32))
    # Rows in chunks of about 256k shingles: (num_perm x shingles) uint32 stays ~128 MB.
    chunk_of = (np.cumsum(counts[nonempty]) - 1) // 262_144
    for chunk in np.split(nonempty, np.flatnonzero(np.diff(chunk_of)) + 1):
        if not len(chunk):
            continue
        lo, hi = offsets[chunk[0]], offsets[chunk[-1] + 1]
        with np.errstate(over="ignore"):
            phv = a * mixed[None, lo:hi] + b
        sig[chunk] = np.minimum.reduceat(phv, offsets[chunk] - lo, axis=1).T
    return sig


def unique_shingles(hashes: np.ndarray, offsets: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each row's distinct shingle hashes, sorted, as (flat values, offsets (n+1,))."""
    n = len(offsets) - 1
    rows = np.repeat(np.arange(n, dtype=np.uint64), np.diff(offsets))
    keys = np.sort((rows << np.uint64(32)) | hashes.astype(np.uint64))
    if len(keys):  # a sort + neighbour test: np.unique's hash path is far slower here
        keys = keys[np.concatenate([[True], keys[1:] != keys[:-1]])]
    key_rows = (keys >> np.uint64(32)).astype(np.int64)
    return keys & _MAX_HASH, np.searchsorted(key_rows, np.arange(n + 1)).astype(np.int64)


def minhash_pairs(texts: Sequence[str], threshold: float, *, shingle_size: int = 3,
                  num_perm: int = 128, seed: int = 1, lsh_threshold: float | None = None
                  ) -> tuple[np.ndarray, np.ndarray]:
    """Pairs (m, 2) with exact shingle Jaccard >= ``threshold`` and their Jaccard (m,),
    found through datasketch MinHashLSH built at ``lsh_threshold`` (default threshold -
    0.1; see the module docstring)."""
    from datasketch import LeanMinHash, MinHashLSH

    hashes, offsets = shingle_hashes(row_words(texts), shingle_size)
    sig = minhash_signatures(hashes, offsets, num_perm, seed)
    values, starts = unique_shingles(hashes, offsets)
    if lsh_threshold is None:  # below the threshold: pairs just above it are rarely missed
        lsh_threshold = max(threshold - LSH_MARGIN, threshold / 2)
    lsh = MinHashLSH(threshold=lsh_threshold, num_perm=num_perm)
    sketches = {}
    with lsh.insertion_session() as session:
        for i in np.flatnonzero(np.diff(offsets)).tolist():
            sketches[i] = LeanMinHash(seed=seed, hashvalues=sig[i], scheme="affine32")
            session.insert(i, sketches[i])
    pairs, scores = [], []
    for i, sketch in sketches.items():
        a = values[starts[i]:starts[i + 1]]
        for j in lsh.query(sketch):
            if j <= i:
                continue
            b = values[starts[j]:starts[j + 1]]
            inter = len(np.intersect1d(a, b, assume_unique=True))
            jac = inter / (len(a) + len(b) - inter)
            if jac >= threshold:
                pairs.append((i, j))
                scores.append(jac)
    return _sorted_pairs(np.array(pairs, dtype=np.int64).reshape(-1, 2),
                         np.array(scores, dtype=np.float64))


def embedding_pairs(indices: np.ndarray, sims: np.ndarray, threshold: float
                    ) -> tuple[np.ndarray, np.ndarray]:
    """Pairs of a kNN graph (indices/sims (n, K), the row itself in column 0) whose cosine
    is >= ``threshold``, each once as (a < b) with its cosine."""
    n, k = indices.shape
    rows = np.repeat(np.arange(n, dtype=np.int64), k - 1)
    cols = indices[:, 1:].astype(np.int64).ravel()
    vals = sims[:, 1:].astype(np.float64).ravel()
    keep = (vals >= threshold) & (cols != rows) & (cols >= 0)
    a, b = np.minimum(rows, cols)[keep], np.maximum(rows, cols)[keep]
    return _sorted_pairs(np.stack([a, b], axis=1), vals[keep])


def union_pairs(*parts: tuple[np.ndarray, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """The union of several (pairs, scores), keeping each pair's largest score."""
    pairs = np.concatenate([p for p, _ in parts]).reshape(-1, 2)
    scores = np.concatenate([s for _, s in parts])
    return _sorted_pairs(pairs, scores)


def _sorted_pairs(pairs: np.ndarray, scores: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Unique pairs sorted by (a, b), each with its largest score."""
    if not len(pairs):
        return np.zeros((0, 2), dtype=np.int64), np.zeros(0, dtype=np.float64)
    order = np.lexsort((-scores, pairs[:, 1], pairs[:, 0]))
    pairs, scores = pairs[order], scores[order]
    first = np.ones(len(pairs), dtype=bool)
    first[1:] = np.any(pairs[1:] != pairs[:-1], axis=1)
    return pairs[first], scores[first]


def group_pairs(n: int, pairs: np.ndarray, scores: np.ndarray, quality: np.ndarray | None,
                method: str, threshold: float) -> NearDuplicates:
    """Connected components of the pair graph on ``n`` rows, each with its kept row
    (highest ``quality``, then lowest index; lowest index alone when quality is None)."""
    if not len(pairs):
        return NearDuplicates(method, threshold, pairs, scores, [], [])
    graph = sp.coo_matrix((np.ones(len(pairs)), (pairs[:, 0], pairs[:, 1])), shape=(n, n))
    _, labels = connected_components(graph, directed=False)
    members = np.unique(pairs)
    q = np.zeros(n) if quality is None else np.asarray(quality, dtype=np.float64)
    order = np.lexsort((members, -q[members], labels[members]))  # by group, best first
    ordered = members[order]
    cuts = np.flatnonzero(np.diff(labels[ordered])) + 1
    groups, kept = [], []
    for part in np.split(ordered, cuts):
        groups.append(sorted(int(r) for r in part))
        kept.append(int(part[0]))
    order_g = np.argsort([g[0] for g in groups], kind="stable")
    return NearDuplicates(method, threshold, pairs, scores, [groups[i] for i in order_g],
                          [kept[i] for i in order_g])
