"""Sharded, resumable embedding (in-process executor; the Ray runs are in test_ray.py)."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from core.distributed.embedding import (
    EmbedderSpec,
    actor_plan,
    embed_file,
    prepare_texts,
    shard_name,
)
from core.distributed.executor import InProcessExecutor
from core.distributed.shards import MatrixSource
from core.distributed.texts import TextsHasher, text_batches
from core.distributed.workspace import embed_workspace
from core.embed import HashingEmbedder
from core.errors import InputError
from core.pool import load_pool
from core.workspace import Workspace
from core.workspace.keys import texts_key
from tests.synthetic import instruction_records, write_jsonl

HASHING = EmbedderSpec("hashing")


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    root = tmp_path_factory.mktemp("embed-src")
    records = instruction_records(1000, seed=0)
    jsonl = write_jsonl(root / "pool.jsonl", records)
    ws = Workspace.create(root / "ws", load_pool(jsonl))
    parquet = root / "alpaca.parquet"
    pq.write_table(pa.Table.from_pylist(records), parquet, row_group_size=300)
    return {"jsonl": jsonl, "parquet": parquet, "ws": ws}


@pytest.mark.parametrize("field", ["instruction", "response", "both"])
def test_texts_equal_the_workspace_texts_for_every_source(files, field):
    ws = files["ws"]
    want = ws.texts(field)
    pool_file = ws.cache_dir / ws.pool_info["file"]
    for src in (files["jsonl"], files["parquet"], pool_file):
        batches = list(text_batches(src, field, 128))
        assert [len(b) for b in batches] == [128] * 7 + [104]
        assert sum(batches, []) == want


def test_incremental_hash_equals_texts_key():
    texts = ["a", "", "naïve ✓", "b" * 5000]
    hasher = TextsHasher()
    hasher.update(texts[:2])
    hasher.update(texts[2:])
    assert hasher.key() == texts_key(texts)


def test_texts_table_has_one_row_group_per_shard(files, tmp_path):
    meta = prepare_texts(files["jsonl"], tmp_path, "instruction", 300, "local")
    assert meta["shard_sizes"] == [300, 300, 300, 100] and meta["rows"] == 1000
    assert pq.ParquetFile(tmp_path / "texts.parquet").num_row_groups == 4


def test_embed_file_equals_one_in_process_run(files, tmp_path):
    m = embed_file(files["parquet"], tmp_path, field="both", spec=HASHING,
                   executor=InProcessExecutor(), shard_rows=256)
    x = MatrixSource.from_shard_dir(m["folder"])
    want = HashingEmbedder().embed(files["ws"].texts("both"))
    np.testing.assert_array_equal(x.block(0, x.n), want)
    assert m["shards"] == [shard_name(i) for i in range(4)] and m["resumed_shards"] == 0
    again = embed_file(files["parquet"], tmp_path, field="both", spec=HASHING,
                       executor=InProcessExecutor(), shard_rows=256)
    assert again["key"] == m["key"] and again["seconds"] == m["seconds"]  # the manifest


def test_a_cancelled_job_resumes_and_redoes_only_missing_or_broken_shards(files, tmp_path):
    def stop_after_three(done, total):
        return done < 3

    with pytest.raises(Exception, match="cancelled"):
        embed_file(files["jsonl"], tmp_path, spec=HASHING, executor=InProcessExecutor(),
                   shard_rows=100, progress=stop_after_three)
    folder = next(tmp_path.glob("vectors-*"))
    assert sorted(p.name for p in folder.glob("shard-*.npy")) == [shard_name(i) for i in
                                                                 range(3)]
    (folder / shard_name(1)).write_bytes(b"\x93NUMPY torn")  # a corrupt shard is redone
    (folder / f".{shard_name(5)}.x.npy.tmp").write_bytes(b"partial")  # a dead writer's temp
    m = embed_file(files["jsonl"], tmp_path, spec=HASHING, executor=InProcessExecutor(),
                   shard_rows=100)
    assert m["resumed_shards"] == 2
    x = MatrixSource.from_shard_dir(m["folder"])
    np.testing.assert_array_equal(x.block(0, x.n),
                                  HashingEmbedder().embed(files["ws"].texts("instruction")))
    assert not list(folder.glob(".*.tmp"))


def test_workspace_embedding_is_the_single_machine_artifact(files, tmp_path):
    single = Workspace.create(tmp_path / "single", load_pool(files["jsonl"]))
    meta_single = single.embed(HashingEmbedder(), "response")
    dist = Workspace.create(tmp_path / "dist", load_pool(files["jsonl"]))
    meta = embed_workspace(dist, HASHING, "response", executor=InProcessExecutor(),
                           shard_rows=333)
    assert meta["key"] == meta_single["key"] and meta["sha256"] == meta_single["sha256"]
    assert meta["shards"] == 4 and dist.embedding_info()["key"] == meta["key"]
    np.testing.assert_array_equal(dist.embeddings(), single.embeddings())
    assert not list(dist.cache_dir.glob("dist-embed-*"))  # the job's scratch is removed


def test_tfidf_cannot_be_sharded(files, tmp_path):
    with pytest.raises(InputError, match="tfidf"):
        embed_file(files["jsonl"], tmp_path, spec=EmbedderSpec("tfidf"),
                   executor=InProcessExecutor())


def test_unreadable_sources_are_input_errors(tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"instruction": "a", "output": "b"}\nnot json\n', encoding="utf-8")
    with pytest.raises(InputError, match=r"bad.jsonl:2: not valid JSON"):
        list(text_batches(bad, "instruction", 10))
    with pytest.raises(InputError, match=".parquet or .jsonl"):
        list(text_batches(tmp_path / "pool.csv", "instruction", 10))


def test_actor_plan_one_actor_per_gpu_else_leave_a_cpu_free():
    gpu = actor_plan({"CPU": 16.0, "GPU": 2.0}, None)
    assert gpu["size"] == 2 and gpu["num_gpus"] == 1 and gpu["device"] == "cuda"
    cpu = actor_plan({"CPU": 2.0}, None)
    assert cpu["size"] == 1 and cpu["num_gpus"] == 0 and cpu["threads"] == 2
    assert actor_plan({"CPU": 64.0}, None)["size"] == 63
    assert actor_plan({"CPU": 64.0}, 8)["threads"] == 8
