"""Workspace artifacts: keyed by their inputs (model, text field, pool), never stale, cached,
written atomically (a failed or killed write leaves the previous artifact readable), and
embedding resumable chunk by chunk."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from core.embed import HashingEmbedder, TfidfSvdEmbedder
from core.errors import CancelledError, InputError
from core.pool import load_pool
from core.workspace import Workspace


class CountingEmbedder(HashingEmbedder):
    """HashingEmbedder that counts its ``embed`` calls and can fail after ``fail_after``."""

    def __init__(self, fail_after: int | None = None, **kwargs) -> None:
        super().__init__(**kwargs)
        self.calls = 0
        self.fail_after = fail_after

    def embed(self, texts, progress=None):
        if self.fail_after is not None and self.calls >= self.fail_after:
            raise RuntimeError(f"simulated crash after {self.calls} chunks")
        self.calls += 1
        return super().embed(texts, progress)


def other_pool_file(tmp_path: Path, n: int = 30) -> Path:
    path = tmp_path / "other.jsonl"
    path.write_text("".join(json.dumps({"question": f"What is {i} plus {i}?",
                                        "answer": str(2 * i)}) + "\n" for i in range(n)),
                    encoding="utf-8")
    return path


# ------------------------------------------------------------------ keys/cache
def test_embedding_keyed_by_model_and_field(tiny_workspace):
    ws = tiny_workspace
    first = ws.embedding_info()
    assert (first["model"], first["field"], first["dim"]) == ("hashing-64", "instruction", 64)
    tfidf = ws.embed(TfidfSvdEmbedder(dim=16))
    assert tfidf["key"] != first["key"]
    assert ws.info()["model"] == "tfidf" and ws.info()["dim"] == tfidf["dim"]
    assert ws.embeddings().shape == (ws.n_rows, tfidf["dim"])
    response = ws.embed(HashingEmbedder(), "response")
    assert response["key"] not in (first["key"], tfidf["key"])
    assert ws.info()["field"] == "response"
    other_dim = ws.embed(HashingEmbedder(dim=32))
    assert other_dim["key"] != first["key"] and ws.info()["dim"] == 32


def test_switching_back_reuses_the_cache(tiny_workspace):
    ws = tiny_workspace
    first_key = ws.embedding_info()["key"]
    first = np.array(ws.embeddings())
    ws.embed(TfidfSvdEmbedder(dim=16))
    again = CountingEmbedder()
    started = time.perf_counter()
    meta = ws.embed(again, "instruction")
    elapsed = time.perf_counter() - started
    assert again.calls == 0, "a cached embedding must not be recomputed"
    assert meta["key"] == first_key
    assert ws.info()["model"] == "hashing-64"
    assert np.array_equal(ws.embeddings(), first)
    assert elapsed < 2.0  # generous: it only reads a small JSON file


def test_embedding_texts_per_field(tiny_workspace, tiny_records):
    ws = tiny_workspace
    rec = tiny_records[0]  # has an input
    assert ws.texts("instruction")[0] == f"{rec['instruction']}\n\n{rec['input']}"
    assert ws.texts("instruction")[1] == tiny_records[1]["instruction"]
    assert ws.texts("response")[0] == rec["output"]
    assert ws.texts("both")[1] == f"{tiny_records[1]['instruction']}\n\n{tiny_records[1]['output']}"
    with pytest.raises(InputError, match="unknown text field 'title'"):
        ws.texts("title")


def test_embeddings_are_a_documented_float32_unit_matrix(tiny_workspace):
    ws = tiny_workspace
    emb = ws.embeddings()
    assert emb.dtype == np.float32 and emb.shape == (ws.n_rows, 64)
    np.testing.assert_allclose(np.linalg.norm(emb, axis=1), 1.0, atol=1e-5)
    assert not emb.flags.writeable
    direct = np.load(ws.root / "embeddings.npy")
    assert np.array_equal(direct, emb)
    expected = HashingEmbedder().embed(ws.texts("instruction"))
    assert np.array_equal(emb, expected)  # row i is pool row i
    from core.workspace.keys import file_sha256

    assert ws.embedding_info()["sha256"] == file_sha256(ws.root / "embeddings.npy")


def test_knn_and_clusters_are_cached(tiny_workspace):
    ws = tiny_workspace
    assert not ws.has_knn()
    graph = ws.knn()
    assert ws.has_knn()
    again = Workspace.open(ws.root).knn()
    assert np.array_equal(graph.indices, again.indices)
    assert np.array_equal(graph.sims, again.sims)
    labels, centroids = ws.clusters(4, seed=1)
    labels2, centroids2 = Workspace.open(ws.root).clusters(4, seed=1)
    assert np.array_equal(labels, labels2) and np.array_equal(centroids, centroids2)
    assert labels.shape == (ws.n_rows,) and centroids.shape == (4, 64)
    assert len(list(ws.cache_dir.glob("kmeans-*.npz"))) == 1


def test_cluster_names_are_the_top_terms_and_cached(tiny_workspace, monkeypatch):
    import core.clusters

    ws = tiny_workspace
    labels, _ = ws.clusters()
    expected = core.clusters.cluster_top_terms(ws.pool_frame()["instruction"].tolist(), labels)
    assert ws.cluster_names() == expected and set(expected) == set(np.unique(labels).tolist())

    def fail(*args, **kwargs):
        raise AssertionError("recomputed")

    monkeypatch.setattr(core.clusters, "cluster_top_terms", fail)
    assert Workspace.open(ws.root).cluster_names() == expected


def test_cached_array_computes_once_per_key(tiny_workspace):
    ws = tiny_workspace
    calls = []

    def compute():
        calls.append(1)
        return np.arange(ws.n_rows, dtype=np.float32) * 2

    a = ws.cached_array("quality/length", {"scorer": "length"}, compute)
    b = Workspace.open(ws.root).cached_array("quality/length", {"scorer": "length"}, compute)
    assert len(calls) == 1 and np.array_equal(a, b)
    ws.cached_array("quality/length", {"scorer": "length", "v": 2}, compute)
    assert len(calls) == 2


# ------------------------------------------------------------------- staleness
def test_loading_a_different_pool_makes_nothing_stale(tmp_path, tiny_workspace):
    ws = tiny_workspace
    ws.knn()
    ws.build_map("pca")
    ws.build_map("umap")
    assert ws.info()["mapped"] is True
    new = Workspace.create(ws.root, load_pool(other_pool_file(tmp_path)))
    info = new.info()
    assert (info["rows"], info["format"]) == (30, "question_answer")
    assert (info["embedded"], info["model"], info["dim"], info["knn"], info["mapped"]) == (
        False, None, None, False, False)
    assert new.map_coords("umap") is None and new.map_coords("pca") is None
    with pytest.raises(InputError, match="not embedded yet"):
        new.embeddings()
    # The same Workspace object sees the change too (no stale in-memory frame).
    assert len(ws.pool_frame()) == 30 and ws.info()["embedded"] is False


def test_top_level_files_do_not_describe_an_old_pool(tmp_path, tiny_workspace):
    """embeddings.npy is a documented format other tools read: after loading a different pool
    it must not still hold the previous pool's matrix (with the previous row count)."""
    ws = tiny_workspace
    new = Workspace.create(ws.root, load_pool(other_pool_file(tmp_path)))
    top = ws.root / "embeddings.npy"
    assert not top.exists() or np.load(top).shape[0] == new.n_rows
    assert not (ws.root / "map.parquet").exists() or len(
        pd.read_parquet(ws.root / "map.parquet")) == new.n_rows


