"""Instruction units of a workspace's pool (core.units), cached per side and parser."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from core.errors import InputError
from core.units import resolve_parser, spacy_pipeline, text_units

SIDES = ("instruction", "response")


def workspace_units(ws: Any, side: str = "instruction", parser: str = "auto"
                    ) -> tuple[np.ndarray, list[str], str]:
    """(codes int64 (n,), unit names, resolved parser) of every row's unit on ``side``
    ("instruction": the instruction without its input; "response"). Codes index the names,
    in first-seen order. Cached in the workspace: spaCy takes about 20 ms a row."""
    if side not in SIDES:
        raise InputError(f"unknown side {side!r}; expected instruction or response",
                         field="side")
    resolved = resolve_parser(parser)
    key: dict[str, Any] = {"side": side, "parser": resolved, "version": 1}
    if resolved == "spacy":
        meta = spacy_pipeline().meta
        key["model"] = f"{meta.get('name')}-{meta.get('version')}"

    def compute() -> np.ndarray:
        texts = ws.pool_frame([side if side == "instruction" else "response"])
        return np.array(text_units(texts.iloc[:, 0].fillna("").tolist(), resolved), dtype=str)

    units = ws.cached_array("units", key, compute)
    codes, names = pd.factorize(pd.Series(units))
    return codes.astype(np.int64), [str(u) for u in names], resolved


def unit_column(ws: Any, side: str = "instruction", top: int = 19) -> np.ndarray:
    """Each row's unit (rules parser) as text, the ``top`` most frequent units kept and the
    rest "(other)": a categorical column a map can colour by (str (n,))."""
    codes, names, _ = workspace_units(ws, side, "rules")
    counts = np.bincount(codes, minlength=len(names))
    keep = np.argsort(-counts, kind="stable")[:top]
    labels = np.full(len(names), "(other)", dtype=object)
    labels[keep] = [names[i] for i in keep]
    return labels[codes].astype(str)
