"""The options a stored metrics report was measured with, and whether it answers a request.

A report saved with a selection (``Workspace.save_metrics``) carries its options: which
families were measured, the quality spec (canonical), the candidate predicate of the random
baseline, the number of random subsets, the clusters and the text measures. A consumer
that needs a given set (the export's manifest and card: every family, measured with the
selection's own quality spec) asks :func:`mismatch` and recomputes when the stored report is
partial or was measured otherwise, instead of shipping it.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from core.metrics.measures import FAMILIES
from core.metrics.values import TEXT_PARTS
from core.quality import DEFAULT_SPEC, canonical_spec

DEFAULT_RANDOM_SEEDS = 3


def metrics_options(*, families: Iterable[str] = FAMILIES, quality: str | None = DEFAULT_SPEC,
                    where: str | None = None, n_random: int = DEFAULT_RANDOM_SEEDS,
                    n_clusters: int | None = None, label_column: str | None = None,
                    text_parts: Iterable[str] = TEXT_PARTS) -> dict[str, Any]:
    """The JSON-able record of how a report was (or is to be) measured."""
    where = where.strip() if where and where.strip() else None
    return {"families": sorted(set(families)), "quality": canonical_spec(quality),
            "where": where, "n_random": int(n_random), "n_clusters": n_clusters,
            "label_column": label_column, "text_parts": sorted(set(text_parts))}


def full_options(config: dict[str, Any]) -> dict[str, Any]:
    """Every family, measured the way ``python -m core metrics`` measures a selection by
    default: its own quality spec and candidate predicate, 3 random subsets, k-means."""
    return metrics_options(quality=config.get("quality", DEFAULT_SPEC),
                           where=config.get("where"))


def mismatch(stored: dict[str, Any] | None, wanted: dict[str, Any]) -> str | None:
    """None when a report measured with ``stored`` options holds what ``wanted`` asks for,
    else why not, e.g. "it holds only the quality measures" or "its quality measures used
    length, not heuristic"."""
    if stored is None:
        return "it was stored without its options"
    missing = sorted(set(wanted["families"]) - set(stored.get("families") or ()))
    if missing:
        held = ", ".join(stored.get("families") or ()) or "no"
        return f"it holds only the {held} measures (not {', '.join(missing)})"
    if "text" in wanted["families"] and \
            set(wanted["text_parts"]) - set(stored.get("text_parts") or ()):
        return "it holds only some of the text measures"
    for key, label in (("quality", "its quality measures used"),
                       ("where", "its random baseline was drawn from"),
                       ("n_random", "its random baseline averaged"),
                       ("n_clusters", "its clusters were"),
                       ("label_column", "its clusters came from")):
        if stored.get(key) != wanted.get(key):
            return f"{label} {_shown(stored.get(key))}, not {_shown(wanted.get(key))}"
    return None


def _shown(value: Any) -> str:
    return "the default" if value is None else str(value)
