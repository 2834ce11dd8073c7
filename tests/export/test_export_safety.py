"""Output safety: no overwrite without --force, nothing inside the workspace, sanitised
names, and a failed export leaves nothing half-written."""

from __future__ import annotations

import json

import pytest

from core.cli import main
from core.errors import InputError
from core.export import export_selection, paths
from core.export import formats as formats_module
from core.export.paths import check_output_dir, safe_stem


def _export(ws, out, *extra):
    return main(["export", "--workspace", str(ws.root), "--selection", "random-k12",
                 "--format", "jsonl", "--out", str(out), "--no-metrics", *extra])


def _leftovers(folder):
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("."))


def test_existing_output_is_refused_without_force(small_ws, tmp_path, capsys):
    out = tmp_path / "b"
    assert _export(small_ws, out) == 0
    before = {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()}
    capsys.readouterr()
    assert _export(small_ws, out) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "already exists; pass --force" in err
    assert {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()} == before


def test_force_replaces_an_earlier_bundle_whole(small_ws, tmp_path):
    out = tmp_path / "b"
    assert _export(small_ws, out) == 0
    (out / "stray.txt").write_text("from the old bundle")
    assert _export(small_ws, out, "--force") == 0
    assert not (out / "stray.txt").exists() and (out / "manifest.json").exists()
    assert _leftovers(tmp_path) == []


def test_force_replaces_without_renameat2_too(small_ws, tmp_path, monkeypatch):
    monkeypatch.setattr(paths, "_exchange", lambda a, b: False)
    out = tmp_path / "b"
    assert _export(small_ws, out) == 0
    (out / "stray.txt").write_text("old")
    assert _export(small_ws, out, "--force") == 0
    assert not (out / "stray.txt").exists() and _leftovers(tmp_path) == []


def test_force_never_replaces_a_folder_that_is_not_a_bundle(small_ws, tmp_path, capsys):
    precious = tmp_path / "home"
    precious.mkdir()
    (precious / "notes.txt").write_text("keep me")
    assert _export(small_ws, precious, "--force") == 2
    assert "is not an export bundle" in capsys.readouterr().err
    assert (precious / "notes.txt").read_text() == "keep me"
    some_file = tmp_path / "file.jsonl"
    some_file.write_text("x")
    assert _export(small_ws, some_file, "--force") == 2 and some_file.read_text() == "x"
    fake = tmp_path / "fake"
    fake.mkdir()
    (fake / "manifest.json").write_text(json.dumps({"not": "ours"}))
    assert _export(small_ws, fake, "--force") == 2


def test_force_may_fill_an_empty_folder(small_ws, tmp_path):
    (tmp_path / "empty").mkdir()
    assert _export(small_ws, tmp_path / "empty") == 2
    assert _export(small_ws, tmp_path / "empty", "--force") == 0


@pytest.mark.parametrize("where", ["inside", "itself", "cache", "parent"])
def test_output_in_or_around_the_workspace_is_refused(small_ws, capsys, where):
    out = {"inside": small_ws.root / "exports" / "b", "itself": small_ws.root,
           "cache": small_ws.root / "cache", "parent": small_ws.root.parent}[where]
    before = sorted(p.name for p in small_ws.root.iterdir())
    assert _export(small_ws, out, "--force") == 2
    err = capsys.readouterr().err
    assert ("inside the workspace" in err or "contains the workspace" in err) and \
        err.count("\n") == 1
    assert sorted(p.name for p in small_ws.root.iterdir()) == before


def test_symlink_into_the_workspace_is_refused(small_ws, tmp_path):
    link = tmp_path / "link"
    link.symlink_to(small_ws.root)
    with pytest.raises(InputError, match="inside the workspace"):
        check_output_dir(link / "b", workspace_root=small_ws.root)


@pytest.mark.parametrize("name,stem", [
    ("qdit-k200", "qdit-k200"), ("../../etc/passwd", "etc_passwd"), ("..", "selection"),
    ("a b/c\\d", "a_b_c_d"), (".hidden", "hidden"), ("-rf", "rf"), ("", "selection"),
    ("ünï.v2", "n_.v2"), ("x" * 300, "x" * 100)])
def test_safe_stem(name, stem):
    assert safe_stem(name) == stem


def test_failure_mid_write_leaves_nothing(small_ws, tmp_path, monkeypatch):
    def broken(records, frame, path, extras):
        path.write_text(json.dumps(records[:3]))  # a partial file, then a crash
        raise OSError("disk full")

    monkeypatch.setitem(formats_module.WRITERS, "alpaca", broken)
    with pytest.raises(OSError, match="disk full"):
        export_selection(small_ws, "random-k12", "alpaca", tmp_path / "b")
    assert list(tmp_path.iterdir()) == []


def test_failure_late_in_the_bundle_keeps_the_old_bundle(small_ws, tmp_path, monkeypatch):
    out = tmp_path / "b"
    export_selection(small_ws, "random-k12", "csv", out, compute_metrics=False)
    old = {p.name: p.read_bytes() for p in out.iterdir()}

    def broken_card(*args, **kwargs):
        raise RuntimeError("card failed")

    monkeypatch.setattr("core.export.card.dataset_card", broken_card)
    with pytest.raises(RuntimeError, match="card failed"):
        export_selection(small_ws, "random-k12", "jsonl", out, force=True,
                         compute_metrics=False)
    assert {p.name: p.read_bytes() for p in out.iterdir()} == old
    assert _leftovers(tmp_path) == []


def test_unknown_selection_or_format_is_one_line(small_ws, tmp_path, capsys):
    rc = main(["export", "--workspace", str(small_ws.root), "--selection", "nope",
               "--format", "csv", "--out", str(tmp_path / "b")])
    err = capsys.readouterr().err
    assert rc == 2 and "no selection named 'nope'" in err and err.count("\n") == 1
    with pytest.raises(InputError, match="unknown export format 'xml'"):
        export_selection(small_ws, "random-k12", "xml", tmp_path / "b")
    assert list(tmp_path.iterdir()) == []
