"""Selections and metrics in the workspace's DuckDB file, and candidate masks from a
read-only DuckDB predicate over the pool."""

from __future__ import annotations

import json

import numpy as np
import pytest

from core.errors import InputError
from core.pool import load_pool
from core.select.result import SelectionResult
from core.workspace import Workspace


def make_result(indices, strategy="facility_location", **config) -> SelectionResult:
    indices = np.asarray(indices)
    gains = np.linspace(1.0, 0.1, len(indices))
    return SelectionResult(indices=indices, gains=gains, objective_trace=np.cumsum(gains),
                           config={"strategy": strategy, "k": len(indices), **config},
                           timings={"select": 0.25, "total": 0.3}, stopped_early=None)


def test_save_load_list_round_trip(tiny_workspace):
    ws = tiny_workspace
    result = make_result([5, 0, 17, 3], seed=7)
    ws.save_selection("fl-4", result, quality_spec="length")
    back = Workspace.open(ws.root).load_selection("fl-4")
    assert back.indices.dtype == np.int64
    assert back.indices.tolist() == [5, 0, 17, 3]
    np.testing.assert_array_equal(back.gains, result.gains)
    np.testing.assert_array_equal(back.objective_trace, result.objective_trace)
    assert back.config == {"strategy": "facility_location", "k": 4, "seed": 7,
                           "quality": "length"}
    assert back.timings == {"select": 0.25, "total": 0.3}
    assert back.stopped_early is None
    listed = ws.list_selections()
    assert [(s["name"], s["strategy"], s["k"]) for s in listed] == [
        ("fl-4", "facility_location", 4)]
    assert listed[0]["objective"] == pytest.approx(result.objective)
    assert listed[0]["created"]
    assert ws.info()["selections"] == ["fl-4"]


def test_selection_rows_hold_the_pool_ids(tiny_workspace):
    import duckdb

    ws = tiny_workspace
    ws.save_selection("pick", make_result([2, 9]))
    ids = ws.pool_frame()["id"].tolist()
    with duckdb.connect(str(ws.db_path), read_only=True) as con:
        rows = con.execute("SELECT rank, row_index, id FROM selection_rows WHERE name = 'pick' "
                           "ORDER BY rank").fetchall()
    assert rows == [(0, 2, ids[2]), (1, 9, ids[9])]


def test_saving_again_replaces(tiny_workspace):
    ws = tiny_workspace
    ws.save_selection("s", make_result([1, 2, 3]))
    ws.save_metrics("s", {"coverage": 0.5})
    ws.save_selection("s", make_result([7], strategy="random"))
    assert ws.load_selection("s").indices.tolist() == [7]
    assert [s["strategy"] for s in ws.list_selections()] == ["random"]
    assert ws.load_metrics("s") is None  # metrics of the replaced selection are dropped


def test_several_selections_are_listed(tiny_workspace):
    ws = tiny_workspace
    for name in ("a", "b", "c"):
        ws.save_selection(name, make_result([0, 1]))
    assert sorted(s["name"] for s in ws.list_selections()) == ["a", "b", "c"]
    ws.delete_selection("b")
    assert sorted(s["name"] for s in ws.list_selections()) == ["a", "c"]


def test_stopped_early_reason_round_trips(tiny_workspace):
    ws = tiny_workspace
    result = make_result([4, 5])
    result.stopped_early = "conditional variance vanished after 2 picks"
    ws.save_selection("dpp", result)
    assert ws.load_selection("dpp").stopped_early == result.stopped_early


def test_unknown_selection_names_the_saved_ones(tiny_workspace):
    ws = tiny_workspace
    with pytest.raises(InputError, match="no selection named 'nope'; saved selections: none"):
        ws.load_selection("nope")
    ws.save_selection("kept", make_result([1]))
    with pytest.raises(InputError, match="saved selections: kept"):
        ws.load_selection("nope")


@pytest.mark.parametrize("name", ["", "has space", "../escape", "-dash-first", "x" * 101,
                                  "semi;colon"])