def test_reloading_the_same_pool_reuses_its_artifacts(tmp_path, tiny_workspace,
                                                       tiny_pool_file):
    ws = tiny_workspace
    key = ws.embedding_info()["key"]
    first = np.array(ws.embeddings())
    Workspace.create(ws.root, load_pool(other_pool_file(tmp_path)))
    back = Workspace.create(ws.root, load_pool(tiny_pool_file))
    again = CountingEmbedder()
    meta = back.embed(again, "instruction")
    assert again.calls == 0, "the cached embedding of this pool must be reused"
    assert meta["key"] == key
    assert np.array_equal(back.embeddings(), first)


def test_map_is_keyed_by_the_embedding(tiny_workspace):
    ws = tiny_workspace
    hashing_map = ws.build_map("umap")
    ws.embed(TfidfSvdEmbedder(dim=16))
    assert ws.info()["mapped"] is False and ws.map_coords("umap") is None
    tfidf_map = ws.build_map("umap")
    assert not np.array_equal(hashing_map, tfidf_map)
    ws.embed(HashingEmbedder())
    assert ws.info()["mapped"] is True
    assert np.array_equal(ws.map_coords("umap"), hashing_map)


def test_top_level_map_follows_the_current_embedding(tiny_workspace):
    """map.parquet / map.json / knn.json must describe the current embedding, also when the
    map is served from the cache after switching back to an earlier model."""
    ws = tiny_workspace
    ws.build_map("umap")
    ws.embed(TfidfSvdEmbedder(dim=16))
    ws.build_map("umap")
    ws.embed(HashingEmbedder())
    coords = ws.build_map("umap")  # cached
    current = ws.embedding_info()["key"]
    assert json.loads((ws.root / "map.json").read_text())["embedding_key"] == current
    assert json.loads((ws.root / "knn.json").read_text())["embedding_key"] == current
    top = pd.read_parquet(ws.root / "map.parquet")
    assert np.allclose(top[["x", "y"]].to_numpy(), coords)


