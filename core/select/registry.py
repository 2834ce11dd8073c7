"""Name -> strategy class: the one place that lists what the engine can do."""

from __future__ import annotations

from typing import Any

from core.errors import InputError
from core.select.base import Strategy
from core.select.cluster_balanced import ClusterBalancedStrategy
from core.select.daar import DaarStrategy
from core.select.deita import DeitaStrategy
from core.select.dpp import DppStrategy
from core.select.kcenter import KCenterStrategy
from core.select.qdit import QditStrategy
from core.select.quality_topk import QualityStrategy
from core.select.random_sample import RandomStrategy
from core.select.token_coverage import TokenCoverageStrategy
from core.select.unit_balanced import UnitBalancedStrategy

STRATEGIES: dict[str, type[Strategy]] = {cls.name: cls for cls in (
    RandomStrategy, QualityStrategy, QditStrategy, DppStrategy, KCenterStrategy,
    ClusterBalancedStrategy, UnitBalancedStrategy, DaarStrategy, DeitaStrategy,
    TokenCoverageStrategy)}


def strategy_names() -> list[str]:
    return list(STRATEGIES)


def get_strategy(name: str, **params: Any) -> Strategy:
    """An instance of the named strategy; InputError for an unknown name or parameter."""
    cls = STRATEGIES.get(name)
    if cls is None:
        raise InputError(f"unknown strategy {name!r}; choose one of {', '.join(STRATEGIES)}",
                         field="strategy")
    allowed = cls.param_names()
    unknown = [p for p in params if p not in allowed]
    if unknown:
        have = ", ".join(allowed) if allowed else "none"
        raise InputError(f"strategy '{name}' has no parameter '{unknown[0]}' (its parameters: "
                         f"{have})", field=unknown[0])
    strategy = cls(**params)
    strategy.check_params()
    return strategy
