"""SelectionRequest (normalisation, key, config round trip), quotas and token budgets on a
real (tiny) workspace, checked against runs made by hand."""

from __future__ import annotations

import numpy as np
import pytest

from core.embed import create_embedder
from core.errors import InputError
from core.pool import load_pool
from core.select.request import Quota, SelectionRequest
from core.select.run import rerun_selection, row_tokens, run_selection
from core.workspace import Workspace
from tests.synthetic import write_jsonl

TOPICS = ("math", "code", "travel")


@pytest.fixture(scope="module")
def ws(tmp_path_factory):
    root = tmp_path_factory.mktemp("request-ws")
    records = [{"instruction": f"Question {i} about {TOPICS[i % 3]} and item {i % 7}.",
                "input": "", "category": TOPICS[i % 3], "score": float(i % 11),
                "output": f"The {TOPICS[i % 3]} answer {i}. " * (1 + i % 6)}
               for i in range(120)]
    ws = Workspace.create(root / "ws", load_pool(write_jsonl(root / "pool.jsonl", records)))
    ws.embed(create_embedder("hashing"), "instruction")
    return ws


def test_construction_normalises_so_equal_requests_have_equal_keys():
    a = SelectionRequest("qdit", 10, {"alpha": 0.5}, quality=" 0.5 * length + 0.5*heuristic ",
                         where="  ", exclude_ids=["b", "a"], restrict_ids=("z", "y"))
    b = SelectionRequest("qdit", np.int64(10), {"alpha": 0.5},
                         quality="0.5*length+0.5*heuristic", exclude_ids=("a", "b"),
                         restrict_ids=["y", "z"])
    assert a == b and a.key() == b.key()
    assert a.where is None and a.exclude_ids == ("a", "b") and a.restrict_ids == ("y", "z")
    assert a.key() != a.with_params(alpha=0.55).key()
    with pytest.raises(TypeError):
        a.params["alpha"] = 0.9  # frozen all the way down
    with pytest.raises(InputError, match="unknown quality term"):
        SelectionRequest("qdit", 5, quality="lenght")
    with pytest.raises(InputError, match="token budget must be a whole number of at least 1"):
        SelectionRequest("qdit", 5, budget_tokens=0)


def test_config_round_trip_and_old_configs():
    request = SelectionRequest("dpp", 20, {"lam": 0.3}, quality="length", seed=4,
                               where="category = 'code'", must_include=(3, 1),
                               exclude_ids=("x",), quota=Quota.parse("category=code:1"),
                               budget_tokens=900)
    assert SelectionRequest.from_config(request.to_config()) == request
    old = {"strategy": "qdit", "k": 5, "params": {"alpha": 0.2}, "quality": "heuristic",
           "seed": 0, "where": None, "must_include": []}  # written before quota existed
    assert SelectionRequest.from_config(old) == SelectionRequest("qdit", 5, {"alpha": 0.2},
                                                                 drop_filter={})
    with pytest.raises(InputError, match="selection config lacks 'k'"):
        SelectionRequest.from_config({"strategy": "qdit"})


@pytest.mark.parametrize("text, k, counts", [
    ("source=general:0.5,math:0.3,code:0.2", 10, {"general": 5, "math": 3, "code": 2}),
    ("source=general:0.5,math:0.3,code:0.2", 7, {"general": 4, "math": 2, "code": 1}),
    ("source=a:0.34,b:0.33,c:0.33", 2, {"a": 1, "b": 1, "c": 0}),
    ("category=code:6,math:4", 10, {"code": 6, "math": 4}),
])
def test_quota_counts_sum_to_k(text, k, counts):
    assert Quota.parse(text).counts(k) == counts


@pytest.mark.parametrize("text, k, message", [
    ("source", 10, "expected COLUMN=VALUE:SHARE"),
    ("source=a:x", 10, "--quota part 'a:x'"),
    ("source=a:0.5,a:0.5", 10, "names a value twice"),
    ("source=a:0.5,b:0.4", 10, "sum to 0.9, not 1"),
    ("source=a:6,b:5", 10, "sum to 11, not k=10"),
])
def test_bad_quotas_get_one_line(text, k, message):
    with pytest.raises(InputError, match=message):
        Quota.parse(text).counts(k)


def test_quota_parts_are_the_greedy_within_each_part(ws):
    """Part by part: part 1 is the plain greedy on its rows; part 2 the greedy on its rows
    with part 1's picks pinned first (what run_selection gives when asked by hand)."""
    request = SelectionRequest("qdit", 12, {"alpha": 0.3}, quality="column:score",
                               quota=Quota.parse("category=code:0.5,travel:0.5"))
    result = run_selection(ws, request)
    cats = ws.pool_frame()["category"].to_numpy()[result.indices]
    assert cats.tolist() == ["code"] * 6 + ["travel"] * 6
    first = run_selection(ws, SelectionRequest("qdit", 6, {"alpha": 0.3}, quality="column:score",
                                               where="category = 'code'"))
    both = run_selection(ws, SelectionRequest("qdit", 12, {"alpha": 0.3},
                                              quality="column:score",
                                              where="category = 'travel'",
                                              must_include=tuple(first.indices.tolist())))
    assert result.indices.tolist() == both.indices.tolist()
    assert np.allclose(result.gains, both.gains)
    info = result.config["info"]["quota"]
    assert info["parts"]["code"] == {"quota": 6, "picked": 6, "pool": 40}
    assert result.config["k"] == 12 and result.config["must_include"] == []
    assert rerun_selection(ws, result.config).indices.tolist() == result.indices.tolist()


