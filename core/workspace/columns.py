"""Columns added to a workspace after loading: imported judge scores and dashboard labels.

The pool file is never rewritten. Added columns live in one row-aligned table
``cache/columns-<hash>.parquet`` (row i = pool row i, float64, NaN = no value) and the
pointer ``columns.json`` names the current one together with the pool key it belongs to.
Writing a column writes a whole new table (temp file + rename), then replaces the pointer
atomically: a process killed at any moment leaves the previous columns readable, and the
pool itself is never touched. ``Workspace.pool_frame`` joins the table on read, so every
consumer (quality specs, ``--where`` filters, metrics) sees the added columns.

A table of 50,000 rows and a few columns is about 1 MB and written in a few milliseconds,
so a label click in the dashboard rewrites it whole.
"""

from __future__ import annotations

import hashlib
import re

import numpy as np
import pandas as pd

from core.errors import InputError
from core.workspace.atomic import atomic_write_json, atomic_write_with, read_json

POINTER = "columns.json"
_NAME_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,63}$")


def check_column_name(name: str) -> str:
    """``name`` when it is a usable column name (letters, digits, _; usable in a quality spec
    and a --where predicate), else InputError."""
    name = str(name).strip()
    if not _NAME_RE.match(name):
        raise InputError(f"column name {name!r} is not usable; expected letters, digits and _ "
                         "(starting with a letter or _, at most 64 characters)", field="as")
    return name


def read_added_columns(ws) -> pd.DataFrame | None:
    """The added columns (float64 (n_rows, c), row-aligned with the pool), or None."""
    meta = read_json(ws.root / POINTER)
    if not meta or meta.get("pool_key") != ws.pool_key:
        return None
    path = ws.cache_dir / meta["file"]
    if not path.exists():
        return None
    table = pd.read_parquet(path)
    return table if len(table) == ws.n_rows else None


def added_columns_file(ws) -> str | None:
    """The current table's file name (changes whenever a value changes), or None."""
    meta = read_json(ws.root / POINTER)
    if not meta or meta.get("pool_key") != ws.pool_key:
        return None
    return meta.get("file")


def write_added_columns(ws, updates: dict[str, np.ndarray]) -> str:
    """Set (or replace) added columns from float arrays of length n_rows and commit the new
    table atomically; returns its file name. InputError when a name is taken by a column
    of the loaded pool or a length is wrong."""
    pool_columns = set(ws.pool_columns())
    table = read_added_columns(ws)
    table = pd.DataFrame(index=range(ws.n_rows)) if table is None else table.copy()
    for name, values in updates.items():
        name = check_column_name(name)
        if name in pool_columns:
            raise InputError(f"column '{name}' is a column of the loaded pool and cannot be "
                             "replaced; choose another name with --as", field="as")
        values = np.asarray(values, dtype=np.float64)
        if values.shape != (ws.n_rows,):
            raise ValueError(f"column '{name}' has {values.shape} values for {ws.n_rows} rows")
        table[name] = values
    digest = hashlib.sha256(ws.pool_key.encode())
    for name in table.columns:
        digest.update(name.encode() + b"\0" + table[name].to_numpy(np.float64).tobytes())
    file_name = f"columns-{digest.hexdigest()[:16]}.parquet"
    path = ws.cache_dir / file_name
    if not path.exists():
        atomic_write_with(path, lambda tmp: table.to_parquet(tmp, index=False), ".parquet")
    atomic_write_json(ws.root / POINTER, {"pool_key": ws.pool_key, "file": file_name,
                                          "columns": list(table.columns)})
    return file_name


def column_values_key(values: np.ndarray) -> str:
    """16-hex sha256 of a float64 vector (NaN-stable: the bytes are hashed)."""
    return hashlib.sha256(np.ascontiguousarray(values, dtype=np.float64).tobytes()
                          ).hexdigest()[:16]
