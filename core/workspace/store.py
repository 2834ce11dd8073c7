"""The workspace's DuckDB file: selections, their rows, runs and metrics.

Connections are opened per operation and closed at once, so the dashboard and the CLI can
take turns on one file (DuckDB lets one process write at a time); a busy file is retried
for a few seconds. Every write is one transaction.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator
from pathlib import Path

import duckdb

SCHEMA = [
    """CREATE TABLE IF NOT EXISTS selections (
        name VARCHAR PRIMARY KEY, pool_key VARCHAR, strategy VARCHAR, k INTEGER,
        objective DOUBLE, config VARCHAR, timings VARCHAR, stopped_early VARCHAR,
        created TIMESTAMP DEFAULT current_timestamp)""",
    """CREATE TABLE IF NOT EXISTS selection_rows (
        name VARCHAR, rank INTEGER, row_index BIGINT, id VARCHAR, gain DOUBLE,
        objective DOUBLE)""",
    """CREATE TABLE IF NOT EXISTS metrics (
        selection VARCHAR PRIMARY KEY, pool_key VARCHAR, metrics VARCHAR,
        computed TIMESTAMP DEFAULT current_timestamp)""",
    # The options a metrics report was measured with (families, quality spec, ...), JSON;
    # added after the first release, so older files gain the column on their next write.
    "ALTER TABLE metrics ADD COLUMN IF NOT EXISTS options VARCHAR",
    """CREATE TABLE IF NOT EXISTS runs (
        run_id VARCHAR, command VARCHAR, config VARCHAR, seconds DOUBLE, status VARCHAR,
        started TIMESTAMP DEFAULT current_timestamp)""",
]


@contextlib.contextmanager
def connect(path: Path, *, read_only: bool = False, timeout: float = 15.0
            ) -> Iterator[duckdb.DuckDBPyConnection]:
    """Open the database (creating the schema on first write), retrying while it is locked."""
    if read_only and not path.exists():
        con = duckdb.connect(":memory:")
        _create_schema(con)
    else:
        deadline = time.monotonic() + timeout
        while True:
            try:
                con = duckdb.connect(str(path), read_only=read_only)
                break
            except duckdb.IOException as exc:
                if "lock" not in str(exc).lower() or time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
        if not read_only:
            _create_schema(con)
    try:
        yield con
    finally:
        con.close()


def _create_schema(con: duckdb.DuckDBPyConnection) -> None:
    for stmt in SCHEMA:
        con.execute(stmt)
