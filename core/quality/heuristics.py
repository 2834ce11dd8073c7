"""Text heuristics that catch broken instruction-response pairs (the default quality score).

Per row (word tokens from core.text.word_tokens, lower-cased):

- empty: the response is blank -> score 0, whatever else holds;
- too_short: fewer than ``short_words`` (3) word tokens;
- truncated: at least ``truncation_min_words`` (20) words, the response stops on a letter
  or on one of , ; : - ( (no closing punctuation, code fence or number), and its last line
  reads like a cut-off sentence: not a list item ("- x", "3. x"), at least 10 words, and
  not ending on a #hashtag or @mention (social-media posts);
- repetition: 1 - distinct/total word 3-grams (0 when there are fewer than 10 3-grams);
  only the excess over ``repetition_floor`` (0.2: prose stays below, tables and code
  often reach it) counts;
- refusal: one of REFUSAL_PHRASES in the first 120 characters (later, they are mostly
  dialogue in a story);
- copied_instruction: the instruction (at least 8 words) appears verbatim in the response,
  or at least 90% of the response's 3-grams (with at least 5 of them) come from the
  instruction (a response that restates the question and then answers stays below).

    score = 1 - 0.2 too_short - 0.3 truncated - 0.5 refusal - 0.4 copied_instruction
              - 0.5 * max(0, repetition - floor) / (1 - floor),   clipped to [0, 1]

The heuristic filters garbage rather than ranking good rows: clean rows tie at 1, and the
selection objective (diversity) decides between them. Cost: one regex pass per row,
about 3 s per 50,000 rows; run_selection caches the scores in the workspace.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from core.quality.scorers import require_column
from core.text import ngrams, word_tokens

REFUSAL_PHRASES = (
    "as an ai language model", "as an ai model", "as a language model", "as an ai assistant",
    "i'm sorry, but i", "i am sorry, but i", "i apologize, but",
    "i cannot provide", "i can't provide", "i cannot fulfill", "i can't fulfill",
    "i cannot help with", "i can't help with", "i'm unable to", "i am unable to",
    "i'm not able to", "i am not able to", "i do not have the ability",
    "i don't have the ability", "i do not have access", "i don't have access",
    "i cannot answer", "i can't answer",
)
_REFUSAL_RE = re.compile("|".join(re.escape(p) for p in REFUSAL_PHRASES))
_OPEN_END_RE = re.compile(r"[^\W\d_]$|[,;:(\-]$", re.UNICODE)
_LIST_ITEM_RE = re.compile(r"^\s*(?:[-*\u2022]|\d+[.)]|[a-zA-Z][.)])\s")
FLAG_WEIGHTS = {"too_short": 0.2, "truncated": 0.3, "refusal": 0.5, "copied_instruction": 0.4}
REPETITION_WEIGHT = 0.5


def heuristic_flags(instructions: list[str], responses: list[str], *, short_words: int = 3,
                    truncation_min_words: int = 20) -> pd.DataFrame:
    """One row per pair: empty, too_short, truncated, refusal, copied_instruction (bool)
    and repetition (float in [0, 1)); see the module docstring for the rules."""
    rows = [_flags_of(i or "", r or "", short_words, truncation_min_words)
            for i, r in zip(instructions, responses, strict=True)]
    cols = ["empty", "too_short", "truncated", "refusal", "copied_instruction", "repetition"]
    return pd.DataFrame(rows, columns=cols)


def heuristic_scores(flags: pd.DataFrame, repetition_floor: float = 0.2) -> np.ndarray:
    """The combined score in [0, 1] from :func:`heuristic_flags` output."""
    score = np.ones(len(flags), dtype=np.float64)
    for name, weight in FLAG_WEIGHTS.items():
        score -= weight * flags[name].to_numpy(dtype=np.float64)
    excess = np.maximum(flags["repetition"].to_numpy(dtype=np.float64) - repetition_floor, 0.0)
    score -= REPETITION_WEIGHT * excess / (1.0 - repetition_floor)
    score[flags["empty"].to_numpy(dtype=bool)] = 0.0
    return np.clip(score, 0.0, 1.0)


class HeuristicScorer:
    """Penalty-based text heuristics on (instruction, response)."""

    spec = "heuristic"

    def __init__(self, repetition_floor: float = 0.2) -> None:
        self.repetition_floor = repetition_floor

    def columns(self) -> list[str]:
        return ["instruction", "response"]

    def score(self, frame: pd.DataFrame) -> np.ndarray:
        instructions = require_column(frame, "instruction").fillna("").astype(str).tolist()
        responses = require_column(frame, "response").fillna("").astype(str).tolist()
        return heuristic_scores(heuristic_flags(instructions, responses), self.repetition_floor)


def _flags_of(instruction: str, response: str, short_words: int,
              truncation_min_words: int) -> tuple:
    text = response.strip()
    if not text:
        return True, False, False, False, False, 0.0
    words = word_tokens(text)
    too_short = len(words) < short_words
    last_line = text.rsplit("\n", 1)[-1]
    truncated = (len(words) >= truncation_min_words and bool(_OPEN_END_RE.search(text))
                 and not _LIST_ITEM_RE.match(last_line) and len(word_tokens(last_line)) >= 10
                 and not text.split()[-1].startswith(("#", "@")))
    refusal = bool(_REFUSAL_RE.search(text[:120].lower().replace("\u2019", "'")))
    tri = list(ngrams(words, 3))
    repetition = 1.0 - len(set(tri)) / len(tri) if len(tri) >= 10 else 0.0
    return False, too_short, truncated, refusal, _copied(instruction, text, tri), repetition


def _copied(instruction: str, response: str, response_trigrams: list[tuple]) -> bool:
    ins_words = word_tokens(instruction)
    if len(ins_words) >= 8 and " ".join(ins_words) in " ".join(word_tokens(response)):
        return True
    if len(response_trigrams) < 5 or len(ins_words) < 3:
        return False
    ins_tri = set(ngrams(ins_words, 3))
    shared = sum(1 for t in response_trigrams if t in ins_tri)
    return shared / len(response_trigrams) >= 0.9
