"""Saved selections and their metrics in the workspace's DuckDB file."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from core.errors import InputError
from core.select.result import SelectionResult
from core.workspace.store import connect

NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]{0,99}$")


def check_name(name: str) -> str:
    """Selection names become file names in exports: letters, digits, ``_.-``, max 100."""
    if not isinstance(name, str) or not NAME_RE.match(name):
        raise InputError(f"invalid selection name {name!r}; expected letters, digits, '_', '.' "
                         "or '-' (starting with a letter or digit, at most 100 characters)",
                         field="name")
    return name


def existing_selection(db: Path, name: str) -> dict[str, Any] | None:
    """``{"name", "strategy", "k", "created"}`` of the saved selection ``name``, or None."""
    with connect(db, read_only=True) as con:
        row = con.execute("SELECT strategy, k, created FROM selections WHERE name = ?",
                          [name]).fetchone()
    if row is None:
        return None
    return {"name": name, "strategy": row[0], "k": row[1],
            "created": str(row[2]).split(".")[0]}


def exists_message(found: dict[str, Any]) -> str:
    """One line naming an existing selection: what made it and when."""
    return (f"a selection named {found['name']!r} already exists ({found['strategy']}, "
            f"k={found['k']}, saved {found['created']})")


def save_selection(db: Path, pool_key: str, name: str, result: SelectionResult,
                   ids: list[str], *, replace: bool = True) -> None:
    """Insert ``name`` in one transaction; an existing selection of that name (and its
    metrics) is replaced when ``replace``, else an InputError names it and nothing changes."""
    check_name(name)
    rows = pd.DataFrame({
        "name": name, "rank": np.arange(result.k, dtype=np.int32),
        "row_index": result.indices.astype(np.int64), "id": ids,
        "gain": result.gains, "objective": result.objective_trace})
    with connect(db) as con:
        con.execute("BEGIN TRANSACTION")
        try:
            _refuse_existing(con, name, replace)
            con.execute("DELETE FROM selections WHERE name = ?", [name])
            con.execute("DELETE FROM selection_rows WHERE name = ?", [name])
            con.execute("DELETE FROM metrics WHERE selection = ?", [name])
            con.execute(
                "INSERT INTO selections (name, pool_key, strategy, k, objective, config, timings,"
                " stopped_early) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [name, pool_key, str(result.config.get("strategy", "")), result.k,
                 result.objective, json.dumps(result.config, default=str),
                 json.dumps(result.timings), result.stopped_early])
            con.register("new_rows", rows)
            con.execute("INSERT INTO selection_rows SELECT name, rank, row_index, id, gain, "
                        "objective FROM new_rows")
            con.unregister("new_rows")
            con.execute("COMMIT")
        except Exception:
            con.execute("ROLLBACK")
            raise


def _refuse_existing(con, name: str, replace: bool) -> None:
    if replace:
        return
    row = con.execute("SELECT strategy, k, created FROM selections WHERE name = ?",
                      [name]).fetchone()
    if row is not None:
        raise InputError(exists_message({"name": name, "strategy": row[0], "k": row[1],
                                         "created": str(row[2]).split(".")[0]}), field="name")


def load_selection(db: Path, pool_key: str, name: str) -> SelectionResult:
    with connect(db, read_only=True) as con:
        head = con.execute("SELECT config, timings, stopped_early, pool_key FROM selections "
                           "WHERE name = ?", [name]).fetchone()
        if head is None:
            known = [r[0] for r in con.execute("SELECT name FROM selections WHERE pool_key = ? "
                                               "ORDER BY created", [pool_key]).fetchall()]
            raise InputError(f"no selection named {name!r}; saved selections: "
                             f"{', '.join(known) if known else 'none'}", field="selection")
        if head[3] != pool_key:
            raise InputError(f"selection {name!r} was made on a different pool (the workspace "
                             "has been re-loaded since); select again", field="selection")
        rows = con.execute("SELECT row_index, gain, objective FROM selection_rows WHERE name = ? "
                           "ORDER BY rank", [name]).fetchnumpy()
    return SelectionResult(indices=rows["row_index"], gains=rows["gain"],
                           objective_trace=rows["objective"], config=json.loads(head[0]),
                           timings=json.loads(head[1] or "{}"), stopped_early=head[2])


def list_selections(db: Path, pool_key: str) -> list[dict[str, Any]]:
    with connect(db, read_only=True) as con:
        rows = con.execute("SELECT name, strategy, k, objective, created, config FROM selections "
                           "WHERE pool_key = ? ORDER BY created, name", [pool_key]).fetchall()
    return [{"name": r[0], "strategy": r[1], "k": r[2], "objective": r[3],
             "created": str(r[4]), "config": json.loads(r[5])} for r in rows]


def delete_selection(db: Path, name: str) -> None:
    with connect(db) as con:
        con.execute("BEGIN TRANSACTION")
        for table, col in (("selections", "name"), ("selection_rows", "name"),
                           ("metrics", "selection")):
            con.execute(f"DELETE FROM {table} WHERE {col} = ?", [name])
        con.execute("COMMIT")


def save_metrics(db: Path, pool_key: str, selection: str, metrics: dict[str, Any],
                 options: dict[str, Any] | None = None) -> None:
    """Store ``metrics`` for ``selection`` with the ``options`` it was measured with
    (core.metrics.stored.metrics_options), replacing what was stored."""
    with connect(db) as con:
        con.execute("BEGIN TRANSACTION")
        con.execute("DELETE FROM metrics WHERE selection = ?", [selection])
        con.execute("INSERT INTO metrics (selection, pool_key, metrics, options) "
                    "VALUES (?, ?, ?, ?)",
                    [selection, pool_key, json.dumps(metrics, default=_jsonable),
                     None if options is None else json.dumps(options, default=_jsonable)])
        con.execute("COMMIT")


def load_metrics(db: Path, pool_key: str, selection: str) -> dict[str, Any] | None:
    record = load_metrics_record(db, pool_key, selection)
    return None if record is None else record[0]


def load_metrics_record(db: Path, pool_key: str, selection: str
                        ) -> tuple[dict[str, Any], dict[str, Any] | None] | None:
    """(report, options) stored for ``selection``; options None when a report was stored
    without them (before they were recorded); None when nothing is stored."""
    with connect(db, read_only=True) as con:
        cur = con.execute("SELECT * FROM metrics WHERE selection = ? AND pool_key = ?",
                          [selection, pool_key])
        row = cur.fetchone()
        names = [d[0] for d in cur.description]
    if row is None:
        return None
    values = dict(zip(names, row, strict=True))
    options = values.get("options")  # absent in a file no write has migrated yet
    return json.loads(values["metrics"]), (json.loads(options) if options else None)


def _jsonable(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    return str(value)
