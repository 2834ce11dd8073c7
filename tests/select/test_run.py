"""run_selection on a real (tiny) workspace: context building, config, caching, reproduce."""

from __future__ import annotations

import numpy as np
import pytest

from core.embed import create_embedder
from core.errors import InputError
from core.pool import load_pool
from core.select import STRATEGIES
from core.select.request import SelectionRequest
from core.select.run import rerun_selection, run_selection
from core.workspace import Workspace
from tests.synthetic import write_jsonl

TOPICS = {
    "math": ["Add {a} and {b}.", "What is {a} times {b}?", "Divide {a} by {b}."],
    "code": ["Write a Python function returning {a} plus {b}.", "Print {a} in Java.",
             "Sort a list of {b} numbers in Rust."],
    "travel": ["Plan {a} days in Spain.", "Pack for {b} nights of hiking.",
               "Suggest a {a}-day trip to Rome."],
}


@pytest.fixture(scope="module")
def ws(tmp_path_factory):
    root = tmp_path_factory.mktemp("select-ws")
    records = []
    for i in range(150):
        topic = list(TOPICS)[i % 3]
        records.append({"instruction": TOPICS[topic][(i // 3) % 3].format(a=i, b=i % 7 + 1),
                        "input": "", "category": topic, "score": float(i % 11),
                        "output": f"The {topic} answer number {i}. " * (1 + i % 5)})
    pool = load_pool(write_jsonl(root / "pool.jsonl", records))
    ws = Workspace.create(root / "ws", pool)
    ws.embed(create_embedder("hashing"), "instruction")
    return ws


@pytest.mark.parametrize("name", sorted(STRATEGIES))
def test_every_strategy_runs_saves_and_reproduces(ws, name):
    params = {"steps": 40} if name == "daar" else {}
    res = run_selection(ws, SelectionRequest(name, 12, params, quality="heuristic", seed=3))
    assert res.k == 12 and len(set(res.indices.tolist())) == 12
    cfg = res.config
    assert cfg["strategy"] == name and cfg["quality"] == "heuristic" and cfg["seed"] == 3
    assert cfg["where"] is None and "total" in res.timings
    ws.save_selection(f"t-{name}", res, quality_spec=cfg["quality"])
    loaded = ws.load_selection(f"t-{name}")
    assert loaded.indices.tolist() == res.indices.tolist()
    assert rerun_selection(ws, loaded.config).indices.tolist() == res.indices.tolist()


def test_config_names_the_embedding(ws):
    res = run_selection(ws, SelectionRequest("qdit", 5, {"alpha": 0.5}))
    assert res.config["embedding"]["key"] == ws.embedding_info()["key"]
    assert res.config["embedding"]["field"] == "instruction"


def test_where_restricts_the_candidates(ws):
    res = run_selection(ws, SelectionRequest("qdit", 10, {"alpha": 0.3}, where="category = 'code'"))
    cats = ws.pool_frame()["category"].to_numpy()[res.indices]
    assert set(cats) == {"code"} and res.config["where"] == "category = 'code'"
    with pytest.raises(InputError, match="larger than the 50 candidate rows"):
        run_selection(ws, SelectionRequest("qdit", 51, where="category = 'code'"))
    with pytest.raises(InputError, match="invalid filter"):
        run_selection(ws, SelectionRequest("qdit", 5, where="no_such_column > 1"))


def test_quality_columns_and_direction(ws):
    scores = ws.pool_frame()["score"].to_numpy()
    best = run_selection(ws, SelectionRequest("quality", 10, quality="column:score"))
    worst = run_selection(ws, SelectionRequest("quality", 10, quality="column:-score"))
    assert scores[best.indices].min() == 10 and scores[worst.indices].max() == 0
    with pytest.raises(InputError, match="unknown column 'nope'.*available columns: .*score"):
        run_selection(ws, SelectionRequest("quality", 10, quality="column:nope"))
    with pytest.raises(InputError, match="unknown quality term"):
        run_selection(ws, SelectionRequest("qdit", 10, quality="lenght"))


def test_quality_scores_are_cached_in_the_workspace(ws):
    before = set(ws.cache_dir.glob("array-quality-*"))
    run_selection(ws, SelectionRequest("quality", 5, quality="0.5*length+0.5*column:score"))
    made = set(ws.cache_dir.glob("array-quality-*")) - before
    assert len(made) == 1
    run_selection(ws, SelectionRequest("quality", 5, quality=" 0.5 * length + 0.5*column:score "))
    assert set(ws.cache_dir.glob("array-quality-*")) - before == made  # same canonical key


def test_label_column_drives_cluster_balanced_and_daar(ws):
    res = run_selection(ws, SelectionRequest("cluster_balanced", 9, {"label_column": "category"}))
    cats = ws.pool_frame()["category"].to_numpy()[res.indices]
    assert sorted(np.unique(cats, return_counts=True)[1].tolist()) == [3, 3, 3]
    assert res.config["info"]["label_source"] == "column:category"
    daar = run_selection(ws, SelectionRequest("daar", 9, {"label_column": "category", "steps": 40,
                                         "target_domain": "math", "target_weight": 0.5}))
    assert daar.config["info"]["n_domains"] == 3
    with pytest.raises(InputError, match="unknown label column 'topic'"):
        run_selection(ws, SelectionRequest("cluster_balanced", 9, {"label_column": "topic"}))


def test_token_coverage_caches_token_ids(ws):
    res = run_selection(ws, SelectionRequest("token_coverage", 10, {"min_count": 2}))
    assert res.config["info"]["covered_types"] > 0
    assert list(ws.cache_dir.glob("array-subword-ids-*"))
    assert list(ws.cache_dir.glob("array-subword-offsets-*"))


def test_must_include_rows_come_first(ws):
    res = run_selection(ws, SelectionRequest("dpp", 6, {"lam": 0.2}, must_include=[149, 0]))
    assert res.indices[:2].tolist() == [149, 0] and res.config["must_include"] == [149, 0]


def test_restrict_and_exclude_ids_from_the_map(ws):
    ids = ws.pool_frame(["id"])["id"].tolist()
    restrict, exclude = ids[:30], ids[:5]
    res = run_selection(ws, SelectionRequest("qdit", 10, {"alpha": 0.2}, restrict_ids=restrict,
                        exclude_ids=exclude))
    assert set(res.indices.tolist()) <= set(range(5, 30))
    assert res.config["restrict_ids"] == sorted(restrict)
    assert res.config["exclude_ids"] == sorted(exclude)
    assert rerun_selection(ws, res.config).indices.tolist() == res.indices.tolist()
    with pytest.raises(InputError, match="larger than the 25 candidate rows"):
        run_selection(ws, SelectionRequest("qdit", 26, restrict_ids=restrict, exclude_ids=exclude))
