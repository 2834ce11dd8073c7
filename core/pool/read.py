"""Read raw records out of a file, a saved ``datasets`` folder or a Hugging Face hub name.

Every problem becomes an ``InputError`` naming the file, the line (JSONL, CSV), record
(JSON array) or row (Parquet, datasets), and what was expected. Nothing here writes.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from core.errors import InputError

CONTAINERS = ("json", "jsonl", "csv", "parquet", "hf")


@dataclass
class RawRecords:
    """Records as read, with where each came from (``where[i]`` like "line 12" or "record 3")."""

    records: list[dict[str, Any]]
    where: list[str]
    container: str
    bad_lines: list[str] = field(default_factory=list)  # "line N: problem", when skipped


def read_records(source: str, container: str = "auto", *, skip_bad_lines: bool = False,
                 split: str | None = None) -> RawRecords:
    """Read ``source`` as a list of dict records.

    ``container``: auto, json, jsonl, csv, parquet or hf. With ``auto`` the extension and the
    first byte decide; a path that does not exist is tried as a Hugging Face hub name only when
    it looks like one (``owner/name`` without a file extension).
    """
    path = Path(source).expanduser()
    if container == "hf" or (container == "auto" and _is_saved_dataset(path)):
        return _read_hf(source, split)
    if not path.exists():
        if container == "auto" and _looks_like_hub_name(source):
            return _read_hf(source, split)
        raise InputError("file not found", file=source)
    if path.is_dir():
        raise InputError("is a directory but not a saved datasets folder (no dataset_info.json "
                         "or state.json); expected a file or a save_to_disk folder", file=source)
    if container == "auto":
        container = _guess_container(path)
    if container == "parquet":
        return _read_parquet(path)
    data = path.read_bytes()
    if not data.strip():
        raise InputError("file is empty; expected instruction records", file=source)
    text = _decode_utf8(data, source)
    if container == "json":
        return _read_json(text, source)
    if container == "jsonl":
        return _read_jsonl(text, source, skip_bad_lines)
    if container == "csv":
        return _read_csv(text, source, skip_bad_lines)
    raise InputError(f"unknown format {container!r}; expected one of auto, {', '.join(CONTAINERS)}",
                     file=source)


def _looks_like_hub_name(source: str) -> bool:
    parts = source.split("/")
    return 1 <= len(parts) <= 2 and all(parts) and "." not in parts[-1] and "\\" not in source


def _is_saved_dataset(path: Path) -> bool:
    return path.is_dir() and any((path / f).exists() for f in
                                 ("dataset_info.json", "state.json", "dataset_dict.json"))


def _guess_container(path: Path) -> str:
    ext = path.suffix.lower()
    if ext in (".jsonl", ".ndjson"):
        return "jsonl"
    if ext in (".csv", ".tsv"):
        return "csv"
    if ext in (".parquet", ".pq"):
        return "parquet"
    if ext == ".json":
        # Some ".json" files are really JSON Lines: look at the first non-space character.
        with path.open("rb") as fh:
            head = fh.read(4096).lstrip(b"\xef\xbb\xbf \t\r\n")
        if head[:1] == b"{":
            first_line = head.split(b"\n", 1)[0].strip()
            return "jsonl" if first_line.endswith(b"}") and b"\n" in head else "json"
        return "json"
    with path.open("rb") as fh:
        head = fh.read(4).lstrip()
    if head.startswith(b"PAR1"):
        return "parquet"
    if head[:1] == b"[":
        return "json"
    if head[:1] == b"{":
        return "jsonl"
    raise InputError(f"cannot tell the format from the extension {ext or '(none)'!r}; expected "
                     ".json, .jsonl, .csv or .parquet, or pass --format", file=str(path))


def _decode_utf8(data: bytes, source: str) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise InputError(f"not valid UTF-8 (byte 0x{data[exc.start]:02x} at offset {exc.start}); "
                         "expected UTF-8 text (re-save the file as UTF-8)",
                         file=source, line=line) from None


def _read_json(text: str, source: str) -> RawRecords:
    try:
        obj = json.loads(text)
    except json.JSONDecodeError as exc:
        if exc.msg == "Extra data" and text.lstrip().startswith("{"):
            raise InputError("holds several JSON objects, one per line: this is JSON Lines; "
                             "name it .jsonl or pass --format jsonl", file=source,
                             line=exc.lineno) from None
        raise InputError(f"invalid JSON at column {exc.colno}: {exc.msg}", file=source,
                         line=exc.lineno) from None
    if isinstance(obj, dict):
        lists = [v for v in obj.values() if isinstance(v, list) and v and isinstance(v[0], dict)]
        if len(lists) == 1:
            obj = lists[0]
        else:
            obj = [obj]
    if not isinstance(obj, list):
        raise InputError(f"top level is a JSON {type(obj).__name__}; expected an array of "
                         "records", file=source)
    for i, rec in enumerate(obj):
        if not isinstance(rec, dict):
            raise InputError(f"record {i + 1} is a JSON {type(rec).__name__}; expected an object "
                             "with instruction/response fields", file=source)
    return RawRecords(obj, [f"record {i + 1}" for i in range(len(obj))], "json")


def _read_jsonl(text: str, source: str, skip_bad_lines: bool) -> RawRecords:
    records, where, bad = [], [], []
    # Split on "\n" only: str.splitlines() would also break on U+2028, U+0085 and other
    # separators that JSON allows unescaped inside strings.
    for lineno, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        try:
            rec = json.loads(line)
            if not isinstance(rec, dict):
                raise ValueError(f"a JSON {type(rec).__name__}, expected an object")
        except (json.JSONDecodeError, ValueError) as exc:
            problem = (f"invalid JSON at column {exc.colno}: {exc.msg}"
                       if isinstance(exc, json.JSONDecodeError) else str(exc))
            if not skip_bad_lines:
                raise InputError(problem + " (use --skip-bad-lines to skip such lines)",
                                 file=source, line=lineno) from None
            bad.append(f"line {lineno}: {problem}")
            continue
        records.append(rec)
        where.append(f"line {lineno}")
    return RawRecords(records, where, "jsonl", bad)


def _read_csv(text: str, source: str, skip_bad_lines: bool) -> RawRecords:
    sample = text[:65536]
    delimiter = "\t" if source.lower().endswith(".tsv") else ","
    try:
        if not source.lower().endswith((".csv", ".tsv")):
            delimiter = csv.Sniffer().sniff(sample, delimiters=",\t;").delimiter
    except csv.Error:
        pass
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = next(reader)
    except StopIteration:
        raise InputError("file is empty; expected a header row", file=source) from None
    except csv.Error as exc:
        raise InputError(f"invalid CSV header: {exc}", file=source, line=1) from None
    header = [h.strip() for h in header]
    if len(set(header)) != len(header) or not all(header):
        raise InputError(f"header has empty or repeated column names {header}; expected unique "
                         "names", file=source, line=1)
    records, where, bad = [], [], []
    while True:
        start_line = reader.line_num + 1
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            if not skip_bad_lines:
                raise InputError(f"invalid CSV: {exc}", file=source, line=start_line) from None
            bad.append(f"line {start_line}: {exc}")
            continue
        if not row or (len(row) == 1 and not row[0].strip()):
            continue
        if len(row) != len(header):
            problem = f"has {len(row)} fields; expected {len(header)} as in the header"
            if not skip_bad_lines:
                raise InputError(problem + " (use --skip-bad-lines to skip such lines)",
                                 file=source, line=start_line)
            bad.append(f"line {start_line}: {problem}")
            continue
        # Cells stay text here; numeric extra columns are typed later, whole columns at a
        # time, so a text field such as "1.50" is never rewritten.
        records.append(dict(zip(header, row, strict=True)))
        where.append(f"line {start_line}")
    return RawRecords(records, where, "csv", bad)


def _read_parquet(path: Path) -> RawRecords:
    import pyarrow as pa
    import pyarrow.parquet as pq

    if path.stat().st_size == 0:
        raise InputError("file is empty; expected a Parquet file", file=str(path))
    try:
        table = pq.read_table(path)
    except (pa.ArrowException, OSError) as exc:
        raise InputError(f"not a readable Parquet file ({_short(exc)})", file=str(path)) from None
    records = table.to_pylist()
    return RawRecords(records, [f"row {i + 1}" for i in range(len(records))], "parquet")


def _read_hf(source: str, split: str | None) -> RawRecords:
    try:
        import datasets
    except ImportError:  # pragma: no cover - datasets is a requirement
        raise InputError("the 'datasets' package is not installed", file=source) from None
    path = Path(source).expanduser()
    try:
        if path.exists():
            ds = datasets.load_from_disk(str(path))
        else:
            ds = datasets.load_dataset(source, split=split or "train")
    except FileNotFoundError as exc:
        raise InputError(f"not a saved datasets folder or reachable hub dataset ({_short(exc)})",
                         file=source) from None
    except Exception as exc:  # noqa: BLE001 - the hub raises many kinds; all mean "cannot load"
        raise InputError(f"could not load the Hugging Face dataset ({type(exc).__name__}: "
                         f"{_short(exc)}); offline machines can only open local folders",
                         file=source) from None
    if isinstance(ds, datasets.DatasetDict):
        names = list(ds.keys())
        chosen = split or ("train" if "train" in ds else names[0])
        if chosen not in ds:
            raise InputError(f"no split {chosen!r}; expected one of {names}", file=source)
        ds = ds[chosen]
    records = ds.to_list()
    return RawRecords(records, [f"row {i + 1}" for i in range(len(records))], "hf")


def _short(exc: BaseException, limit: int = 160) -> str:
    msg = " ".join(str(exc).split())
    return msg if len(msg) <= limit else msg[: limit - 1] + "…"
