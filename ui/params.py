"""The Select page's strategy parameter widgets, drawn from the strategies' declarations.

Each declared parameter (core.select.params.Param) with ``ui=True`` gets one widget: the
``main`` one beside the budget (a slider keyed ``p_NAME``, e.g. ``p_alpha``), the others in
"More parameters" (keyed ``p_STRATEGY_NAME``). A new strategy's parameters appear here with
no edit to this module or the page.
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from core.select.params import Param

NO_COLUMN = "(none: k-means)"


def widget_key(strategy: str, param: Param) -> str:
    return f"p_{param.name}" if param.main else f"p_{strategy}_{param.name}"


def draw_param(slot, strategy: str, param: Param, columns: list[str]) -> Any:
    """One widget for ``param`` in ``slot``; returns the value the strategy receives.

    columns: the pool's categorical columns, offered for a "column" parameter."""
    key = widget_key(strategy, param)
    label = param.title
    if param.kind == "float" and param.low is not None and param.high is not None:
        value = slot.slider(label, float(param.low), float(param.high), float(param.default),
                            float(param.step or (param.high - param.low) / 20), key=key,
                            help=param.help)
        return round(float(value), 6)  # background runs are keyed by the exact value
    if param.kind in ("float", "int"):
        is_int = param.kind == "int"
        low = param.low if param.low is None else (int(param.low) + int(param.low_open)
                                                   if is_int else float(param.low))
        value = slot.number_input(
            label, min_value=low, max_value=None if param.high is None else
            (int(param.high) if is_int else float(param.high)), value=param.default,
            step=(int(param.step or 1) if is_int else param.step), key=key, help=param.help,
            placeholder="default" if param.optional else None)
        if value is None:
            return None
        return int(value) if is_int else float(value)
    if param.kind == "column":
        options = [NO_COLUMN, *columns] if param.optional else list(columns)
        choice = slot.selectbox(label, options, key=key, help=param.help)
        return None if choice == NO_COLUMN else choice
    if param.choices is not None:
        options = list(param.choices)
        return slot.selectbox(label, options, index=options.index(param.default), key=key,
                              help=param.help)
    return slot.text_input(label, value=param.default or "", key=key, help=param.help) or None


def draw_strategy_params(strategy_cls, main_slot, columns: list[str]) -> tuple[dict, int]:
    """The strategy's main slider in ``main_slot``, its other shown parameters and the seed
    in a "More parameters" expander; returns (params, seed)."""
    name = strategy_cls.name
    params: dict[str, Any] = {}
    main = strategy_cls.main_param()
    if main is not None and main.ui:
        params[main.name] = draw_param(main_slot, name, main, columns)
    with st.expander("More parameters"):
        for param in strategy_cls.params:
            if param.ui and not param.main:
                params[param.name] = draw_param(st, name, param, columns)
        seed = int(st.number_input("seed", 0, 10_000, 0, key="p_seed"))
        doc = (strategy_cls.__doc__ or "").strip().splitlines()
        st.caption(doc[0] if doc else "")
    return params, seed
