"""Quality spec strings (CLI ``--quality``, dashboard, manifests) -> scorers.

Grammar (whitespace around tokens is ignored)::

    spec   := "none" | term ("+" term)*
    term   := [weight "*"] atom          weight: a number > 0 (default 1)
    atom   := "length" | "heuristic" | "column:" NAME | "column:-" NAME
            | "learned:" NAME | "reward:" MODEL

``column:-NAME`` means lower is better. ``learned:NAME`` is a model fitted on the judged
rows of column NAME (core.quality.learned); ``reward:MODEL`` a Hugging Face reward model
(a hub name or a local folder, core.quality.reward). Both need a workspace. A sum is
taken over rank-normalised parts (core.quality.scorers.WeightedScorer), so weights are
relative and units do not matter.
Column names and model paths containing "+" or "*" cannot be written in a spec.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from core.errors import InputError
from core.quality.base import QualityScorer
from core.quality.heuristics import HeuristicScorer
from core.quality.scorers import ColumnScorer, LengthScorer, WeightedScorer

DEFAULT_SPEC = "heuristic"
_EXPECTED = ("expected length, heuristic, column:NAME, column:-NAME, learned:COLUMN, "
             "reward:MODEL, none, or a weighted sum such as 0.7*column:score+0.3*length")
_WEIGHT_RE = re.compile(r"^\s*([0-9]*\.?[0-9]+(?:[eE][-+]?[0-9]+)?)\s*\*\s*(.+)$")


def parse_quality_spec(spec: str | None, columns: Sequence[str] | None = None
                       ) -> QualityScorer | None:
    """The scorer for ``spec`` (None for "none"). With ``columns`` (the pool's column names)
    an unknown column is reported here, naming the available ones."""
    text = DEFAULT_SPEC if spec is None else str(spec).strip()
    if not text:
        raise InputError(f"empty quality spec; {_EXPECTED}", field="quality")
    if text.lower() == "none":
        return None
    terms = [t.strip() for t in text.split("+")]
    parts = [_parse_term(t, text, columns) for t in terms]
    if len(parts) == 1 and parts[0][0] == 1.0:
        return parts[0][1]
    return WeightedScorer(parts)


def canonical_spec(spec: str | None) -> str:
    """The normalised spelling of ``spec`` ("none" for no quality score)."""
    scorer = parse_quality_spec(spec)
    return "none" if scorer is None else scorer.spec


def _parse_term(term: str, whole: str, columns: Sequence[str] | None
                ) -> tuple[float, QualityScorer]:
    if not term:
        raise InputError(f"quality spec '{whole}' has an empty term; {_EXPECTED}",
                         field="quality")
    weight = 1.0
    match = _WEIGHT_RE.match(term)
    if match:
        weight = float(match.group(1))
        term = match.group(2).strip()
        if not weight > 0:
            raise InputError(f"quality weight must be greater than 0 in '{whole}'",
                             field="quality")
    elif "*" in term:
        raise InputError(f"cannot read the weight in quality term '{term}'; {_EXPECTED}",
                         field="quality")
    return weight, _parse_atom(term, whole, columns)


def _parse_atom(atom: str, whole: str, columns: Sequence[str] | None) -> QualityScorer:
    low = atom.lower()
    if low == "length":
        return LengthScorer()
    if low == "heuristic":
        return HeuristicScorer()
    if low == "none":
        raise InputError(f"'none' cannot be part of a weighted quality spec ('{whole}')",
                         field="quality")
    if low.startswith("column:"):
        name = atom[len("column:"):].strip()
        lower_is_better = name.startswith("-")
        name = name[1:].strip() if lower_is_better else name
        if not name:
            raise InputError(f"quality term '{atom}' names no column; {_EXPECTED}",
                             field="quality")
        if columns is not None and name not in columns:
            raise InputError(f"unknown column '{name}' for quality; available columns: "
                             f"{', '.join(map(str, columns))}", field="quality")
        return ColumnScorer(name, lower_is_better=lower_is_better)
    if low.startswith(("learned:", "reward:")):
        return _model_atom(atom, columns)
    raise InputError(f"unknown quality term '{atom}'; {_EXPECTED}", field="quality")


def _model_atom(atom: str, columns: Sequence[str] | None) -> QualityScorer:
    from core.quality.learned_workspace import LearnedScorer
    from core.quality.reward_job import RewardScorer

    prefix, _, name = atom.partition(":")
    name = name.strip()
    if not name:
        what = "column" if prefix.lower() == "learned" else "model"
        raise InputError(f"quality term '{atom}' names no {what}; {_EXPECTED}",
                         field="quality")
    if prefix.lower() == "reward":
        return RewardScorer(name)
    if columns is not None and name not in columns:
        raise InputError(f"unknown column '{name}' for learned quality; available columns: "
                         f"{', '.join(map(str, columns))}", field="quality")
    return LearnedScorer(name)
