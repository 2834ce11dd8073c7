"""The selection engine: every strategy behind one interface (see core.select.base).

    from core.select import get_strategy, SelectionContext
    result = get_strategy("qdit", alpha=0.7).select(ctx, k=1000)

``core.select.run.run_selection`` builds the context from a workspace and is the one entry
point the CLI, the dashboard and export/reproduce share.
"""

from core.select.base import SelectionContext, Strategy
from core.select.registry import STRATEGIES, get_strategy, strategy_names
from core.select.result import SelectionResult

__all__ = ["STRATEGIES", "SelectionContext", "SelectionResult", "Strategy", "get_strategy",
           "strategy_names"]
