"""reproduce: a real pool (Dolly 3k from ../shared/data, TF-IDF embeddings, qdit k=200)
re-runs to the same ids; a changed source file or embedding is refused, saying which."""

from __future__ import annotations

import json
import shutil

import pytest

from core.cli import main
from core.embed import create_embedder
from core.errors import InputError
from core.export import export_selection, read_manifest, reproduce_manifest
from core.pool import load_pool
from core.select.request import SelectionRequest
from core.select.run import run_selection
from core.workspace import Workspace


@pytest.fixture(scope="module")
def dolly(shared_data, tmp_path_factory):
    """(workspace, bundle folder, source copy): Dolly 3k loaded from a copy in tmp, TF-IDF
    embedded, qdit k=200 saved as 'qdit-k200' and exported."""
    root = tmp_path_factory.mktemp("dolly")
    src = root / "dolly_3k.json"
    shutil.copyfile(shared_data / "dolly" / "alpagasus_dolly_3k.json", src)
    ws = Workspace.create(root / "ws", load_pool(src))
    ws.embed(create_embedder("tfidf"), "instruction")
    ws.save_selection("qdit-k200", run_selection(ws, SelectionRequest("qdit", 200, {"alpha": 0.5})))
    bundle = root / "bundle"
    export_selection(ws, "qdit-k200", "alpaca", bundle, compute_metrics=False)
    return ws, bundle, src


def _reproduce(ws, manifest, capsys, *extra):
    rc = main(["reproduce", str(manifest), "--workspace", str(ws.root), *extra])
    captured = capsys.readouterr()
    return rc, captured.out, captured.err


def test_reproduce_matches_on_the_real_pool(dolly, capsys):
    ws, bundle, _ = dolly
    rc, out, err = _reproduce(ws, bundle / "manifest.json", capsys, "--json")
    report = json.loads(out)
    assert rc == 0 and report["match"] is True and len(report["ids"]) == 200
    assert report["ids"] == read_manifest(bundle)["selection"]["ids"]
    assert report["first_difference"] is None and report["overlap"] == 200
    assert report["checks"]["source"] == "sha256 matches (file hashed again)"
    assert report["checks"]["embedding"] == "matrix sha256 matches"
    rc, out, _ = _reproduce(ws, bundle, capsys)  # the folder works too; text output
    assert rc == 0 and out.startswith("match: the re-run picked the same 200 ids")


def test_a_different_result_is_a_mismatch(dolly, tmp_path, capsys):
    ws, bundle, _ = dolly
    manifest = json.loads((bundle / "manifest.json").read_text())
    ids = manifest["selection"]["ids"]
    ids[5], ids[6] = ids[6], ids[5]
    (tmp_path / "manifest.json").write_text(json.dumps(manifest))
    rc, out, _ = _reproduce(ws, tmp_path / "manifest.json", capsys, "--json")
    report = json.loads(out)
    assert rc == 3 and report["match"] is False and report["first_difference"] == 5
    assert report["overlap"] == 200


def test_changed_embedding_is_refused_then_matches_again(dolly, capsys):
    ws, bundle, _ = dolly
    ws.embed(create_embedder("hashing"), "instruction")
    try:
        rc, out, err = _reproduce(ws, bundle / "manifest.json", capsys)
        assert rc == 2 and out == "" and err.count("\n") == 1
        assert "embedding differs: the workspace has hashing-64 on instruction" in err
        assert "the manifest expects tfidf on instruction" in err
    finally:
        ws.embed(create_embedder("tfidf"), "instruction")  # cached: switching back is instant
    assert _reproduce(ws, bundle / "manifest.json", capsys)[0] == 0


def test_changed_source_file_is_refused(dolly, capsys):
    ws, bundle, src = dolly
    original = src.read_bytes()
    data = json.loads(original)
    data[0]["output"] += " (edited)"
    src.write_text(json.dumps(data))
    try:
        rc, out, err = _reproduce(ws, bundle / "manifest.json", capsys, "--json")
        assert rc == 2 and out == "" and err.count("\n") == 1
        assert "source file changed since it was loaded" in err and str(src) in err
    finally:
        src.write_bytes(original)
    assert _reproduce(ws, bundle / "manifest.json", capsys)[0] == 0


def test_workspace_loaded_from_another_file_is_refused(dolly, tmp_path):
    _, bundle, src = dolly
    other = tmp_path / "other.json"
    data = json.loads(src.read_text())
    other.write_text(json.dumps(data[:500]))
    ws2 = Workspace.create(tmp_path / "ws2", load_pool(other))
    with pytest.raises(InputError, match="source file differs: the workspace was loaded from"):
        reproduce_manifest(bundle / "manifest.json", ws2)


def test_bad_manifests_are_one_line_errors(dolly, tmp_path, capsys):
    ws = dolly[0]
    rc, _, err = _reproduce(ws, tmp_path / "missing.json", capsys)
    assert rc == 2 and "manifest not found" in err
    (tmp_path / "x.json").write_text('{"hello": 1}')
    rc, _, err = _reproduce(ws, tmp_path / "x.json", capsys)
    assert rc == 2 and "is not a QD Explorer manifest" in err
    (tmp_path / "y.json").write_text("{not json")
    rc, _, err = _reproduce(ws, tmp_path / "y.json", capsys)
    assert rc == 2 and "not readable JSON" in err
