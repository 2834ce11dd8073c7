"""Re-loading into a workspace: the same file keeps everything; another file is refused
unless --replace, which says what was set aside."""

from __future__ import annotations

import json

from core.workspace import Workspace
from tests.conftest import make_records


def _workspace_with_work(run_cli, tmp_path):
    first = tmp_path / "first.json"
    first.write_text(json.dumps(make_records(30)), encoding="utf-8")
    ws_dir = tmp_path / "ws"
    assert run_cli("load", first, "--workspace", ws_dir)[0] == 0
    assert run_cli("embed", "--workspace", ws_dir, "--model", "hashing")[0] == 0
    assert run_cli("select", "--workspace", ws_dir, "--strategy", "random", "--k", "5",
                   "--name", "mine")[0] == 0
    return first, ws_dir


def test_reloading_the_same_file_keeps_selections_and_embedding(run_cli, tmp_path):
    first, ws_dir = _workspace_with_work(run_cli, tmp_path)
    code, out, err = run_cli("load", first, "--workspace", ws_dir)
    assert code == 0, err
    assert "set aside" not in out
    info = Workspace.open(ws_dir).info()
    assert info["selections"] == ["mine"] and info["model"] == "hashing-64"


def test_another_file_is_refused_without_replace(run_cli, tmp_path):
    first, ws_dir = _workspace_with_work(run_cli, tmp_path)
    other = tmp_path / "other.json"
    other.write_text(json.dumps(make_records(40)), encoding="utf-8")
    code, out, err = run_cli("load", other, "--workspace", ws_dir)
    assert code == 2 and out == "" and err.count("\n") == 1
    assert "already holds" in err and "1 selection: mine" in err and "hashing-64" in err
    assert "--replace" in err
    info = Workspace.open(ws_dir).info()  # nothing changed
    assert info["rows"] == 30 and info["selections"] == ["mine"] and info["embedded"]

    code, out, err = run_cli("load", other, "--workspace", ws_dir, "--replace")
    assert code == 0, err
    assert (f"set aside: {first} (30 rows, 1 selection: mine, embedded with hashing-64)"
            in out)
    info = Workspace.open(ws_dir).info()
    assert info["rows"] == 40 and info["selections"] == [] and not info["embedded"]
    # the first file's selection was set aside, not lost
    code, out, err = run_cli("load", first, "--workspace", ws_dir, "--replace", "--json")
    assert code == 0, err
    assert json.loads(out)["set_aside"]["rows"] == 40
    assert Workspace.open(ws_dir).info()["selections"] == ["mine"]
