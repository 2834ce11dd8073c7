"""Declared strategy parameters: one declaration per parameter, next to the strategy.

A strategy lists its parameters as ``params = (Param(...), ...)``. Everything else is
derived from that tuple, so adding a parameter (or a strategy) edits one place:

- construction and ``get_params`` (``Strategy.__init__`` stores each declared parameter,
  its default when not given; scikit-learn style, nothing else happens there);
- validation (``Param.check``: type, range, choices; one-line InputError naming it);
- the CLI (``python -m core select --help`` lists every strategy's parameters, and any
  declared parameter can be given as ``--NAME VALUE`` or ``--param NAME=VALUE``);
- the dashboard's widgets (``ui.params`` draws each shown parameter from its declaration;
  ``main=True`` marks the slider beside the budget, the rest go in "More parameters");
- the prefetcher's sliders (``ui.prefetch.sliders()``: the main slider of a strategy whose
  ``prefetch`` is true) and the manifest (``config["params"]`` is ``get_params()``).

Kinds: "float", "int", "str" (with ``choices``), "column" (a pool column's name: the
dashboard offers the pool's categorical columns), "any" (a JSON value the dashboard does
not show). ``optional`` admits None ("not set": e.g. a label column instead of k-means).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from core.errors import InputError

KINDS = ("float", "int", "str", "column", "any")


@dataclass(frozen=True)
class Param:
    """One strategy parameter.

    low/high: inclusive bounds for numbers (``low_open`` makes the lower one exclusive, as
    in "greater than 0"); step: the dashboard's step (and the prefetcher's, for the main
    slider); main: the strategy's slider beside the budget; ui: False hides it from the
    dashboard (engine knobs such as dpp's panel size stay CLI-only).
    """

    name: str
    kind: str
    default: Any
    help: str
    low: float | None = None
    high: float | None = None
    low_open: bool = False
    step: float | None = None
    choices: tuple[Any, ...] | None = None
    optional: bool = False
    main: bool = False
    ui: bool = True
    label: str | None = None

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"parameter {self.name}: kind must be one of {KINDS}")

    @property
    def title(self) -> str:
        return self.label or self.name.replace("_", " ")

    def check(self, value: Any) -> Any:
        """``value`` coerced to this parameter's type; InputError (one line) when invalid."""
        if value is None:
            if self.optional:
                return None
            raise InputError(f"{self.name} must be set ({self.describe()})", field=self.name)
        if self.kind in ("float", "int"):
            return self._check_number(value)
        if self.kind in ("str", "column"):
            if not isinstance(value, str) or not value:
                raise InputError(f"{self.name} must be {self.describe()}, got {value!r}",
                                 field=self.name)
        if self.choices is not None and value not in self.choices:
            raise InputError(f"{self.name} must be one of {', '.join(map(str, self.choices))}; "
                             f"got {value!r}", field=self.name)
        return value

    def _check_number(self, value: Any) -> float | int:
        ok = (isinstance(value, (int, float, np.integer, np.floating))
              and not isinstance(value, bool) and math.isfinite(float(value)))
        if ok and self.kind == "int":
            ok = float(value) == int(value)
        if ok and self.low is not None:
            ok = float(value) > self.low if self.low_open else float(value) >= self.low
        if ok and self.high is not None:
            ok = float(value) <= self.high
        if not ok:
            raise InputError(f"{self.name} must be {self.describe()}, got {value!r}",
                             field=self.name)
        return int(value) if self.kind == "int" else float(value)

    def describe(self) -> str:
        """What a valid value is, in words ("a number in [0, 1]")."""
        if self.kind in ("float", "int"):
            what = "a whole number" if self.kind == "int" else "a number"
            if self.low is not None and self.high is not None and not self.low_open:
                what += f" in [{self.low:g}, {self.high:g}]"
            elif self.low is not None:
                what += f" {'greater than' if self.low_open else 'at least'} {self.low:g}"
                if self.high is not None:
                    what += f" and at most {self.high:g}"
        elif self.choices is not None:
            what = "one of " + ", ".join(map(str, self.choices))
        elif self.kind == "column":
            what = "a column of the pool"
        elif self.kind == "str":
            what = "a non-empty text"
        else:
            what = "a JSON value"
        return what + (" or none" if self.optional else "")

    def help_line(self) -> str:
        """One line for the CLI help: name, valid values, default, help."""
        default = "none" if self.default is None else f"{self.default!r}"
        return f"{self.name} ({self.describe()}; default {default}): {self.help}"


def parse_cli_value(text: str) -> Any:
    """A value from the command line: JSON (numbers, null, true) or else the text itself."""
    import json

    try:
        return json.loads(text)
    except json.JSONDecodeError:
        return text