def test_quota_refusals(ws):
    run = lambda quota, **kw: run_selection(ws, SelectionRequest(  # noqa: E731
        "random", 10, quota=Quota.parse(quota), **kw))
    with pytest.raises(InputError, match="unknown quota column 'topic'"):
        run("topic=code:1")
    with pytest.raises(InputError, match="quota value 'art' matches no row"):
        run("category=code:0.5,art:0.5")
    frame = ws.pool_frame()
    have = int(((frame["category"] == "code") & (frame["score"] < 2)).sum())
    assert 0 < have < 10
    with pytest.raises(InputError, match=f"asks for 10 rows with category='code'; only {have} "):
        run("category=code:1", where="score < 2")
    with pytest.raises(InputError, match="must-include row 0 has category='math', which"):
        run("category=code:1", must_include=(0,))


def test_token_budget_cuts_the_run_before_the_pick_that_passes_it(ws):
    tokens, _ = row_tokens(ws)
    full = run_selection(ws, SelectionRequest("kcenter", 40))
    spent = np.cumsum(tokens[full.indices])
    budget = int(spent[24]) + 1  # room for 25 picks, not 26 (the 26th has >= 1 token)
    cut = run_selection(ws, SelectionRequest("kcenter", 40, budget_tokens=budget))
    assert cut.indices.tolist() == full.indices[:25].tolist()
    assert cut.config["info"]["tokens"]["total"] == int(spent[24]) <= budget
    assert "token budget of" in cut.stopped_early and cut.config["budget_tokens"] == budget
    assert rerun_selection(ws, cut.config).indices.tolist() == cut.indices.tolist()
    roomy = run_selection(ws, SelectionRequest("kcenter", 40, budget_tokens=10**9))
    assert roomy.k == 40 and roomy.stopped_early is None
    with pytest.raises(InputError, match="the first pick alone has"):
        run_selection(ws, SelectionRequest("kcenter", 40, budget_tokens=1))


def test_token_budget_under_a_quota_is_shared_by_the_parts(ws):
    tokens, _ = row_tokens(ws)
    request = SelectionRequest("qdit", 20, {"alpha": 0.5},
                               quota=Quota.parse("category=code:0.5,math:0.5"),
                               budget_tokens=int(tokens.mean() * 10))
    result = run_selection(ws, request)
    cats = ws.pool_frame()["category"].to_numpy()[result.indices]
    for value in ("code", "math"):
        part = result.indices[cats == value]
        assert 0 < len(part) and tokens[part].sum() <= request.budget_tokens / 2
    assert result.config["info"]["tokens"]["total"] == int(tokens[result.indices].sum())


@pytest.mark.parametrize("strategy, params", [("qdit", {"alpha": 0.4}), ("dpp", {"lam": 0.3}),
                                              ("kcenter", {})])
def test_a_progressive_run_shows_its_head_then_equals_the_direct_run(ws, strategy, params):
    from core.select.progressive import can_run_progressively, run_progressively

    request = SelectionRequest(strategy, 40, params, quality="column:score",
                               must_include=(5,))
    assert can_run_progressively(request)
    heads = []
    result = run_progressively(ws, request, 10, on_partial=heads.append)
    direct = run_selection(ws, request)
    assert len(heads) == 1 and heads[0].indices.tolist() == direct.indices[:10].tolist()
    assert result.indices.tolist() == direct.indices.tolist()
    np.testing.assert_allclose(result.gains, direct.gains, rtol=1e-6)
    np.testing.assert_allclose(result.objective_trace, direct.objective_trace, rtol=1e-6)
    assert result.config["k"] == 40 and result.config["must_include"] == [5]
    assert rerun_selection(ws, result.config).indices.tolist() == direct.indices.tolist()
    assert "first_picks" in result.timings


def test_progressive_runs_only_where_the_order_survives_pins():
    from core.select.progressive import can_run_progressively

    assert not can_run_progressively(SelectionRequest("random", 40))
    assert not can_run_progressively(SelectionRequest("cluster_balanced", 40))
    assert not can_run_progressively(SelectionRequest(
        "qdit", 40, quota=Quota.parse("category=code:1")))
    assert not can_run_progressively(SelectionRequest("qdit", 40, budget_tokens=500))


def test_the_first_stage_is_a_quarter_of_k_bounded_for_dpp_on_a_large_pool():
    from core.select.progressive import first_stage_size
    from core.select.registry import STRATEGIES

    assert first_stage_size(SelectionRequest("qdit", 2000), 50_000, 384) == 500
    assert first_stage_size(SelectionRequest("dpp", 2000), 3_000, 384) == 500
    work = STRATEGIES.get("dpp").first_stage_work
    assert first_stage_size(SelectionRequest("dpp", 2000), 50_000, 384) == 100
    assert first_stage_size(SelectionRequest("dpp", 2000), 50_000, 256) == 150
    assert work // (50_000 * 384) == 100
    assert first_stage_size(SelectionRequest("dpp", 2000), 10 ** 9, 384) == 1  # never none
    assert first_stage_size(SelectionRequest("qdit", 3), 100, 384) == 0
    assert first_stage_size(SelectionRequest("random", 2000), 100, 384) == 0
