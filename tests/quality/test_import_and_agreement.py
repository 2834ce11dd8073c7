"""scores import (join by id / by row, one-line errors naming the line, atomic storage) and
the agreement report on a hand-made pool whose answer is known."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from core.errors import InputError
from core.quality.imported import import_scores


def _ids(ws):
    return ws.pool_frame(["id"])["id"].tolist()


def test_import_by_id_joins_and_survives_reopen(judged_workspace, tmp_path, run_cli):
    from core.workspace import Workspace

    ws = judged_workspace
    ids = _ids(ws)
    path = tmp_path / "scores.csv"
    path.write_text("id,judge\n" + "".join(f"{ids[i]},{i % 3}\n" for i in (5, 2, 9))
                    + f"{ids[11]},\n", encoding="utf-8")
    pool_file = ws.cache_dir / ws.pool_info["file"]
    before = pool_file.read_bytes()
    code, out, err = run_cli("scores", "import", path, "--workspace", ws.root, "--column",
                             "judge", "--as", "verdict")
    assert code == 0, err
    assert out.strip() == ("imported column 'verdict': 3 of 120 pool rows have a value "
                           "(4 records read)")
    values = Workspace.open(ws.root).pool_frame()["verdict"].to_numpy()
    expected = np.full(120, np.nan)
    expected[[5, 2, 9]] = [2.0, 2.0, 0.0]
    np.testing.assert_array_equal(values, expected)
    assert pool_file.read_bytes() == before  # the pool file is never rewritten
    assert Workspace.open(ws.root).candidate_mask("verdict >= 2").sum() == 2


def test_import_by_row_and_jsonl(judged_workspace, tmp_path):
    ws = judged_workspace
    path = tmp_path / "r.jsonl"
    path.write_text("".join(json.dumps({"s": i / 10}) + "\n" for i in range(120)))
    summary = import_scores(ws, path, column="s", by_row=True)
    assert summary.judged == 120
    np.testing.assert_allclose(ws.pool_frame()["s"], np.arange(120) / 10)


@pytest.mark.parametrize("lines,message", [
    (["id,judge", "{0},1", "nope,1"], "scores.csv:3: id 'nope' is not in the pool"),
    (["id,judge", "{0},1", "{1},0", "{0},1"],
     "scores.csv:4: id '{0}' appears twice (first on line 2)"),
    (["id,judge", "{0},1", "{1},great"],
     "scores.csv:3: column 'judge' holds 'great', expected a number"),
    (["key,judge", "{0},1"], "scores.csv:2: no id column 'id'"),
])
def test_import_errors_name_the_line_and_write_nothing(judged_workspace, tmp_path, lines,
                                                       message):
    ws = judged_workspace
    ids = _ids(ws)
    path = tmp_path / "scores.csv"
    path.write_text("\n".join(line.format(*ids) for line in lines) + "\n")
    with pytest.raises(InputError) as err:
        import_scores(ws, path, column="judge")
    assert message.format(*ids) in str(err.value)
    assert "judge" not in ws.pool_frame().columns  # nothing was stored


def test_import_refuses_to_shadow_a_pool_column(judged_workspace, tmp_path):
    path = tmp_path / "s.jsonl"
    path.write_text(json.dumps({"id": _ids(judged_workspace)[0], "x": 1}) + "\n")
    with pytest.raises(InputError, match="column 'good' is a column of the loaded pool"):
        import_scores(judged_workspace, path, column="x", as_name="good")


def test_agreement_report_on_a_known_pool(judged_workspace, run_cli):
    """'good' rows are the long ones: length and long_score agree (AUC 1), anti disagrees
    (AUC 0, flagged), and the cross-validated learned score is near 1."""
    ws = judged_workspace
    code, out, err = run_cli("quality", "--workspace", ws.root, "--against", "good", "--json")
    assert code == 0, err
    report = json.loads(out)
    assert report["against"] == "good" and report["labelled"] == 120 and report["binary"]
    scores = report["scores"]
    assert set(scores) >= {"heuristic", "length", "learned:good", "column:long_score",
                           "column:anti", "column:rating"}
    assert "column:good" not in scores and "column:source_row" not in scores
    assert scores["length"]["auc"] == 1.0 and scores["column:long_score"]["auc"] == 1.0
    assert scores["column:anti"]["auc"] == 0.0
    assert scores["column:anti"]["flag"] == "ranks the judge's picks lower"
    assert "flag" not in scores["length"]
    assert scores["learned:good"]["auc"] > 0.9 and scores["learned:good"]["n"] == 120
    assert scores["column:anti"]["spearman"] < -0.8 and scores["length"]["n"] == 120
    code, out, _ = run_cli("quality", "--workspace", ws.root, "--against", "good")
    assert code == 0 and "<- ranks the judge's picks lower" in out


def test_agreement_learned_is_cross_validated_not_in_sample(judged_workspace):
    """The report's learned entry equals the AUC of the out-of-fold predictions."""
    from sklearn.metrics import roc_auc_score

    from core.quality.agreement import agreement_report
    from core.quality.learned_workspace import workspace_learned

    ws = judged_workspace
    noise = np.random.default_rng(1).random(120)
    ws.set_columns({"coin": (noise < 0.5).astype(float)})  # a judge with no signal
    report = agreement_report(ws, "coin")
    learned = workspace_learned(ws, "coin")
    y = learned.labels.y
    assert report["scores"]["learned:coin"]["auc"] == round(roc_auc_score(y, learned.cv.oof), 4)
    assert roc_auc_score(y, learned.scores[learned.labels.rows]) > \
        report["scores"]["learned:coin"]["auc"] + 0.1
    assert pd.isna(ws.pool_frame()["coin"]).sum() == 0
