"""The Select page's "Why these rows": core.explain's table in rank order; clicking a pick
shows its text and highlights on the map the pool rows it represents.

Off by default (a toggle): the explanation costs O(n k d) (about a second at k = 2,000 on
50,000 rows), which a slider release should not pay unless asked.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

import numpy as np
import pandas as pd
import streamlit as st

from core.explain import Explanation, explain_selection
from ui import data
from ui.map_figure import highlight_png

MEMO_KEY = "qdx_explain_memo"
KEEP = 4
COLUMNS = ["rank", "id", "gain", "coverage_part", "quality_part", "represents", "cluster",
           "instruction"]


def explanation(ws: Any, result: Any) -> Explanation:
    """core.explain.explain_selection, memoised per session for the last KEEP results."""
    digest = hashlib.sha1(np.ascontiguousarray(result.indices, dtype=np.int64).tobytes())
    digest.update(json.dumps(result.config, sort_keys=True, default=str).encode())
    key = f"{ws.pool_key}:{digest.hexdigest()}"
    memo: dict[str, Explanation] = st.session_state.setdefault(MEMO_KEY, {})
    if key not in memo:
        memo[key] = explain_selection(ws, result)
        while len(memo) > KEEP:
            memo.pop(next(iter(memo)))
    return memo[key]


def picks_table(ws: Any, exp: Explanation, width: int = 90) -> pd.DataFrame:
    """The table shown: one row per pick in rank order, with its instruction (clipped)."""
    table = exp.picks.copy()
    text = ws.pool_frame(["instruction"])["instruction"].to_numpy()[table["row"].to_numpy()]
    table["instruction"] = [t if len(t) <= width else t[:width - 1] + "…" for t in text]
    return table[COLUMNS]


def represented_rows(exp: Explanation, rank: int) -> np.ndarray:
    """Pool rows whose most similar pick is the pick at ``rank`` (itself included)."""
    return np.flatnonzero(exp.rep == int(rank))


def pick_detail(ws: Any, exp: Explanation, rank: int) -> dict[str, Any]:
    """The pick's text and the figures shown beside it."""
    rec = exp.picks.iloc[int(rank)]
    row = ws.pool_frame().iloc[int(rec["row"])]
    return {"rank": int(rank), "id": str(rec["id"]), "instruction": _text(row["instruction"]),
            "input": _text(row.get("input")), "response": _text(row.get("response")),
            "represents": int(rec["represents"]), "cluster": rec["cluster"],
            "closest_similarity": list(rec["closest_similarity"])}


def _text(value: Any) -> str:
    return "" if value is None or (not isinstance(value, str) and pd.isna(value)) else str(value)


def why_these_rows(ws: Any, result: Any, embedding_key: str) -> None:
    """The toggle, the table and, for a clicked pick, its text and represented rows."""
    if not st.toggle("Why these rows", key="p_explain",
                     help="Each pick's gain split into coverage and quality, how many pool "
                     "rows it represents (their most similar pick) and its cluster. Click a "
                     "row to see the pick and the rows it represents on the map."):
        return
    exp = explanation(ws, result)
    event = st.dataframe(picks_table(ws, exp), hide_index=True, on_select="rerun",
                         selection_mode="single-row", key="explain_table", height=300)
    by = "the kNN graph" if exp.similarity == "knn" else "cosine similarity"
    st.caption(f"gain = coverage_part + quality_part; represents: pool rows whose most "
               f"similar pick this is, by {by}"
               + (f"; {exp.unrepresented:,} rows have no pick among their neighbours"
                  if exp.unrepresented else "") + ". `python -m core explain` prints the same.")
    chosen = list(getattr(getattr(event, "selection", None), "rows", []) or [])
    if not chosen:
        return
    detail = pick_detail(ws, exp, chosen[0])
    rows = represented_rows(exp, detail["rank"])
    left, right = st.columns([1, 1])
    with left:
        st.markdown(f"**Pick {detail['rank']}** · `{detail['id']}` · cluster "
                    f"{detail['cluster']} · represents {detail['represents']:,} rows")
        st.text(detail["instruction"] + (f"\n\n{detail['input']}" if detail["input"] else ""))
        st.text(detail["response"][:1500])
    with right:
        raster = data.map_raster(str(ws.root), embedding_key)
        png = highlight_png(raster.rgba, raster.px[rows], raster.py[rows],
                            raster.clusters[rows], radius=3 if len(rows) <= 1_000 else 2)
        st.image(png, caption=f"the {len(rows):,} rows pick {detail['rank']} represents",
                 width="stretch")
