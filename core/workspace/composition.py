"""What a pool is made of, per source: rows, training tokens and mean quality.

``source_summary(ws)`` groups the pool by its ``source`` column when it was loaded from
several files (``core.pool.sources``), else it is one group named after the file. Tokens
are ``core.workspace.tokens.token_counts`` (instruction + response); quality is the
workspace quality of ``quality_spec``, rank-normalised over the whole pool, so a source's
mean is its mean percentile (0.5 = the pool's average).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from core.workspace.tokens import token_counts


def source_labels(ws: Any) -> pd.Series:
    """The source name of every row (the file's name for a one-file pool)."""
    frame = ws.pool_frame(["source"])
    if ws.pool_info.get("sources"):
        return frame["source"].astype(str)
    return pd.Series(Path(str(ws.pool_info["source"])).stem, index=frame.index)


def source_summary(ws: Any, quality_spec: str | None = "heuristic",
                   tokenizer: str | None = None) -> pd.DataFrame:
    """DataFrame [source, rows, tokens, mean_quality] in first-seen order of the sources
    (mean_quality None when ``quality_spec`` is None or "none")."""
    from core.quality import workspace_quality

    counts = token_counts(ws, tokenizer)
    quality = workspace_quality(ws, quality_spec) if quality_spec else None
    table = pd.DataFrame({"source": source_labels(ws).to_numpy(),
                          "tokens": counts["instruction_tokens"] + counts["response_tokens"],
                          "quality": quality if quality is not None else float("nan")})
    grouped = table.groupby("source", sort=False)
    out = pd.DataFrame({"rows": grouped.size(), "tokens": grouped["tokens"].sum(),
                        "mean_quality": grouped["quality"].mean().round(4)}).reset_index()
    if quality is None:
        out["mean_quality"] = None
    return out
