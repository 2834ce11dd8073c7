"""The canonical pool table and its content-derived ids."""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from core.text import prompt_text

CANONICAL_COLUMNS = ["id", "instruction", "input", "response", "conversation", "source",
                     "source_row"]
LONG_FIELD_CHARS = 100_000


def normalise_text(text: str) -> str:
    """NFC, whitespace runs folded to one space, ends stripped: the form ids are hashed over."""
    return " ".join(unicodedata.normalize("NFC", text or "").split())


def conversation_turns(instruction: str, input_text: str, response: str,
                       conversation: list[dict[str, str]] | None) -> list[dict[str, str]]:
    """The full conversation of a record: its stored turns, or the single user/assistant pair."""
    if conversation:
        return conversation
    return [{"role": "user", "content": prompt_text(instruction, input_text)},
            {"role": "assistant", "content": response}]


def record_id(instruction: str, input_text: str, response: str,
              conversation: list[dict[str, str]] | None = None) -> str:
    """Stable 16-hex id: sha256 of the normalised conversation.

    Hashing the conversation (not the file's field names) gives one example the same id in
    every format: an Alpaca record, its ShareGPT export and its OpenAI export agree.
    """
    turns = conversation_turns(instruction, input_text, response, conversation)
    canon = [[t["role"], normalise_text(t["content"])] for t in turns]
    blob = json.dumps(canon, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return hashlib.sha256(blob).hexdigest()[:16]


def build_frame(rows: list[dict[str, Any]], extra_order: Sequence[str]) -> pd.DataFrame:
    """DataFrame with the canonical columns first, then extras in first-seen order.

    Extra values that are lists or dicts become JSON text; a column whose values mix types
    becomes text, so every column has one Parquet type.
    """
    frame = pd.DataFrame.from_records(rows, columns=CANONICAL_COLUMNS + list(extra_order))
    for col in extra_order:
        frame[col] = _uniform_column(frame[col])
    frame["source_row"] = frame["source_row"].astype(np.int64)
    return frame


_INT_TEXT = re.compile(r"[+-]?(0|[1-9][0-9]*)")
_FLOAT_TEXT = re.compile(r"[+-]?([0-9]+\.[0-9]*|\.[0-9]+|[0-9]+)([eE][+-]?[0-9]+)?")
INT64_MAX = 2**63 - 1


def type_text_columns(frame: pd.DataFrame, columns: Sequence[str]) -> pd.DataFrame:
    """Give CSV extra columns whose every non-empty cell is a number a numeric type.

    Whole columns only (a score column becomes a quality signal); a column with any
    non-number, or with codes such as "007", stays text. Empty cells become missing.
    """
    for col in columns:
        text = frame[col].astype("string").str.strip()
        present = text[text.notna() & (text != "")]
        if present.empty:
            continue
        if present.str.fullmatch(_INT_TEXT.pattern).all():
            ints = [int(v) for v in present]
            if max(abs(v) for v in ints) <= INT64_MAX:
                frame[col] = pd.to_numeric(text.where(text != ""), errors="coerce").astype(
                    "Int64")
            continue
        if present.str.fullmatch(_FLOAT_TEXT.pattern).all() and not present.str.fullmatch(
                r"[+-]?0[0-9]+").any():
            frame[col] = pd.to_numeric(text.where(text != ""), errors="coerce").astype("Float64")
    return frame


def _uniform_column(values: pd.Series) -> pd.Series:
    def encode(v: Any) -> Any:
        if isinstance(v, (list, dict)):
            return json.dumps(v, ensure_ascii=False, sort_keys=True)
        if isinstance(v, np.ndarray):
            return json.dumps(v.tolist(), ensure_ascii=False)
        return v

    values = values.map(encode)
    kinds = {_kind(v) for v in values if v is not None and not _isnan(v)}
    if kinds == {"bool"}:
        return values.astype("boolean")
    if kinds <= {"int"} and kinds and all(abs(int(v)) <= INT64_MAX for v in values
                                          if v is not None and not _isnan(v)):
        return values.astype("Int64")
    if kinds <= {"int", "float"} and kinds and all(
            abs(v) <= INT64_MAX for v in values if isinstance(v, (int, np.integer))):
        return values.astype("Float64")
    if kinds <= {"str"}:
        return values.astype("string")
    return values.map(lambda v: None if v is None or _isnan(v) else str(v)).astype("string")


def _kind(v: Any) -> str:
    if isinstance(v, (bool, np.bool_)):
        return "bool"
    if isinstance(v, (int, np.integer)):
        return "int"
    if isinstance(v, (float, np.floating)):
        return "float"
    if isinstance(v, str):
        return "str"
    return "other"


def _isnan(v: Any) -> bool:
    return isinstance(v, float) and v != v


def frame_key(frame: pd.DataFrame) -> str:
    """Content hash of the whole table (row order included)."""
    h = pd.util.hash_pandas_object(frame.astype(object).where(frame.notna(), None), index=True)
    digest = hashlib.sha256(h.to_numpy().tobytes())
    digest.update(json.dumps(list(map(str, frame.columns))).encode())
    return digest.hexdigest()[:16]
