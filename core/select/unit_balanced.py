"""``unit_balanced``: the meso strategy of Macro-to-Micro (arXiv 2505.24768).

The types balanced over are instruction units (core.units: root verb + direct object,
"write poem", "classify sentiment") of the ``side`` ("instruction" or "response"), which
run_selection supplies as the context's labels (core.workspace.units, cached). ``parser``:
``rules`` (default: deterministic on every machine and ~1 s for 50,000 rows, the parser
the ``distinct_units`` measure uses too), ``spacy`` (an installed English pipeline, about
20 ms a row on this machine's loaded CPUs) or ``auto`` (spaCy when installed). The
paper's units are LLM-generated InsTag tags, clustered; verb + object is the offline
stand-in Self-Instruct and Data-Juicer use.

Sampler: exactly cluster_balanced's round-robin with units as clusters: the next pick
comes from the unit with the fewest picks so far, ties to units whose best candidate has
higher quality, then lower code; within a unit rows go by descending quality, ties to the
lower row. gains: 1 when a pick covers a unit for the first time; objective_trace: units
covered after each pick (METHODS.md's meso diversity, ``distinct_units`` in the metrics).
"""

from __future__ import annotations

from core.errors import InputError
from core.select.base import Picks, ProgressReporter, SelectionContext, SelectionPlan
from core.select.cluster_balanced import ClusterBalancedStrategy
from core.select.params import Param
from core.units import PARSERS

SIDES = ("instruction", "response")


class UnitBalancedStrategy(ClusterBalancedStrategy):
    """Round-robin over instruction units, best quality first within each."""

    name = "unit_balanced"
    order = 65
    summary = "Round-robin over instruction units (verb + object), best quality first (meso)."
    params = (
        Param("side", "str", "instruction", "whose units: the instruction's or the response's",
              choices=SIDES),
        Param("parser", "str", "rules", "how units are found: rules (fast, the metrics' "
              "parser), spacy (an installed English pipeline) or auto", choices=PARSERS),
    )
    n_clusters = None  # cluster_balanced's round-robin, with the units as its clusters
    label_column = None

    @property
    def unit_side(self) -> str:
        """Tells run_selection to supply this side's units as the context's labels."""
        return self.side

    def _select(self, ctx: SelectionContext, plan: SelectionPlan, seed: int,
                report: ProgressReporter) -> Picks:
        if ctx.labels is None:
            raise InputError("unit_balanced needs the rows' units as labels (run it through "
                             "run_selection on a workspace)", field="labels")
        picks = super()._select(ctx, plan, seed, report)
        picks.info = {"side": self.side, "n_units": picks.info["n_clusters"]}
        return picks
