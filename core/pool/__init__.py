"""Load a pool of instruction examples into the canonical table.

``load_pool(source, ...)`` reads a file (JSON array, JSONL, CSV, Parquet), a saved
``datasets`` folder or a Hugging Face hub name, detects the record shape, maps every record
to the canonical fields, gives each a content id, reports exact duplicates, and validates
everything before anything is written. Problems raise ``core.errors.InputError`` with one
line naming the file, the line/record/row and what was expected.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from core.errors import InputError
from core.pool.canonical import (
    CANONICAL_COLUMNS,
    LONG_FIELD_CHARS,
    build_frame,
    conversation_turns,
    frame_key,
    normalise_text,
    record_id,
    type_text_columns,
)
from core.pool.read import CONTAINERS, read_records
from core.pool.shapes import SHAPES, ColumnMapping, detect_shape, to_canonical

FORMATS = ("auto", "alpaca", "sharegpt", "openai", "prompt_completion", "question_answer",
           "json", "jsonl", "csv", "parquet", "hf")

__all__ = ["CANONICAL_COLUMNS", "FORMATS", "ColumnMapping", "LoadedPool", "PoolInfo",
           "conversation_turns", "load_pool", "normalise_text", "record_id"]


@dataclass
class PoolInfo:
    """What a load found; stored beside the pool in the workspace."""

    source: str
    container: str
    shape: str
    rows: int
    records_read: int
    duplicates: int
    duplicates_dropped: bool
    bad_lines_skipped: int
    bad_records_skipped: int
    long_fields: int
    source_sha256: str | None
    source_size: int | None
    extra_columns: list[str]
    pool_key: str
    column_mapping: dict[str, str | None] | None = None
    skipped_examples: list[str] = field(default_factory=list)
    # Several files loaded as one pool: name, path, sha256 and rows of each (else None).
    sources: list[dict[str, Any]] | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class LoadedPool:
    frame: pd.DataFrame
    info: PoolInfo


def load_pool(source: str | os.PathLike, *, fmt: str = "auto", mapping: ColumnMapping | None = None,
              skip_bad_lines: bool = False, keep_duplicates: bool = False,
              split: str | None = None) -> LoadedPool:
    """Read and validate a pool; nothing is written.

    fmt: ``auto``, a record shape (alpaca, sharegpt, openai, prompt_completion,
    question_answer) or a container (json, jsonl, csv, parquet, hf).
    mapping: explicit columns for records no known shape fits (overrides detection).
    skip_bad_lines: skip unparsable lines and records missing fields, and report the count.
    keep_duplicates: keep exact duplicates (their ids get a ``~2``, ``~3`` suffix) instead of
    keeping only the first; either way their count is reported.
    """
    source = str(source)
    if fmt not in FORMATS:
        raise InputError(f"unknown format {fmt!r}; expected one of {', '.join(FORMATS)}",
                         file=source)
    container = fmt if fmt in CONTAINERS else "auto"
    raw = read_records(source, container, skip_bad_lines=skip_bad_lines, split=split)
    if not raw.records:
        detail = f" ({len(raw.bad_lines)} bad lines skipped)" if raw.bad_lines else ""
        raise InputError(f"no records found{detail}; expected instruction records", file=source)
    if mapping is not None:
        shape = "mapped"
    elif fmt in SHAPES:
        shape = fmt
    else:
        shape = detect_shape(raw.records, source)
    rows, extra_order, skipped, long_fields = _canonical_rows(raw, shape, mapping, source,
                                                              skip_bad_lines)
    if not rows:
        raise InputError(f"zero usable rows: all {len(raw.records)} records were skipped "
                         f"(first: {skipped[0] if skipped else 'n/a'})", file=source)
    rows, duplicates = _resolve_duplicates(rows, keep_duplicates)
    frame = build_frame(rows, extra_order)
    if raw.container == "csv":
        frame = type_text_columns(frame, extra_order)
    sha, size = _source_fingerprint(source)
    info = PoolInfo(
        source=str(Path(source).expanduser().resolve()) if Path(source).expanduser().exists()
        else source,
        container=raw.container, shape=shape, rows=len(frame), records_read=len(raw.records),
        duplicates=duplicates, duplicates_dropped=not keep_duplicates,
        bad_lines_skipped=len(raw.bad_lines), bad_records_skipped=len(skipped),
        long_fields=long_fields, source_sha256=sha, source_size=size,
        extra_columns=list(extra_order), pool_key=frame_key(frame),
        column_mapping=mapping.as_dict() if mapping else None,
        skipped_examples=(raw.bad_lines + skipped)[:5])
    return LoadedPool(frame, info)


def _canonical_rows(raw, shape, mapping, source, skip_bad_lines):
    name = Path(source).name or source
    rows: list[dict[str, Any]] = []
    extra_order: dict[str, None] = {}
    skipped: list[str] = []
    long_fields = 0
    for rec, where in zip(raw.records, raw.where, strict=True):
        try:
            canon = to_canonical(rec, shape, mapping)
        except ValueError as exc:
            if not skip_bad_lines:
                line = int(where.split()[1]) if where.startswith("line ") else None
                prefix = "" if line is not None else f"{where}: "
                raise InputError(prefix + str(exc) + " (use --skip-bad-lines to skip such "
                                 "records)", file=source, line=line) from None
            skipped.append(f"{where}: {exc}")
            continue
        extras = {}
        for key, value in canon.extras.items():
            col = f"orig_{key}" if key in CANONICAL_COLUMNS else str(key)
            extras[col] = value
            extra_order.setdefault(col)
        long_fields += sum(len(t) > LONG_FIELD_CHARS for t in
                           (canon.instruction, canon.input, canon.response))
        row_no = int(where.split()[1])
        rows.append({
            "id": record_id(canon.instruction, canon.input, canon.response, canon.conversation),
            "instruction": canon.instruction, "input": canon.input, "response": canon.response,
            "conversation": (json.dumps(canon.conversation, ensure_ascii=False)
                             if canon.conversation else None),
            "source": f"{name}:{row_no}", "source_row": row_no, **extras})
    return rows, list(extra_order), skipped, long_fields


def _resolve_duplicates(rows: list[dict[str, Any]], keep: bool) -> tuple[list[dict[str, Any]], int]:
    seen: dict[str, int] = {}
    out = []
    duplicates = 0
    for row in rows:
        count = seen.get(row["id"], 0)
        seen[row["id"]] = count + 1
        if count:
            duplicates += 1
            if not keep:
                continue
            row = {**row, "id": f"{row['id']}~{count + 1}"}
        out.append(row)
    return out, duplicates


def _source_fingerprint(source: str) -> tuple[str | None, int | None]:
    """sha256 and size of a file or a folder's files; (None, None) for a hub name."""
    path = Path(source).expanduser()
    if not path.exists():
        return None, None
    files = [path] if path.is_file() else sorted(p for p in path.rglob("*") if p.is_file())
    digest = hashlib.sha256()
    size = 0
    for f in files:
        if path.is_dir():
            digest.update(str(f.relative_to(path)).encode() + b"\0")
        with f.open("rb") as fh:
            for block in iter(lambda fh=fh: fh.read(1 << 20), b""):
                digest.update(block)
                size += len(block)
    return digest.hexdigest(), size
