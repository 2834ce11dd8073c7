"""`python -m core select`: JSON output, saved selection, one-line errors with exit 2."""

from __future__ import annotations

import json

import pytest

from core.cli import main
from tests.synthetic import write_jsonl


@pytest.fixture(scope="module")
def ws_dir(tmp_path_factory):
    root = tmp_path_factory.mktemp("cli-ws")
    records = [{"instruction": f"Question {i} about {['cats', 'maths', 'code'][i % 3]}?",
                "input": "", "output": f"Answer {i}. " * (1 + i % 4), "rating": i % 5}
               for i in range(60)]
    pool = write_jsonl(root / "p.jsonl", records)
    assert main(["load", str(pool), "--workspace", str(root / "ws")]) == 0
    assert main(["embed", "--workspace", str(root / "ws"), "--model", "hashing"]) == 0
    return str(root / "ws")


def test_json_output_and_saved_selection(ws_dir, capsys):
    capsys.readouterr()
    rc = main(["select", "--workspace", ws_dir, "--strategy", "qdit", "--k", "7",
               "--alpha", "0.4", "--quality", "column:rating", "--where", "rating >= 1",
               "--name", "mine", "--json"])
    assert rc == 0
    out = json.loads(capsys.readouterr().out)
    for key in ("name", "strategy", "k", "indices", "ids", "objective", "seconds"):
        assert key in out
    assert out["name"] == "mine" and out["k"] == 7 and len(out["ids"]) == 7
    from core.workspace import Workspace

    ws = Workspace.open(ws_dir)
    saved = ws.load_selection("mine")
    assert saved.indices.tolist() == out["indices"]
    assert saved.config["params"]["alpha"] == 0.4 and saved.config["where"] == "rating >= 1"
    ratings = ws.pool_frame()["rating"].to_numpy()[out["indices"]]
    assert ratings.min() >= 1


def test_param_and_default_name(ws_dir, capsys):
    rc = main(["select", "--workspace", ws_dir, "--strategy", "deita", "--k", "4",
               "--param", "threshold=0.95"])
    assert rc == 0
    assert "saved selection 'deita-k4'" in capsys.readouterr().out


@pytest.mark.parametrize("args,message", [
    (["--strategy", "qdit", "--k", "500"], "larger than the 60 candidate rows"),
    (["--strategy", "qdit", "--k", "5", "--alpha", "1.5"], "alpha must be a number in [0, 1]"),
    (["--strategy", "qdit", "--k", "5", "--quality", "column:nope"], "unknown column 'nope'"),
    (["--strategy", "dpp", "--k", "5", "--alpha", "0.5"], "has no parameter 'alpha'"),
    (["--strategy", "nope", "--k", "5"], "unknown strategy 'nope'"),
    (["--strategy", "qdit", "--k", "5", "--param", "oops"], "--param expects NAME=VALUE"),
    (["--strategy", "qdit", "--k", "5", "--name", "bad name"], "invalid selection name"),
])
def test_bad_parameters_exit_2_with_one_line(ws_dir, capsys, args, message):
    capsys.readouterr()
    assert main(["select", "--workspace", ws_dir, *args]) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1


def test_help_lists_every_strategy_and_its_declared_parameters(capsys):
    from core.select.registry import STRATEGIES

    with pytest.raises(SystemExit):
        main(["select", "--help"])
    out = capsys.readouterr().out
    for name, cls in STRATEGIES.items():
        assert f"  {name}: " in out
        for param in cls.params:
            assert param.help_line() in " ".join(out.split()).replace("  ", " ") or \
                f"{param.name} (" in out


def test_declared_parameters_as_flags(ws_dir, capsys):
    """--NAME VALUE for any declared parameter, validated by its declaration."""
    capsys.readouterr()
    assert main(["select", "--workspace", ws_dir, "--strategy", "kcenter", "--k", "5",
                 "--quality-weight", "0.4", "--name", "kc", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["params"] == {"quality_weight": 0.4}
    assert main(["select", "--workspace", ws_dir, "--strategy", "kcenter", "--k", "5",
                 "--quality-weight", "2"]) == 2
    assert "quality_weight must be a number in [0, 1], got 2" in capsys.readouterr().err
    assert main(["select", "--workspace", ws_dir, "--strategy", "kcenter", "--k", "5",
                 "--alpha", "0.5"]) == 2
    assert "strategy 'kcenter' has no parameter 'alpha'" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exit_:  # other commands stay strict (argparse's exit)
        main(["info", "--workspace", ws_dir, "--alpha", "0.5"])
    assert exit_.value.code == 2
    assert "unrecognized arguments: --alpha 0.5" in capsys.readouterr().err
