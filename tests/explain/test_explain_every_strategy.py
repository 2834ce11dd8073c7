"""core.explain on every registered strategy (a 48-row workspace): the parts add up, the
represented rows add up, and --row answers for picked, missed and filtered-out rows."""

from __future__ import annotations

import numpy as np
import pytest

from core.explain import explain_row, explain_selection
from core.explain.laststep import SCORED
from core.select.registry import STRATEGIES
from core.select.request import SelectionRequest
from core.select.run import run_selection

PARAMS = {"daar": {"n_domains": 3, "steps": 20}, "cluster_balanced": {"n_clusters": 4},
          "token_coverage": {"min_count": 1, "max_count": 40}}


@pytest.mark.parametrize("strategy", sorted(STRATEGIES))
def test_every_strategy_is_explained(tiny_workspace, strategy):
    ws = tiny_workspace
    result = run_selection(ws, SelectionRequest(strategy, 6, PARAMS.get(strategy, {}),
                                                quality="length", where="score < 4"))
    exp = explain_selection(ws, result)
    picks = exp.picks
    assert picks["rank"].tolist() == list(range(result.k))
    assert picks["row"].tolist() == result.indices.tolist()
    assert np.allclose(picks["coverage_part"] + picks["quality_part"], result.gains)
    assert picks["represents"].sum() == ws.n_rows - exp.unrepresented
    assert (picks["represents"] >= 1).all()  # a pick represents at least itself
    assert picks["cluster"].notna().all()
    ids = ws.pool_frame(["id"])["id"].astype(str).tolist()
    scores = ws.pool_frame(["score"])["score"].to_numpy()
    free = [i for i in range(ws.n_rows) if i not in set(result.indices) and scores[i] < 4]
    missed = explain_row(ws, result, ids[free[0]], exp)
    assert not missed["picked"] and missed["candidate"]
    if strategy in SCORED:
        assert missed["missed_by"] == pytest.approx(missed["last_gain"]
                                                    - missed["score_at_last_step"])
    else:
        assert missed["missed_by"] is None and "does not score" in missed["note"]
    filtered = explain_row(ws, result, ids[int(np.flatnonzero(scores >= 4)[0])], exp)
    assert filtered["candidate"] is False and "not a candidate" in filtered["note"]
