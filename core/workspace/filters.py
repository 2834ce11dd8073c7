"""Candidate masks from a DuckDB predicate over the pool, run read-only on the pool alone.

The predicate runs in a private in-memory DuckDB with external access disabled, where the
only table is ``pool`` (the canonical pool plus ``row_index``): it can read no file,
touch no database and change nothing the user keeps.
"""

from __future__ import annotations

import duckdb
import numpy as np
import pandas as pd

from core.errors import InputError


def candidate_mask(frame: pd.DataFrame, where: str | None) -> np.ndarray:
    """bool (n,) of rows satisfying ``where`` (all rows when it is empty)."""
    n = len(frame)
    if where is None or not where.strip():
        return np.ones(n, dtype=bool)
    _check_single_predicate(where)
    table = frame.assign(row_index=np.arange(n, dtype=np.int64))
    con = duckdb.connect(":memory:")
    try:
        con.register("pool_df", table)
        con.execute("CREATE TEMP VIEW pool AS SELECT * FROM pool_df")
        con.execute("SET enable_external_access = false")
        con.execute("SET lock_configuration = true")
        try:
            rows = con.execute(f"SELECT row_index FROM pool WHERE ({where})").fetchnumpy()
        except duckdb.Error as exc:
            msg = " ".join(str(exc).split())
            raise InputError(f"invalid filter {where!r}: {msg[:200]}; columns: "
                             f"{', '.join(frame.columns)}", field="where") from None
    finally:
        con.close()
    mask = np.zeros(n, dtype=bool)
    mask[rows["row_index"]] = True
    return mask


def require_match(mask: np.ndarray, where: str) -> np.ndarray:
    """``mask`` itself, or an InputError saying that the filter ``where`` matched no row (a
    selection over nothing would otherwise fail later with a puzzling "k is larger than the 0
    candidate rows")."""
    if not mask.any():
        raise InputError(f"the filter {where!r} matched no row of the {mask.size:,}-row pool; "
                         "check the column name and the values it compares with", field="where")
    return mask


def _check_single_predicate(where: str) -> None:
    """Refuse text that is not one parenthesis-balanced expression without comments.

    The predicate is spliced into ``WHERE (...)``; a ``)`` that closes the wrapper early
    (``1=0) UNION SELECT 999 --``) would run a different query, so depth may never go
    below zero, and comments and ``;`` are refused outright.
    """
    try:
        tokens = duckdb.tokenize(where)
    except duckdb.Error as exc:  # pragma: no cover - the tokenizer accepts almost anything
        raise InputError(f"invalid filter {where!r}: {exc}", field="where") from None
    depth = 0
    bounds = [pos for pos, _ in tokens] + [len(where)]
    for (pos, kind), end in zip(tokens, bounds[1:], strict=True):
        text = where[pos:end]
        if kind == duckdb.token_type.comment:
            raise InputError("a filter may not contain SQL comments", field="where")
        if kind != duckdb.token_type.operator:
            continue
        if ";" in text:
            raise InputError("a filter is one SQL predicate; ';' is not allowed", field="where")
        for ch in text:
            depth += (ch == "(") - (ch == ")")
            if depth < 0:
                raise InputError("unbalanced ')' in the filter; expected one predicate such "
                                 "as category = 'open_qa' AND length(response) > 20",
                                 field="where")
    if depth != 0:
        raise InputError("unbalanced '(' in the filter", field="where")
