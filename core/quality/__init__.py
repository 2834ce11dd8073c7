"""Quality scorers: one protocol (a float per row, higher is better), rank-normalised to
[0, 1] before a score meets a selection objective. See core.quality.spec for the spec
strings (``length``, ``heuristic``, ``column:NAME``, ``column:-NAME``, ``none``, weighted
sums)."""

from core.quality.base import QualityScorer, rank_normalize
from core.quality.compute import quality_scores, workspace_quality
from core.quality.heuristics import HeuristicScorer, heuristic_flags, heuristic_scores
from core.quality.scorers import ColumnScorer, LengthScorer, WeightedScorer
from core.quality.spec import DEFAULT_SPEC, canonical_spec, parse_quality_spec

__all__ = ["DEFAULT_SPEC", "ColumnScorer", "HeuristicScorer", "LengthScorer", "QualityScorer",
           "WeightedScorer", "canonical_spec", "heuristic_flags", "heuristic_scores",
           "parse_quality_spec", "quality_scores", "rank_normalize", "workspace_quality"]