def test_invalid_selection_names_are_refused(tiny_workspace, name):
    with pytest.raises(InputError, match="invalid selection name"):
        tiny_workspace.save_selection(name, make_result([1]))
    assert tiny_workspace.list_selections() == []


def test_selections_belong_to_their_pool(tmp_path, tiny_workspace):
    ws = tiny_workspace
    ws.save_selection("old", make_result([1, 2]))
    other = tmp_path / "other.jsonl"
    other.write_text("".join(json.dumps({"question": f"q{i}", "answer": f"a{i}"}) + "\n"
                             for i in range(5)), encoding="utf-8")
    new = Workspace.create(ws.root, load_pool(other))
    assert new.list_selections() == [] and new.info()["selections"] == []
    with pytest.raises(InputError, match="made on a different pool"):
        new.load_selection("old")


def test_failed_save_is_rolled_back(tiny_workspace):
    ws = tiny_workspace
    ws.save_selection("good", make_result([1, 2]))
    ws.save_metrics("good", {"coverage": 0.4})
    broken = make_result([3, 4, 5])
    broken.timings = {"select": object()}  # not JSON: fails inside the transaction,
    with pytest.raises(TypeError):        # after the old rows were deleted
        ws.save_selection("good", broken)
    again = Workspace.open(ws.root)
    assert again.load_selection("good").indices.tolist() == [1, 2]
    assert again.load_metrics("good") == {"coverage": 0.4}
    assert [s["k"] for s in again.list_selections()] == [2]


def test_metrics_round_trip_with_numpy_values(tiny_workspace):
    ws = tiny_workspace
    ws.save_selection("s", make_result([0, 3]))
    metrics = {"vendi": np.float32(3.5), "counts": np.array([1, 2, 3]), "n": np.int64(2),
               "nested": {"distinct_2": 0.75}}
    ws.save_metrics("s", metrics)
    back = Workspace.open(ws.root).load_metrics("s")
    assert back == {"vendi": 3.5, "counts": [1, 2, 3], "n": 2, "nested": {"distinct_2": 0.75}}
    assert ws.load_metrics("unknown") is None


def test_reading_a_workspace_without_a_database(tiny_workspace):
    assert not tiny_workspace.db_path.exists()
    assert tiny_workspace.list_selections() == []
    assert tiny_workspace.load_metrics("s") is None
    assert not tiny_workspace.db_path.exists()  # reading creates nothing


# --------------------------------------------------------------- candidate masks
def test_candidate_mask_predicates(tiny_workspace, tiny_records):
    ws = tiny_workspace
    n = ws.n_rows
    assert ws.candidate_mask(None).all() and ws.candidate_mask("   ").all()
    math = ws.candidate_mask("category = 'math'")
    assert math.dtype == bool and math.shape == (n,)
    assert math.tolist() == [r["category"] == "math" for r in tiny_records]
    high = ws.candidate_mask("score >= 3 AND length(response) > 20")
    assert high.tolist() == [r["score"] >= 3 and len(r["output"]) > 20 for r in tiny_records]
    assert ws.candidate_mask("row_index < 5").tolist() == [i < 5 for i in range(n)]
    assert ws.candidate_mask("instruction ILIKE '%poem%'").sum() == 8
    assert not ws.candidate_mask("false").any()


def test_semicolon_is_refused(tiny_workspace):
    with pytest.raises(InputError, match="';' is not allowed"):
        tiny_workspace.candidate_mask("score > 1; DROP TABLE pool")


@pytest.mark.parametrize("where", [
    "EXISTS (SELECT * FROM read_csv('/etc/passwd'))",
    "EXISTS (SELECT * FROM read_text('/etc/hostname'))",
    "(SELECT count(*) FROM glob('/*')) > 0",
])
def test_external_access_is_refused(tiny_workspace, where):
    with pytest.raises(InputError) as err:
        tiny_workspace.candidate_mask(where)
    assert err.value.field == "where"
    assert "invalid filter" in str(err.value)


