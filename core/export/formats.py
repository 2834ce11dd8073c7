"""Writers of the export formats: the selected rows (rank order) -> one data file.

=========  ==========================  =============================================
format     file                        layout
=========  ==========================  =============================================
alpaca     ``NAME.json`` (JSON array)  instruction, input, output [, system, history]
sharegpt   ``NAME.json`` (JSON array)  conversations: [{from, value}]
openai     ``NAME.jsonl``              messages: [{role, content}]
jsonl      ``NAME.jsonl``              id, instruction, input, response [, system,
                                       history], extras..., source
parquet    ``NAME.parquet``            as jsonl
csv        ``NAME.csv``                as jsonl; ``history`` as JSON text
hf         ``NAME/`` folder            as jsonl, ``datasets`` ``save_to_disk``
=========  ==========================  =============================================

(record layouts: :mod:`core.export.records`). Output is deterministic: the same rows give
the same bytes (JSON keys in a fixed order, UTF-8 without escapes; the ``hf``
folder gets a fingerprint derived from its content), so the dashboard's download and the
CLI's file are byte-identical.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from core.errors import InputError
from core.export import records as rec


@dataclass(frozen=True)
class FormatSpec:
    name: str
    suffix: str          # "" for a folder
    mime: str
    is_folder: bool = False


FORMATS: dict[str, FormatSpec] = {
    "alpaca": FormatSpec("alpaca", ".json", "application/json"),
    "sharegpt": FormatSpec("sharegpt", ".json", "application/json"),
    "openai": FormatSpec("openai", ".jsonl", "application/jsonl"),
    "jsonl": FormatSpec("jsonl", ".jsonl", "application/jsonl"),
    "parquet": FormatSpec("parquet", ".parquet", "application/vnd.apache.parquet"),
    "csv": FormatSpec("csv", ".csv", "text/csv"),
    "hf": FormatSpec("hf", "", "application/zip", is_folder=True),
}


def format_spec(fmt: str) -> FormatSpec:
    if fmt not in FORMATS:
        raise InputError(f"unknown export format {fmt!r}; expected one of "
                         f"{', '.join(FORMATS)}", field="format")
    return FORMATS[fmt]


def data_file_name(stem: str, fmt: str) -> str:
    """File (or folder, for hf) name of the data inside a bundle: ``stem`` + suffix."""
    return stem + format_spec(fmt).suffix


def format_records(frame: pd.DataFrame, fmt: str, *, include_extras: bool = True
                   ) -> list[dict[str, Any]]:
    """The records ``fmt`` writes for the canonical rows ``frame`` (already in rank order)."""
    format_spec(fmt)
    if fmt == "alpaca":
        return rec.alpaca_records(frame, include_extras=include_extras)
    if fmt == "sharegpt":
        return rec.sharegpt_records(frame, include_extras=include_extras)
    if fmt == "openai":
        return rec.openai_records(frame, include_extras=include_extras)
    return rec.alpaca_records(frame, response_key="response", table=True,
                              include_extras=include_extras)


def write_data(frame: pd.DataFrame, fmt: str, path: str | Path, *,
               include_extras: bool = True) -> list[str]:
    """Write the rows of ``frame`` as ``fmt`` to ``path`` (a folder for hf); returns the
    record keys written (the data file's columns)."""
    path = Path(path)
    records = format_records(frame, fmt, include_extras=include_extras)
    columns = list(records[0]) if records else []
    WRITERS[fmt](records, frame, path, include_extras)
    return columns


def _write_json_array(records, _frame, path: Path, _extras) -> None:
    text = json.dumps(records, ensure_ascii=False, indent=2)
    path.write_text(text + "\n", encoding="utf-8")


def _write_jsonl(records, _frame, path: Path, _extras) -> None:
    with path.open("w", encoding="utf-8", newline="\n") as fh:
        for record in records:
            fh.write(json.dumps(record, ensure_ascii=False) + "\n")


def _write_csv(records, _frame, path: Path, _extras) -> None:
    buf = io.StringIO(newline="")
    if records:
        # Every cell quoted: a bare "\r" inside an unquoted cell would end the row.
        writer = csv.writer(buf, lineterminator="\n", quoting=csv.QUOTE_ALL)
        writer.writerow(list(records[0]))
        for record in records:
            writer.writerow([_csv_cell(v) for v in record.values()])
    path.write_text(buf.getvalue(), encoding="utf-8", newline="")


def _csv_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, (list, dict)):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def arrow_table(records: list[dict[str, Any]], frame: pd.DataFrame, include_extras: bool):
    """A pyarrow table of the table-format records: text columns as strings, ``history`` as
    list<list<string>>, extra columns with the pool column's own type."""
    import pyarrow as pa

    names = rec.extra_key_names(rec.extra_columns(frame)) if include_extras else {}
    extra_of = {key: col for col, key in names.items()}
    columns = list(records[0]) if records else ["id", "instruction", "input", "response",
                                                "source"]
    arrays = {}
    for key in columns:
        if key in extra_of:
            arrays[key] = pa.Array.from_pandas(frame[extra_of[key]].reset_index(drop=True))
            continue
        values = [r[key] for r in records]
        kind = pa.list_(pa.list_(pa.string())) if key == "history" else pa.string()
        arrays[key] = pa.array(values, type=kind)
    return pa.table(arrays)


def _write_parquet(records, frame, path: Path, include_extras) -> None:
    import pyarrow.parquet as pq

    pq.write_table(arrow_table(records, frame, include_extras), path)


def _write_hf(records, frame, path: Path, include_extras) -> None:
    import datasets
    import pyarrow as pa

    table = arrow_table(records, frame, include_extras)
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, table.schema) as writer:
        writer.write_table(table)
    # A content-derived fingerprint (datasets would draw a random one) keeps state.json,
    # and so the folder's bytes, the same for the same rows.
    fingerprint = hashlib.sha256(sink.getvalue().to_pybytes()).hexdigest()[:16]
    ds = datasets.Dataset(table, fingerprint=fingerprint)
    was_disabled = datasets.utils.are_progress_bars_disabled()
    datasets.utils.disable_progress_bars()  # the CLI prints its own summary
    try:
        ds.save_to_disk(str(path), num_shards=1)
    finally:
        if not was_disabled:
            datasets.utils.enable_progress_bars()


WRITERS: dict[str, Callable[..., None]] = {
    "alpaca": _write_json_array, "sharegpt": _write_json_array, "openai": _write_jsonl,
    "jsonl": _write_jsonl, "parquet": _write_parquet, "csv": _write_csv, "hf": _write_hf,
}
