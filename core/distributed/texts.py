"""The texts a distributed embedding job embeds, read from Parquet or JSONL in ordered blocks.

``text_batches(path, field, batch_rows, executor)`` yields lists of exactly ``batch_rows``
texts (the last one shorter) in file order. With the Ray executor the file is read and the
texts are built by Ray Data (``read_parquet`` / ``read_text`` + ``map_batches``, in
parallel over blocks, ``preserve_order`` on) and the driver only re-batches the stream;
in-process the same functions run over pyarrow's batch reader.

Texts per field, exactly as ``Workspace.texts`` builds them (so a workspace embedded either
way gets the same artifact key): instruction = instruction + blank line + input (when the
input is not blank), response, or both = instruction text + blank line + response.
A file whose columns are already canonical (instruction, input, response: a workspace's
pool.parquet) is read directly; any other record shape is mapped by the pool loader's own
``detect_shape`` / ``to_canonical`` (no de-duplication: row i of the file is row i).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from core.errors import InputError
from core.pool.shapes import detect_shape, to_canonical
from core.text import prompt_text

FIELDS = ("instruction", "response", "both")
CANONICAL = "canonical"
CANONICAL_COLUMNS = ("instruction", "input", "response")
SHAPE_SAMPLE = 500


def source_format(path: str | Path) -> str:
    """"parquet" or "jsonl" from the file name; InputError otherwise."""
    name = str(path).lower()
    if name.endswith(".parquet"):
        return "parquet"
    if name.endswith((".jsonl", ".ndjson")):
        return "jsonl"
    raise InputError("distributed embedding reads .parquet or .jsonl files", file=str(path))


def field_text(instruction: Any, input_text: Any, response: Any, field: str) -> str:
    """One row's text for ``field`` (None counts as empty), as ``Workspace.texts``."""
    if field == "response":
        return response or ""
    prompt = prompt_text(instruction or "", input_text or "")
    if field == "instruction":
        return prompt
    return f"{prompt}\n\n{response or ''}"


def records_texts(records: list[dict[str, Any]], shape: str, field: str) -> list[str]:
    """Texts of plain records (dicts) of a known shape, or of canonical columns."""
    out = []
    for rec in records:
        if shape == CANONICAL:
            out.append(field_text(rec.get("instruction"), rec.get("input"), rec.get("response"),
                                  field))
            continue
        try:
            canon = to_canonical(rec, shape)
        except ValueError as exc:
            raise InputError(f"{exc}; load the file as a workspace (python -m core load "
                             "--skip-bad-lines) to find or skip such records",
                             field="source") from None
        out.append(field_text(canon.instruction, canon.input, canon.response, field))
    return out


def detect_source_shape(path: str | Path) -> str:
    """CANONICAL when the file has instruction/input/response columns, else its shape."""
    records = list(_first_records(path, SHAPE_SAMPLE))
    if not records:
        raise InputError("holds no records", file=str(path))
    if set(CANONICAL_COLUMNS) <= set(records[0]):
        return CANONICAL
    return detect_shape(records, str(path))


def _first_records(path, limit: int) -> Iterator[dict[str, Any]]:
    for batch in _local_record_batches(path, limit):
        yield from batch[:limit]
        return


def _local_record_batches(path, batch_rows: int, columns: list[str] | None = None
                          ) -> Iterator[list[dict[str, Any]]]:
    if source_format(path) == "parquet":
        import pyarrow.parquet as pq

        for batch in pq.ParquetFile(path).iter_batches(batch_size=batch_rows, columns=columns):
            yield batch.to_pylist()
        return
    batch: list[dict[str, Any]] = []
    with open(path, encoding="utf-8") as fh:
        for line_no, line in enumerate(fh, start=1):
            if not line.strip():
                continue
            batch.append(_parse_line(line, path, line_no))
            if len(batch) >= batch_rows:
                yield batch
                batch = []
    if batch:
        yield batch


def _parse_line(line: str, path, line_no: int | None) -> dict[str, Any]:
    try:
        rec = json.loads(line)
    except json.JSONDecodeError as exc:
        raise InputError(f"not valid JSON ({exc.msg})", file=str(path), line=line_no) from None
    if not isinstance(rec, dict):
        raise InputError("expected one JSON object per line", file=str(path), line=line_no)
    return rec


def rebatch(batches: Iterable[list[str]], size: int) -> Iterator[list[str]]:
    """Re-cut a stream of lists into lists of exactly ``size`` (the last one shorter)."""
    pending: list[str] = []
    for batch in batches:
        pending.extend(batch)
        while len(pending) >= size:
            yield pending[:size]
            pending = pending[size:]
    if pending:
        yield pending


def text_batches(path: str | Path, field: str, batch_rows: int, executor_name: str = "local"
                 ) -> Iterator[list[str]]:
    """Texts of ``path`` for ``field`` in file order, ``batch_rows`` at a time."""
    if field not in FIELDS:
        raise InputError(f"unknown text field {field!r}; expected {', '.join(FIELDS)}",
                         field="field")
    shape = detect_source_shape(path)
    columns = list(CANONICAL_COLUMNS) if shape == CANONICAL else None
    if executor_name == "ray":
        return _ray_text_batches(path, shape, field, batch_rows, columns)
    return rebatch((records_texts(b, shape, field) for b in
                    _local_record_batches(path, batch_rows, columns)), batch_rows)


def texts_block(batch, *, kind: str, shape: str, field: str, path: str):
    """Ray Data map step: a pyarrow block of records (or of JSONL lines) -> a "text" column."""
    import pyarrow as pa

    if kind == "jsonl":
        records = [_parse_line(line, path, None) for line in batch.column("text").to_pylist()
                   if line.strip()]
    else:
        records = batch.to_pylist()
    return pa.table({"text": records_texts(records, shape, field)})


def _ray_text_batches(path, shape: str, field: str, batch_rows: int,
                      columns: list[str] | None) -> Iterator[list[str]]:
    import ray.data

    kind = source_format(path)
    ctx = ray.data.DataContext.get_current()
    ctx.execution_options.preserve_order = True
    ctx.enable_progress_bars = False
    if kind == "parquet":
        ds = ray.data.read_parquet(str(path))
        ds = ds.select_columns(columns) if columns else ds
    else:
        ds = ray.data.read_text(str(path), drop_empty_lines=True)
    ds = ds.map_batches(texts_block, batch_format="pyarrow", fn_kwargs={
        "kind": kind, "shape": shape, "field": field, "path": str(path)})
    for batch in ds.iter_batches(batch_size=batch_rows, batch_format="pyarrow"):
        yield batch.column("text").to_pylist()


class TextsHasher:
    """Incremental form of ``core.workspace.keys.texts_key`` (same digest, fed in batches)."""

    def __init__(self) -> None:
        self._digest = hashlib.sha256()

    def update(self, texts: Iterable[str]) -> None:
        for text in texts:
            data = (text or "").encode("utf-8")
            self._digest.update(len(data).to_bytes(8, "little"))
            self._digest.update(data)

    def key(self) -> str:
        return self._digest.hexdigest()[:16]
