"""Import judge scores or LLM ratings computed elsewhere into a workspace column.

    python -m core scores import FILE --workspace W --id-column id --column NAME [--as NAME]

FILE is CSV/TSV, JSON Lines, a JSON array of objects or Parquet. Each record gives an id
(matched against the pool's ``id`` column as text) and a value: a number, a boolean
(true = 1) or empty (not judged). With ``by_row`` the file's record i is pool row i and
must have exactly as many records as the pool. Pool rows the file does not name stay
empty (NaN). Errors name the line (CSV, JSONL), the record (JSON) or the row (Parquet):
an id that is not in the pool, an id given twice, a value that is not a number.
The column is stored with core.workspace.columns (atomic; the pool file is untouched).
"""

from __future__ import annotations

import csv
import json
import math
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from core.errors import InputError


@dataclass
class ImportSummary:
    column: str
    rows_in_file: int
    judged: int
    pool_rows: int

    def to_dict(self) -> dict[str, Any]:
        return {"column": self.column, "rows_in_file": self.rows_in_file,
                "judged": self.judged, "pool_rows": self.pool_rows}


def read_records(path: Path) -> tuple[str, Iterator[tuple[int, dict[str, Any]]]]:
    """(what a position is called: "line", "record" or "row", iterator of (position,
    record)). InputError for a missing or unreadable file."""
    if not path.is_file():
        raise InputError("file not found", file=str(path))
    suffix = path.suffix.lower()
    if suffix in (".csv", ".tsv"):
        return "line", _csv_records(path, "\t" if suffix == ".tsv" else ",")
    if suffix in (".jsonl", ".ndjson"):
        return "line", _jsonl_records(path)
    if suffix == ".json":
        return "record", _json_records(path)
    if suffix == ".parquet":
        import pandas as pd

        frame = pd.read_parquet(path)
        return "row", ((i + 1, rec) for i, rec in enumerate(frame.to_dict("records")))
    raise InputError(f"unknown score file type '{suffix}'; expected .csv, .tsv, .jsonl, .json "
                     "or .parquet", file=str(path))


def _csv_records(path: Path, delimiter: str):
    with path.open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh, delimiter=delimiter)
        for record in reader:
            yield reader.line_num, record


def _jsonl_records(path: Path):
    with path.open(encoding="utf-8") as fh:
        for number, line in enumerate(fh, start=1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError as exc:
                raise InputError(f"not valid JSON ({exc.msg})", file=str(path),
                                 line=number) from None
            if not isinstance(record, dict):
                raise InputError("expected a JSON object", file=str(path), line=number)
            yield number, record


def _json_records(path: Path):
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise InputError(f"not valid JSON ({exc.msg})", file=str(path), line=exc.lineno) \
            from None
    if not isinstance(data, list):
        raise InputError("expected a JSON array of objects", file=str(path))
    for number, record in enumerate(data, start=1):
        if not isinstance(record, dict):
            raise InputError(f"record {number} is not a JSON object", file=str(path))
        yield number, record


def parse_value(value: Any) -> float:
    """A float from a number, a boolean or numeric text; NaN for empty; ValueError else."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return math.nan
    if isinstance(value, bool | np.bool_):
        return float(value)
    if isinstance(value, int | float | np.integer | np.floating):
        return float(value)
    text = str(value).strip()
    if text == "" or text.lower() in ("nan", "null", "none", "na"):
        return math.nan
    if text.lower() in ("true", "false"):
        return float(text.lower() == "true")
    number = float(text)  # ValueError for text that is not a number
    if math.isinf(number):
        raise ValueError(text)
    return number


def import_scores(ws, path: str | Path, *, column: str, id_column: str | None = "id",
                  as_name: str | None = None, by_row: bool = False) -> ImportSummary:
    """Read ``column`` of the score file, join it to the pool by ``id_column`` (or by row)
    and store it as workspace column ``as_name`` (default ``column``)."""
    from core.workspace.columns import check_column_name

    path = Path(path).expanduser()
    name = check_column_name(as_name or column)
    where, records = read_records(path)
    ids = ws.pool_frame(["id"])["id"].astype(str).tolist()
    row_of = {pid: i for i, pid in enumerate(ids)}
    values = np.full(len(ids), np.nan)
    seen: dict[int, int] = {}
    count = 0
    for count, (pos, record) in enumerate(records, start=1):
        loc = {"file": str(path), "line": pos} if where == "line" else \
            {"file": f"{path} {where} {pos}"}
        if column not in record:
            raise InputError(f"no column '{column}'; the record has: "
                             f"{', '.join(map(str, record))}", **loc)
        if by_row:
            row = count - 1
            if row >= len(ids):
                raise InputError(f"the file has more records than the pool's {len(ids):,} rows "
                                 "(--by-row joins record i to pool row i)", **loc)
        else:
            row = _row_for(record, id_column, row_of, seen, pos, where, loc)
        try:
            values[row] = parse_value(record[column])
        except (ValueError, TypeError):
            raise InputError(f"column '{column}' holds {str(record[column])[:40]!r}, expected a "
                             "number, true/false or empty", **loc) from None
    if by_row and count != len(ids):
        raise InputError(f"has {count:,} records but the pool has {len(ids):,} rows; --by-row "
                         "needs one record per pool row, in pool order", file=str(path))
    if count == 0:
        raise InputError("holds no records", file=str(path))
    ws.set_columns({name: values})
    return ImportSummary(name, count, int(np.isfinite(values).sum()), len(ids))


def _row_for(record: dict, id_column: str | None, row_of: dict[str, int],
             seen: dict[int, int], pos: int, where: str, loc: dict) -> int:
    if not id_column or id_column not in record:
        raise InputError(f"no id column '{id_column}'; the record has: "
                         f"{', '.join(map(str, record))} (or join with --by-row)", **loc)
    key = str(record[id_column]).strip()
    if key not in row_of:
        raise InputError(f"id '{key[:40]}' is not in the pool", **loc)
    row = row_of[key]
    if row in seen:
        raise InputError(f"id '{key[:40]}' appears twice (first on {where} {seen[row]})", **loc)
    seen[row] = pos
    return row