def test_configuration_cannot_be_reenabled(tiny_workspace):
    with pytest.raises(InputError):
        tiny_workspace.candidate_mask(
            "(SELECT current_setting('enable_external_access')) AND EXISTS "
            "(SELECT * FROM read_csv('/etc/passwd'))")


def test_unknown_column_names_the_problem_and_the_columns(tiny_workspace):
    with pytest.raises(InputError) as err:
        tiny_workspace.candidate_mask("no_such_column > 3")
    msg = str(err.value)
    assert msg.startswith("field 'where': invalid filter")
    assert "no_such_column" in msg
    assert "columns: id, instruction, input, response" in msg and "category" in msg
    assert "\n" not in msg


def test_syntax_error_is_an_input_error(tiny_workspace):
    with pytest.raises(InputError, match="invalid filter"):
        tiny_workspace.candidate_mask("score >>> 3")


@pytest.mark.parametrize("where", [
    "1=0) UNION SELECT 999999 --",
    "1=0) UNION SELECT -1 --",
    "1=1) OR (1=1",
    "instruction = '\\') UNION SELECT 999 --'",
    "E'\\'' = E'\\'') UNION SELECT 3 UNION SELECT (1",
    "$$x$$ = $$x$$) UNION SELECT 999 UNION (SELECT 1",
    "score > 1 /* comment */",
    "score > 1 -- comment",
    "(score > 1",
])
def test_predicate_cannot_escape_its_parentheses(tiny_workspace, where):
    """A 'predicate' that closes the WHERE parenthesis and adds a UNION must be refused as
    bad input: it must neither crash (IndexError) nor select a row it did not match."""
    with pytest.raises(InputError):
        tiny_workspace.candidate_mask(where)


def test_brackets_semicolons_and_dashes_inside_literals_are_fine():
    import pandas as pd

    from core.workspace.filters import candidate_mask

    frame = pd.DataFrame({"instruction": ["a)b", "x;y", "p--q", "it's", "(plain)"],
                          "score": [1, 2, 3, 4, 5]})
    assert candidate_mask(frame, "instruction LIKE '%)%'").tolist() == [
        True, False, False, False, True]
    assert np.flatnonzero(candidate_mask(frame, "instruction LIKE '%;%'")).tolist() == [1]
    assert np.flatnonzero(candidate_mask(frame, "instruction LIKE '%--%'")).tolist() == [2]
    assert np.flatnonzero(candidate_mask(frame, "instruction = 'it''s'")).tolist() == [3]
    assert np.flatnonzero(candidate_mask(frame, "instruction = $$a)b$$")).tolist() == [0]
    assert np.flatnonzero(candidate_mask(frame, "((score > 1) AND (score < 4))")).tolist() == [
        1, 2]
    assert np.flatnonzero(candidate_mask(frame, "score IN (SELECT 999)")).tolist() == []


def test_metrics_in_a_file_from_before_options_were_recorded(tiny_workspace):
    """A qdx.duckdb whose metrics table has no options column still reads (options None:
    unknown, so an export recomputes) and gains the column on its next write."""
    import duckdb

    ws = tiny_workspace
    ws.save_selection("old", make_result([1, 2, 3]))
    with duckdb.connect(str(ws.db_path)) as con:
        con.execute("DROP TABLE metrics")
        con.execute("CREATE TABLE metrics (selection VARCHAR PRIMARY KEY, pool_key VARCHAR, "
                    "metrics VARCHAR, computed TIMESTAMP DEFAULT current_timestamp)")
        con.execute("INSERT INTO metrics (selection, pool_key, metrics) VALUES (?, ?, ?)",
                    ["old", ws.pool_key, json.dumps({"vendi": {"selection": 2.0}})])
    assert ws.load_metrics_record("old") == ({"vendi": {"selection": 2.0}}, None)
    ws.save_metrics("old", {"vendi": {"selection": 3.0}}, {"families": ["embedding"]})
    assert ws.load_metrics_record("old") == ({"vendi": {"selection": 3.0}},
                                             {"families": ["embedding"]})
