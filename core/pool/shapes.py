"""Record shapes: detect which one a file uses and map each record to canonical fields.

Canonical fields: instruction, input, response, and for chats the whole conversation as a
list of {"role", "content"} turns (first user turn = instruction, last assistant turn =
response). Every key a shape does not consume is kept as an extra column.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from core.errors import InputError

SHAPES = ("alpaca", "sharegpt", "openai", "prompt_completion", "question_answer", "mapped")

_SHAREGPT_ROLES = {"human": "user", "user": "user", "gpt": "assistant", "assistant": "assistant",
                   "chatgpt": "assistant", "bing": "assistant", "bard": "assistant",
                   "model": "assistant", "system": "system", "tool": "tool",
                   "function_call": "function_call", "observation": "tool"}
# Turns a model writes: a chat needs one, and the last is the record's response. A
# function_call turn keeps its role (LLaMA-Factory's ShareGPT tag), so an exported chat reads
# human / function_call / observation / gpt as it was loaded.
_MODEL_ROLES = ("assistant", "function_call")
_EOS_MARKERS = ("<|endoftext|>", "</s>", "<|eot_id|>", "<|im_end|>")


@dataclass(frozen=True)
class ColumnMapping:
    """Explicit column names for records no known shape fits (``--instruction-col`` ...)."""

    instruction: str
    response: str
    input: str | None = None
    system: str | None = None

    def as_dict(self) -> dict[str, str | None]:
        return {"instruction": self.instruction, "input": self.input,
                "response": self.response, "system": self.system}


@dataclass(frozen=True)
class Canonical:
    instruction: str
    input: str
    response: str
    conversation: list[dict[str, str]] | None
    extras: dict[str, Any]


EXPECTED = ("instruction+output or instruction+response (Alpaca; Dolly's context/category too), "
            "conversations (ShareGPT), messages (OpenAI), prompt+completion, or question+answer")


def _alpaca_keys(keys: set[str]) -> bool:
    return "instruction" in keys and bool(keys & {"output", "response"})


_DETECTORS = [
    ("sharegpt", lambda k: bool(k & {"conversations", "conversation"})),
    ("openai", lambda k: "messages" in k),
    ("alpaca", _alpaca_keys),
    ("prompt_completion", lambda k: {"prompt", "completion"} <= k),
    ("question_answer", lambda k: {"question", "answer"} <= k),
]


def detect_shape(records: Iterable[dict[str, Any]], source: str, sample: int = 500) -> str:
    """The shape that most of the first ``sample`` records fit; InputError if none fits."""
    votes: Counter[str] = Counter()
    seen: dict[str, None] = {}  # first-seen order, so the message is the same every run
    for i, rec in enumerate(records):
        if i >= sample:
            break
        keys = set(rec)
        seen.update(dict.fromkeys(rec))
        for name, fits in _DETECTORS:
            if fits(keys):
                votes[name] += 1
                break
    if not votes:
        found = ", ".join(list(seen)[:12]) or "none"
        raise InputError(f"no known record shape: found fields [{found}]; expected {EXPECTED}, "
                         "or map columns with --instruction-col and --response-col", file=source)
    return votes.most_common(1)[0][0]


def to_canonical(rec: dict[str, Any], shape: str, mapping: ColumnMapping | None = None
                 ) -> Canonical:
    """Map one record; raises ``ValueError`` with the problem (the caller adds file and line)."""
    if shape == "alpaca":
        if "output" not in rec and "response" not in rec:
            _require(rec, ["instruction", "output (or response)"], "Alpaca")
        response_key = "output" if "output" in rec else "response"
        input_key = "input" if "input" in rec else ("context" if "context" in rec else None)
        _require(rec, ["instruction", response_key], "Alpaca")
        used = {"instruction", response_key, input_key, "history", "system"}
        inst = _text(rec["instruction"])
        inp = _text(rec.get(input_key)) if input_key else ""
        resp = _text(rec[response_key])
        conv = _alpaca_conversation(rec, inst, inp, resp)
        if conv is not None and sum(t["role"] == "user" for t in conv) > 1:
            # As for chats: a multi-round record's instruction is its first user turn.
            inst, inp = next(t["content"] for t in conv if t["role"] == "user"), ""
        return Canonical(inst, inp, resp, conv, _extras(rec, used))
    if shape in ("sharegpt", "openai"):
        return _chat(rec, shape)
    if shape == "prompt_completion":
        _require(rec, ["prompt", "completion"], "prompt/completion")
        return Canonical(_text(rec["prompt"]).rstrip(), "", _strip_eos(_text(rec["completion"])),
                         None, _extras(rec, {"prompt", "completion"}))
    if shape == "question_answer":
        _require(rec, ["question", "answer"], "question/answer")
        return Canonical(_text(rec["question"]), "", _text(rec["answer"]), None,
                         _extras(rec, {"question", "answer"}))
    if shape == "mapped":
        assert mapping is not None
        need = [c for c in (mapping.instruction, mapping.response) if c]
        _require(rec, need, "the column mapping")
        system = _text(rec.get(mapping.system)) if mapping.system else ""
        inst = _text(rec[mapping.instruction])
        inp = _text(rec.get(mapping.input)) if mapping.input else ""
        resp = _text(rec[mapping.response])
        conv = None
        if system:
            from core.text import prompt_text

            conv = [{"role": "system", "content": system},
                    {"role": "user", "content": prompt_text(inst, inp)},
                    {"role": "assistant", "content": resp}]
        used = {mapping.instruction, mapping.input, mapping.response, mapping.system}
        return Canonical(inst, inp, resp, conv, _extras(rec, used))
    raise ValueError(f"unknown shape {shape!r}; expected one of {', '.join(SHAPES)}")


def _alpaca_conversation(rec: dict[str, Any], inst: str, inp: str, resp: str
                         ) -> list[dict[str, str]] | None:
    """The turns of an Alpaca record with LLaMA-Factory's ``system`` and ``history`` fields.

    history: earlier rounds as [instruction, response] pairs (a list, or JSON text of one, as
    in a CSV cell); system: the system prompt. None when both are empty (a plain Alpaca row).
    """
    history = rec.get("history")
    if isinstance(history, str):
        try:
            history = json.loads(history) if history.strip() else None
        except json.JSONDecodeError:
            raise ValueError("field 'history' is text that is not JSON; expected a list of "
                             "[instruction, response] pairs") from None
    system = _text(rec.get("system"))
    if not history and not system:
        return None
    if history is not None and not isinstance(history, (list, tuple)):
        raise ValueError(f"field 'history' is {_kind(history)}; expected a list of "
                         "[instruction, response] pairs")
    turns = [{"role": "system", "content": system}] if system else []
    for i, pair in enumerate(history or (), start=1):
        if not isinstance(pair, (list, tuple)) or len(pair) != 2:
            raise ValueError(f"item {i} of field 'history' is {_kind(pair)}; expected an "
                             "[instruction, response] pair")
        turns += [{"role": "user", "content": _text(pair[0])},
                  {"role": "assistant", "content": _text(pair[1])}]
    from core.text import prompt_text

    return turns + [{"role": "user", "content": prompt_text(inst, inp)},
                    {"role": "assistant", "content": resp}]


def _chat(rec: dict[str, Any], shape: str) -> Canonical:
    key = "messages" if shape == "openai" else ("conversations" if "conversations" in rec
                                                 else "conversation")
    label = "OpenAI messages" if shape == "openai" else "ShareGPT"
    _require(rec, [key], label)
    turns_raw = rec[key]
    if isinstance(turns_raw, str):
        try:
            turns_raw = json.loads(turns_raw)
        except json.JSONDecodeError:
            raise ValueError(f"field '{key}' is text that is not JSON; expected a list of turns"
                             ) from None
    if not isinstance(turns_raw, list) or not turns_raw:
        raise ValueError(f"field '{key}' is {_kind(turns_raw)}; expected a non-empty list of turns")
    turns = []
    for t, turn in enumerate(turns_raw, start=1):
        if not isinstance(turn, dict):
            raise ValueError(f"turn {t} of '{key}' is {_kind(turn)}; expected an object")
        if shape == "openai":
            role_key, text_key = "role", "content"
        else:
            role_key = "from" if "from" in turn else "role"
            text_key = "value" if "value" in turn else "content"
        if role_key not in turn or text_key not in turn:
            raise ValueError(f"turn {t} of '{key}' has fields {sorted(turn)}; expected "
                             f"{role_key} and {text_key}")
        role = str(turn[role_key]).strip().lower()
        role = _SHAREGPT_ROLES.get(role, role)
        turns.append({"role": role, "content": _content_text(turn[text_key])})
    users = [t for t in turns if t["role"] == "user"]
    bots = [t for t in turns if t["role"] in _MODEL_ROLES]
    if not users or not bots:
        roles = sorted({t["role"] for t in turns})
        raise ValueError(f"'{key}' has roles {roles}; expected at least one user and one "
                         "assistant turn")
    instruction, response = users[0]["content"], bots[-1]["content"]
    single = len(turns) == 2 and turns[0]["role"] == "user" and turns[1]["role"] == "assistant"
    return Canonical(instruction, "", response, None if single else turns, _extras(rec, {key}))


def _content_text(content: Any) -> str:
    """OpenAI content may be a list of parts: keep the text parts."""
    if isinstance(content, list):
        parts = [p.get("text", "") if isinstance(p, dict) else str(p) for p in content]
        return "\n".join(p for p in parts if p)
    return _text(content)


def _require(rec: dict[str, Any], keys: list[str], shape_label: str) -> None:
    missing = [k for k in keys if k not in rec]
    if missing:
        raise ValueError(f"record has fields [{', '.join(sorted(map(str, rec)))}] but lacks "
                         f"[{', '.join(missing)}] needed for {shape_label}")


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, float) and value != value:  # NaN from pandas
        return ""
    if isinstance(value, (list, dict)):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def _strip_eos(text: str) -> str:
    stripped = text.rstrip()
    for marker in _EOS_MARKERS:
        if stripped.endswith(marker):
            return stripped[: -len(marker)].rstrip()
    return text


def _kind(value: Any) -> str:
    return "empty" if value in (None, "", []) else f"a {type(value).__name__}"


def _extras(rec: dict[str, Any], used: set[str | None]) -> dict[str, Any]:
    return {k: v for k, v in rec.items() if k not in used}