def test_map_settings_have_one_owner(tiny_workspace, monkeypatch):
    """The map's cache key, the layout and map.json all read core.projection.UMAP: changing it
    changes the key (no old map served) and what the layout and map.json get."""
    import core.projection as projection

    ws = tiny_workspace
    default_key = ws.map_key("umap")
    seen = []

    def fake_umap(x, knn, settings, progress=None):
        seen.append(settings)
        return np.zeros((len(x), 2), dtype=np.float32)

    other = projection.UmapSettings(n_neighbors=5, min_dist=0.3, seed=1)
    monkeypatch.setattr(projection, "umap_projection", fake_umap)
    monkeypatch.setattr(projection, "UMAP", other)
    assert ws.map_key("umap") != default_key
    ws.build_map("umap")
    assert seen == [other]
    meta = json.loads((ws.root / "map.json").read_text())
    assert {k: meta[k] for k in other.as_dict()} == other.as_dict()
    assert meta["key"] == ws.map_key("umap")


# ------------------------------------------------------------------- atomicity
def failing_replace(monkeypatch, fail_on: int):
    """Make the ``fail_on``-th os.replace in core.workspace.atomic raise (1-based)."""
    import core.workspace.atomic as atomic

    real = os.replace
    count = {"n": 0}

    def replace(src, dst):
        count["n"] += 1
        if count["n"] >= fail_on:
            raise OSError(28, "No space left on device (simulated)")
        return real(src, dst)

    monkeypatch.setattr(atomic.os, "replace", replace)
    return count


def no_temp_files(root: Path) -> bool:
    return not [p for p in root.rglob("*.tmp")]


@pytest.mark.parametrize("fail_on", [1, 2, 3])
def test_failed_pool_write_leaves_a_consistent_workspace(tmp_path, monkeypatch,
                                                         tiny_workspace, fail_on):
    ws = tiny_workspace
    old_frame = ws.pool_frame().copy()
    old_emb = np.array(ws.embeddings())
    new_pool = load_pool(other_pool_file(tmp_path))
    failing_replace(monkeypatch, fail_on)
    with pytest.raises(OSError, match="simulated"):
        Workspace.create(ws.root, new_pool)
    monkeypatch.undo()
    reopened = Workspace.open(ws.root)
    frame = reopened.pool_frame()
    assert len(frame) == reopened.n_rows == reopened.info()["rows"]
    if fail_on <= 2:  # the pool file or the workspace.json pointer failed: old state
        pd.testing.assert_frame_equal(frame, old_frame)
        assert np.array_equal(reopened.embeddings(), old_emb)
    else:  # the pointer was committed, only the convenience link failed: new state
        assert len(frame) == 30 and reopened.info()["embedded"] is False
    assert no_temp_files(ws.root)


@pytest.mark.parametrize("fail_on", [1, 2, 3, 4])
def test_failed_embedding_write_keeps_the_previous_embedding(monkeypatch, tiny_workspace,
                                                             fail_on):
    # os.replace order for a one-chunk pool: the chunk part, the matrix, its sidecar, then
    # the embeddings.json pointer (the commit point).
    ws = tiny_workspace
    old_meta = ws.embedding_info()
    old = np.array(ws.embeddings())
    failing_replace(monkeypatch, fail_on)
    with pytest.raises(OSError, match="simulated"):
        ws.embed(TfidfSvdEmbedder(dim=8))
    monkeypatch.undo()
    again = Workspace.open(ws.root)
    assert again.embedding_info() == old_meta
    assert np.array_equal(again.embeddings(), old)
    assert np.array_equal(np.load(ws.root / "embeddings.npy"), old)
    assert again.info()["model"] == "hashing-64"
    assert no_temp_files(ws.root)
    meta = again.embed(TfidfSvdEmbedder(dim=8))  # and the next run completes
    assert again.info()["model"] == "tfidf" and meta["dim"] == 8


def test_failed_map_write_leaves_no_map(monkeypatch, tiny_workspace):
    ws = tiny_workspace
    ws.knn()
    failing_replace(monkeypatch, 1)
    with pytest.raises(OSError):
        ws.build_map("pca")
    monkeypatch.undo()
    assert ws.map_coords("pca") is None
    assert ws.build_map("pca").shape == (ws.n_rows, 2)


KILL_WRITER = """
import sys, time
import numpy as np
sys.path.insert(0, sys.argv[1])
from core.workspace.atomic import atomic_save_npy
big = np.full((60_000_000 // 4,), 7.0, dtype=np.float32)  # 60 MB
print("ready", flush=True)
while True:
    atomic_save_npy(sys.argv[2], big)
"""


