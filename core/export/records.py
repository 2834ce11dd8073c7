"""Canonical pool rows -> the records of each export format.

Every format is chosen so that ``core.pool.load_pool`` reads it back to the same ids and
text (ids hash the normalised conversation, see ``core.pool.record_id``):

- Alpaca keeps ``instruction`` and ``input`` apart; a multi-turn record is written with
  LLaMA-Factory's ``system`` and ``history`` fields (earlier rounds as [instruction,
  response] pairs), which the loader reads back into the same turns.
- ShareGPT / OpenAI write the whole conversation; a single-turn record becomes
  [user: prompt_text(instruction, input), assistant: response], the very turns its id hashes.
- The table formats (jsonl, parquet, csv, hf) are Alpaca-shaped with the canonical names
  (``response``), led by ``id`` and followed by ``source``.

Extra columns of the pool (Dolly's ``category``, a score) are kept; one whose name a format
or the loader's shape detection would read as a field (``output``, ``messages``...) is
written as ``extra_<name>`` so it cannot change how the file is read back.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from typing import Any

import numpy as np
import pandas as pd

from core.errors import InputError
from core.pool import CANONICAL_COLUMNS, conversation_turns
from core.text import prompt_text

# Keys a format writes or the loader's shape detection reads.
RESERVED_KEYS = frozenset({
    "id", "source", "instruction", "input", "output", "response", "context", "system",
    "history", "conversations", "conversation", "messages", "prompt", "completion",
    "question", "answer"})
SHAREGPT_ROLE = {"user": "human", "assistant": "gpt", "system": "system",
                 "tool": "observation"}


def extra_columns(frame: pd.DataFrame) -> list[str]:
    """The pool's extra columns (everything that is not a canonical column), in order."""
    return [str(c) for c in frame.columns if c not in CANONICAL_COLUMNS]


def extra_key_names(extras: list[str]) -> dict[str, str]:
    """Pool column -> key in the exported record (``extra_`` prefix on reserved names)."""
    taken = set(extras) | RESERVED_KEYS
    names = {}
    for col in extras:
        key = col
        while key in RESERVED_KEYS or (key != col and key in taken):
            key = f"extra_{key}"
        taken.add(key)
        names[col] = key
    return names


def json_value(value: Any) -> Any:
    """A pandas/numpy cell as a plain JSON value (missing -> None)."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, np.ndarray):
        return value.tolist()
    return value


def row_turns(row: dict[str, Any]) -> list[dict[str, str]]:
    """The whole conversation of one canonical row (see ``core.pool.conversation_turns``)."""
    stored = row.get("conversation")
    turns = json.loads(stored) if isinstance(stored, str) and stored else None
    return conversation_turns(row["instruction"] or "", row["input"] or "",
                              row["response"] or "", turns)


def alpaca_rounds(row: dict[str, Any]) -> dict[str, Any] | None:
    """instruction / input / response / system / history of a row, or None if its turns do
    not fit that shape (a tool turn, two user turns in a row, a system turn that is empty or
    not first, a last turn that is not the assistant's)."""
    stored = row.get("conversation")
    if not (isinstance(stored, str) and stored):
        return {"instruction": row["instruction"] or "", "input": row["input"] or "",
                "response": row["response"] or "", "system": "", "history": []}
    turns = json.loads(stored)
    system = ""
    if turns and turns[0]["role"] == "system":
        system = turns[0]["content"]
        turns = turns[1:]
        if not system:
            return None
    roles = [t["role"] for t in turns]
    if not turns or len(turns) % 2 or roles != ["user", "assistant"] * (len(turns) // 2):
        return None
    pairs = [[turns[i]["content"], turns[i + 1]["content"]] for i in range(0, len(turns), 2)]
    last_prompt, last_response = pairs.pop()
    instruction, input_text = last_prompt, ""
    if not pairs and prompt_text(row["instruction"], row["input"]) == last_prompt:
        # one round under a system prompt: keep the row's own instruction / input split
        instruction, input_text = row["instruction"] or "", row["input"] or ""
    return {"instruction": instruction, "input": input_text, "response": last_response,
            "system": system, "history": pairs}


def _rows(frame: pd.DataFrame) -> Iterator[dict[str, Any]]:
    columns = list(frame.columns)
    for values in frame.itertuples(index=False, name=None):
        yield dict(zip(columns, values, strict=True))


def _extras(row: dict[str, Any], names: dict[str, str]) -> dict[str, Any]:
    return {key: json_value(row[col]) for col, key in names.items()}


def alpaca_records(frame: pd.DataFrame, *, response_key: str = "output",
                   table: bool = False, include_extras: bool = True) -> list[dict[str, Any]]:
    """Alpaca records; ``system`` and ``history`` on every record when any row is multi-turn.

    table=True: the table formats' layout (``id`` first, ``source`` last).
    InputError when a conversation does not fit the Alpaca shape (see :func:`alpaca_rounds`).
    """
    names = extra_key_names(extra_columns(frame)) if include_extras else {}
    rounds = []
    for row in _rows(frame):
        parts = alpaca_rounds(row)
        if parts is None:
            raise InputError(f"row {row['id']} is a conversation the Alpaca shape cannot hold "
                             "(roles must be an optional non-empty system turn, then user/"
                             "assistant pairs); export it as sharegpt or openai", field="format")
        rounds.append((row, parts))
    multi = any(p["system"] or p["history"] for _, p in rounds)
    out = []
    for row, parts in rounds:
        rec: dict[str, Any] = {"id": row["id"]} if table else {}
        rec.update({"instruction": parts["instruction"], "input": parts["input"],
                    response_key: parts["response"]})
        if multi:
            rec.update(system=parts["system"], history=parts["history"])
        rec.update(_extras(row, names))
        if table:
            rec["source"] = row["source"]
        out.append(rec)
    return out


def sharegpt_records(frame: pd.DataFrame, *, include_extras: bool = True
                     ) -> list[dict[str, Any]]:
    """ShareGPT records: ``conversations`` of {from, value}; human/gpt/system/observation
    for user/assistant/system/tool, any other role written as it is."""
    names = extra_key_names(extra_columns(frame)) if include_extras else {}
    return [{"conversations": [{"from": SHAREGPT_ROLE.get(t["role"], t["role"]),
                                "value": t["content"]} for t in row_turns(row)],
             **_extras(row, names)} for row in _rows(frame)]


def openai_records(frame: pd.DataFrame, *, include_extras: bool = True
                   ) -> list[dict[str, Any]]:
    """OpenAI chat records: ``messages`` of {role, content}."""
    names = extra_key_names(extra_columns(frame)) if include_extras else {}
    return [{"messages": [{"role": t["role"], "content": t["content"]}
                          for t in row_turns(row)], **_extras(row, names)}
            for row in _rows(frame)]
