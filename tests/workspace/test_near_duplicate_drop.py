"""The near-duplicate drop: a candidate filter every selection honours, recorded in the
selection's config (so rerun / reproduce reapply it), undoable, pool file untouched."""

from __future__ import annotations

import json

import numpy as np
import pytest

from core.pool import load_pool
from core.workspace import Workspace
from core.workspace.near_duplicates import find_near_duplicates


@pytest.fixture
def dup_workspace(tmp_path, tiny_records):
    """The tiny pool plus 4 edited copies (word dropped) of rows 0-3."""
    records = list(tiny_records)
    for rec in tiny_records[:4]:
        words = rec["instruction"].split()
        records.append({**rec, "instruction": " ".join(words[:2] + words[3:])})
    path = tmp_path / "dups.json"
    path.write_text(json.dumps(records), encoding="utf-8")
    return Workspace.create(tmp_path / "ws", load_pool(path)), len(tiny_records)


def test_drop_filter_is_honoured_recorded_and_undoable(dup_workspace, run_cli):
    from core.select.request import SelectionRequest
    from core.select.run import rerun_selection, run_selection

    ws, n0 = dup_workspace
    pool_bytes = (ws.root / "pool.parquet").read_bytes()
    found = find_near_duplicates(ws, "minhash", 0.5, quality_spec=None)
    assert {(p, n0 + p) for p in range(4)} <= {tuple(p) for p in found.pairs.tolist()}
    code, out, err = run_cli("near-duplicates", "--workspace", ws.root, "--threshold", "0.5",
                             "--quality", "none", "--drop", "--json")
    assert code == 0, err
    shown = json.loads(out)
    assert shown["dropped"] and shown["n_dropped"] == len(found.dropped()) >= 4
    ids = ws.pool_frame(["id"])["id"].to_numpy()
    dropped = set(ids[found.dropped()])
    result = run_selection(ws, SelectionRequest("random", ws.n_rows - len(dropped),
                                                quality="none"))
    assert not dropped & set(ids[result.indices])
    assert sorted(result.config["drop_filter"]["dropped_ids"]) == sorted(dropped)
    with pytest.raises(Exception, match="k"):  # the dropped rows are not candidates
        run_selection(ws, SelectionRequest("random", ws.n_rows, {}, quality="none"))
    assert (ws.root / "pool.parquet").read_bytes() == pool_bytes
    code, out, _ = run_cli("near-duplicates", "--workspace", ws.root, "--undo")
    assert code == 0 and "candidates again" in out
    assert ws.drop_filter() is None
    assert run_selection(ws, SelectionRequest("random", ws.n_rows, {}, quality="none")).config[
        "drop_filter"] == {}  # recorded as "none", so a rerun applies none
    # A rerun from the recorded config reapplies the recorded drop, not today's (none).
    again = rerun_selection(ws, result.config)
    assert np.array_equal(again.indices, result.indices)


def test_kept_row_is_the_best_quality(dup_workspace):
    ws, n0 = dup_workspace
    found = find_near_duplicates(ws, "minhash", 0.5, quality_spec="length")
    from core.quality import workspace_quality

    q = workspace_quality(ws, "length")
    for group, kept in zip(found.groups, found.kept, strict=True):
        assert q[kept] == max(q[group])


def test_embedding_method_uses_the_knn_graph_and_needs_an_embedding(dup_workspace, run_cli):
    from core.embed import HashingEmbedder

    ws, n0 = dup_workspace
    code, _, err = run_cli("near-duplicates", "--workspace", ws.root, "--method", "embedding")
    assert code == 2 and "not embedded" in err
    ws.embed(HashingEmbedder(), "instruction")
    found = find_near_duplicates(ws, "embedding", 0.8, quality_spec=None)
    assert {(p, n0 + p) for p in range(4)} <= {tuple(p) for p in found.pairs.tolist()}
    both = find_near_duplicates(ws, "both", 0.8, quality_spec=None)
    assert {tuple(p) for p in found.pairs.tolist()} <= {tuple(p) for p in both.pairs.tolist()}


def test_floor_gives_the_same_groups_as_a_direct_run(dup_workspace):
    ws, _ = dup_workspace
    direct = find_near_duplicates(ws, "minhash", 0.7, quality_spec=None)
    floored = find_near_duplicates(ws, "minhash", 0.7, quality_spec=None, floor=0.5)
    assert set(map(tuple, direct.pairs.tolist())) <= set(map(tuple, floored.pairs.tolist()))
    assert np.all(floored.scores >= 0.7)


def test_bad_threshold_is_one_line(dup_workspace, run_cli):
    ws, _ = dup_workspace
    code, out, err = run_cli("near-duplicates", "--workspace", ws.root, "--threshold", "2")
    assert code == 2 and err.startswith("error:") and "threshold" in err
    assert not (ws.root / "near_duplicates.json").exists()