def test_sigkill_during_a_large_write_leaves_the_old_file(tmp_path):
    from core.workspace.atomic import atomic_save_npy

    target = tmp_path / "artifact.npy"
    old = np.arange(1000, dtype=np.float32)
    atomic_save_npy(target, old)
    repo = Path(__file__).resolve().parents[2]
    proc = subprocess.Popen([sys.executable, "-c", KILL_WRITER, str(repo), str(target)],
                            stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout.readline().strip() == "ready"
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:  # wait until a temp file is being filled
            temps = list(tmp_path.glob(".artifact.npy.*.tmp"))
            if temps and temps[0].exists() and temps[0].stat().st_size > 1_000_000:
                break
            time.sleep(0.002)
        else:
            pytest.fail("the writer never started writing")
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    data = np.load(target)
    # Killed mid-write: the target is whole, either the old array or a finished new one.
    assert np.array_equal(data, old) or (data.shape == (15_000_000,) and (data == 7.0).all())


# ------------------------------------------------------------------- resumable
@pytest.mark.parametrize("embedder_cls", [HashingEmbedder, TfidfSvdEmbedder])
def test_interrupted_embedding_resumes_and_matches_an_uninterrupted_run(tmp_path,
                                                                        tiny_pool_file,
                                                                        embedder_cls):
    pool = load_pool(tiny_pool_file)
    clean = Workspace.create(tmp_path / "clean", pool)
    clean.embed(embedder_cls(), chunk_rows=10)
    expected = np.array(clean.embeddings())

    ws = Workspace.create(tmp_path / "ws", pool)

    class Crashing(embedder_cls):
        calls = 0

        def embed(self, texts, progress=None):
            if Crashing.calls >= 3:
                raise RuntimeError("killed")
            Crashing.calls += 1
            return super().embed(texts, progress)

    with pytest.raises(RuntimeError, match="killed"):
        ws.embed(Crashing(), chunk_rows=10)
    assert ws.embedding_info() is None
    parts = list(ws.cache_dir.glob("embeddings-*.parts*/*.npy"))
    assert len(parts) == 3

    meta = ws.embed(embedder_cls(), chunk_rows=10)
    assert meta["resumed_chunks"] == 3
    assert np.array_equal(ws.embeddings(), expected)
    assert meta["key"] == clean.embedding_info()["key"]
    assert not list(ws.cache_dir.glob("embeddings-*.parts*"))  # cleaned up when finished


def test_resume_reuses_finished_chunks_without_recomputing(tmp_path, tiny_pool_file):
    ws = Workspace.create(tmp_path / "ws", load_pool(tiny_pool_file))
    with pytest.raises(RuntimeError):
        ws.embed(CountingEmbedder(fail_after=2), chunk_rows=10)
    second = CountingEmbedder()
    ws.embed(second, chunk_rows=10)
    assert second.calls == 3  # 48 rows in chunks of 10: 5 chunks, 2 already done


def test_cancelled_embedding_resumes(tmp_path, tiny_pool_file):
    ws = Workspace.create(tmp_path / "ws", load_pool(tiny_pool_file))

    def cancel_after_half(done, total):
        return done < total // 2

    with pytest.raises(CancelledError):
        ws.embed(HashingEmbedder(), chunk_rows=8, progress=cancel_after_half)
    meta = ws.embed(HashingEmbedder(), chunk_rows=8)
    assert meta["resumed_chunks"] >= 2
    assert np.array_equal(ws.embeddings(), HashingEmbedder().embed(ws.texts("instruction")))


def test_resume_with_another_chunk_size_is_still_exact(tmp_path):
    """Parts are numbered per chunk; a rerun with another chunk size must not take a part
    made for other rows (50 rows: chunks of 10 leave parts 0-2, then chunks of 40)."""
    path = tmp_path / "p.json"
    path.write_text(json.dumps([{"instruction": f"task {i} word{i % 7} thing{i % 3}",
                                 "output": f"o {i}"} for i in range(50)]), encoding="utf-8")
    ws = Workspace.create(tmp_path / "ws", load_pool(path))
    with pytest.raises(RuntimeError):
        ws.embed(CountingEmbedder(fail_after=3), chunk_rows=10)
    ws.embed(HashingEmbedder(), chunk_rows=40)
    assert np.array_equal(ws.embeddings(), HashingEmbedder().embed(ws.texts("instruction")))


def test_embedder_returning_bad_vectors_is_refused(tmp_path, tiny_pool_file):
    ws = Workspace.create(tmp_path / "ws", load_pool(tiny_pool_file))

    class Unnormalised(HashingEmbedder):
        def embed(self, texts, progress=None):
            return super().embed(texts, progress) * 3

    with pytest.raises(RuntimeError, match="expected L2-normalised rows"):
        ws.embed(Unnormalised())
    assert ws.embedding_info() is None
