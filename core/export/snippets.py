"""Training-framework snippets that point at an exported data file.

- LLaMA-Factory: a ``dataset_info.json`` with one entry (put the bundle folder as
  ``dataset_dir``, or merge the entry into your own file); ``formatting`` alpaca or
  sharegpt, ``columns`` (and ``tags`` for chats) naming the data file's fields.
- Axolotl: a ``datasets:`` stanza to paste into a config. YAML is written by hand (no new
  dependency): every scalar is a double-quoted JSON string, which YAML reads as the same
  text, and lists are JSON flow sequences.
"""

from __future__ import annotations

import json
from typing import Any

from core.export.formats import format_spec

HF_SHARD = "data-00000-of-00001.arrow"
SHAREGPT_TAGS = {"role_tag": "from", "content_tag": "value", "user_tag": "human",
                 "assistant_tag": "gpt", "observation_tag": "observation",
                 "function_tag": "function_call", "system_tag": "system"}
OPENAI_TAGS = {"role_tag": "role", "content_tag": "content", "user_tag": "user",
               "assistant_tag": "assistant", "observation_tag": "tool",
               "function_tag": "function_call", "system_tag": "system"}


def llama_factory_entry(fmt: str, data_name: str, columns: list[str]) -> dict[str, Any]:
    """One ``dataset_info.json`` entry for a data file ``data_name`` with ``columns``.

    The hf folder is read through its single Arrow shard (LLaMA-Factory loads files, and a
    ``save_to_disk`` folder mixes .arrow and .json files). A CSV's ``history`` is JSON text,
    which LLaMA-Factory does not parse, so it is not mapped there.
    """
    format_spec(fmt)
    if fmt == "sharegpt":
        return {"file_name": data_name, "formatting": "sharegpt",
                "columns": {"messages": "conversations"}, "tags": dict(SHAREGPT_TAGS)}
    if fmt == "openai":
        return {"file_name": data_name, "formatting": "sharegpt",
                "columns": {"messages": "messages"}, "tags": dict(OPENAI_TAGS)}
    response = "output" if fmt == "alpaca" else "response"
    cols = {"prompt": "instruction", "query": "input", "response": response}
    if "system" in columns:
        cols["system"] = "system"
    if "history" in columns and fmt != "csv":
        cols["history"] = "history"
    file_name = f"{data_name}/{HF_SHARD}" if fmt == "hf" else data_name
    return {"file_name": file_name, "formatting": "alpaca", "columns": cols}


def dataset_info_json(dataset_name: str, fmt: str, data_name: str, columns: list[str]) -> str:
    """The text of a LLaMA-Factory ``dataset_info.json`` holding one entry."""
    entry = llama_factory_entry(fmt, data_name, columns)
    return json.dumps({dataset_name: entry}, ensure_ascii=False, indent=2) + "\n"


def axolotl_dataset(fmt: str, data_path: str) -> dict[str, Any]:
    """The Axolotl ``datasets:`` item for a data file at ``data_path``.

    alpaca: ``type: alpaca``; sharegpt/openai: ``type: chat_template`` with the message
    field and role mappings; the table formats (instruction/input/response columns):
    ``type: gpteacher``; hf: the folder, which Axolotl opens with ``load_from_disk``.
    """
    format_spec(fmt)
    item: dict[str, Any] = {"path": data_path}
    if fmt != "hf":
        item["ds_type"] = {"parquet": "parquet", "csv": "csv"}.get(fmt, "json")
    if fmt == "alpaca":
        item["type"] = "alpaca"
    elif fmt == "sharegpt":
        item.update({"type": "chat_template", "field_messages": "conversations",
                     "message_property_mappings": {"role": "from", "content": "value"},
                     "roles": {"user": ["human"], "assistant": ["gpt"], "system": ["system"],
                               "tool": ["observation"]}})
    elif fmt == "openai":
        item.update({"type": "chat_template", "field_messages": "messages",
                     "message_property_mappings": {"role": "role", "content": "content"}})
    else:
        item["type"] = "gpteacher"
    return item


def axolotl_refusal(fmt: str, multi_turn_rows: int) -> str | None:
    """Why no Axolotl stanza is written for this export, or None when one is.

    Axolotl's documented instruction types (``alpaca``: instruction/input/output,
    ``gpteacher``: instruction/input/response) read those three fields only, and its
    ``chat_template`` type reads a list of messages, which an Alpaca-shaped record does not
    have (its earlier rounds are ``history`` pairs). No Axolotl type maps ``system`` and
    ``history``, so for an Alpaca-shaped file with multi-turn rows any stanza would train on
    the last round alone, without its system prompt: it is refused instead.
    """
    format_spec(fmt)
    if fmt in ("sharegpt", "openai") or not multi_turn_rows:
        return None
    kind = "alpaca" if fmt == "alpaca" else "gpteacher"
    return (f"no Axolotl stanza: {multi_turn_rows:,} rows have a system prompt or earlier "
            f"rounds, which Axolotl's {kind} type would drop (it reads instruction, input "
            "and the response only); export as sharegpt or openai, which Axolotl's "
            "chat_template type reads whole")


def axolotl_yaml(fmt: str, data_path: str, *, note: str = "", multi_turn_rows: int = 0) -> str:
    """A YAML document ``datasets: [item]`` for Axolotl, with comment lines on top; only
    comments (no stanza, YAML null) when :func:`axolotl_refusal` refuses."""
    lines = [f"# {line}" if line else "#" for line in note.splitlines()]
    refused = axolotl_refusal(fmt, multi_turn_rows)
    if refused:
        return "\n".join(lines + [f"# {refused[0].upper()}{refused[1:]}."]) + "\n"
    lines.append("datasets:")
    item = _yaml_lines(axolotl_dataset(fmt, data_path), 4)
    item[0] = "  - " + item[0].lstrip()
    return "\n".join(lines + item) + "\n"


def _yaml_scalar(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def _yaml_lines(obj: dict[str, Any], indent: int) -> list[str]:
    pad = " " * indent
    lines = []
    for key, value in obj.items():
        if isinstance(value, dict) and value:
            lines.append(f"{pad}{key}:")
            lines += _yaml_lines(value, indent + 2)
        else:
            lines.append(f"{pad}{key}: {_yaml_scalar(value)}")
    return lines
