"""Name -> strategy class, found by looking: every module of the ``core.select`` package that
defines a :class:`~core.select.base.Strategy` subclass with a ``name`` registers it.

Adding a strategy is one new module (its class, its declared ``params``, its docstring):
the CLI, the dashboard and reproduce all list and build strategies from here. Discovery is
lazy (the first lookup imports the strategy modules, ~1 s with numba), so commands that do
not select start without it.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Iterator, Mapping
from typing import Any

from core.errors import InputError
from core.select.base import Strategy

# Modules of core.select that hold the engine's plumbing, not strategies (skipped: importing
# core.select.run here would import this module back half-initialised).
NOT_STRATEGIES = frozenset({"base", "compose", "params", "progressive", "registry", "request",
                            "result", "run"})


class _Registry(Mapping[str, type[Strategy]]):
    """The strategies, ordered by their ``order`` then name; discovered on first use."""

    def __init__(self) -> None:
        self._found: dict[str, type[Strategy]] | None = None

    def _strategies(self) -> dict[str, type[Strategy]]:
        if self._found is None:
            self._found = discover()
        return self._found

    def refresh(self) -> None:
        """Look again (a module added to the package's path since the first lookup)."""
        self._found = None

    def __getitem__(self, name: str) -> type[Strategy]:
        return self._strategies()[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._strategies())

    def __len__(self) -> int:
        return len(self._strategies())


def discover() -> dict[str, type[Strategy]]:
    """Import every module of ``core.select`` and collect its Strategy subclasses."""
    import core.select as package

    found: dict[str, type[Strategy]] = {}
    for info in pkgutil.iter_modules(package.__path__):
        if info.name in NOT_STRATEGIES or info.name.startswith("_"):
            continue
        module = importlib.import_module(f"core.select.{info.name}")
        for obj in vars(module).values():
            if (isinstance(obj, type) and issubclass(obj, Strategy) and obj.name
                    and obj.__module__ == module.__name__):
                if obj.name in found and found[obj.name] is not obj:
                    raise RuntimeError(f"two strategies are named {obj.name!r}: "
                                       f"{found[obj.name].__module__} and {module.__name__}")
                found[obj.name] = obj
    return dict(sorted(found.items(), key=lambda kv: (kv[1].order, kv[0])))


STRATEGIES = _Registry()


def strategy_names() -> list[str]:
    return list(STRATEGIES)


def get_strategy(name: str, **params: Any) -> Strategy:
    """An instance of the named strategy; InputError for an unknown name or parameter."""
    cls = STRATEGIES.get(name)
    if cls is None:
        raise InputError(f"unknown strategy {name!r}; choose one of {', '.join(STRATEGIES)}",
                         field="strategy")
    strategy = cls(**params)
    strategy.check_params()
    return strategy
