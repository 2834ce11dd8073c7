"""The Select page's budgets beyond k (a quota on a categorical column, a token budget) and
the composition they produced: what the request carries and what the result's config says
(``info.quota``, ``info.tokens``; core.select.compose)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from core.errors import InputError
from core.select.request import Quota


def draw_budget_inputs(columns: list[str]) -> tuple[Quota | None, int | None]:
    """An expander with the quota and the token budget; (quota, budget_tokens), None when
    unset. A quota that does not parse is reported and left out."""
    with st.expander("Quota and token budget"):
        example = f"{columns[0]}=VALUE:0.5,VALUE:0.5" if columns else "source=general:0.5,..."
        text = st.text_input("Quota", key="p_quota", placeholder=example,
                             help="COLUMN=VALUE:SHARE,... (shares of k summing to 1, or row "
                             "counts summing to k) on a categorical column"
                             + (f": {', '.join(columns)}" if columns else "")
                             + ". Each part is filled by the strategy in turn.")
        budget = st.number_input("Token budget", min_value=1, value=None, step=10_000,
                                 key="p_budget_tokens", placeholder="none",
                                 help="stop before the pick that would take the selection "
                                 "past this many training tokens (instruction + response)")
    quota = None
    if text and text.strip():
        try:
            quota = Quota.parse(text.strip())
        except InputError as exc:
            st.error(exc.one_line())
    return quota, None if budget is None else int(budget)


def draw_composition(result) -> None:
    """The quota's parts (quota, picked, pool share) and the selection's tokens, when set."""
    info = result.config.get("info") or {}
    if "quota" in info:
        quota = info["quota"]
        total_pool = sum(p["pool"] for p in quota["parts"].values()) or 1
        table = pd.DataFrame([{quota["column"]: value, "quota": p["quota"],
                               "picked": p["picked"],
                               "picked share": p["picked"] / max(result.k, 1),
                               "pool rows": p["pool"], "pool share": p["pool"] / total_pool}
                              for value, p in quota["parts"].items()])
        st.dataframe(table, hide_index=True, key="quota_table",
                     column_config={c: st.column_config.NumberColumn(format="%.2f")
                                    for c in ("picked share", "pool share")})
    if "tokens" in info:
        tokens = info["tokens"]
        st.caption(f"{tokens['total']:,} training tokens of a {tokens['budget']:,} budget "
                   f"({tokens['counted']}).")
