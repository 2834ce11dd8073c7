"""Distributed, resumable embedding into row-sharded .npy files.

    manifest = embed_file("pool.parquet", out_dir, field="instruction",
                          spec=EmbedderSpec("all-MiniLM-L6-v2"), executor=ex)
    x = MatrixSource.from_shard_dir(manifest_dir)        # memory-mapped shards

Steps (each resumable):

1. Texts: the source is read in order (core.distributed.texts: Ray Data when the executor
   is Ray) and written to ``out_dir/texts.parquet`` with one row group per shard of
   ``shard_rows`` texts; ``texts.json`` (written last, atomically) commits it and records
   the texts' hash. Shard i is then exactly row group i, which any worker reads directly.
2. Vectors: with Ray, a Ray Data pipeline over the unfinished shard numbers feeds a fixed
   actor pool (``map_batches`` with ``ActorPoolStrategy``): every actor builds the embedder
   (loads the model) once and then embeds shard after shard, writing
   ``vectors-<key>/shard-NNNNN.npy`` atomically. One actor per GPU when the cluster has
   GPUs (the model runs on "cuda"), else ``actors`` CPU actors (default: the cluster's CPUs
   minus one, at least one: an actor pool as large as the CPUs can starve Ray Data's other
   operators and deadlock a small machine). In-process, the same code runs shard by shard.
   A restarted job skips every shard whose file exists with the right shape; files are
   renamed into place whole, so a killed job never leaves a torn shard.
3. ``vectors-<key>/manifest.json`` lists the shards (the commit point of the job).

The key is the single-machine one (core.workspace.embedding): sha256 of ("embed", texts
hash, field, embedder config), so ``embed_workspace`` assembles exactly the artifact a
single-machine ``ws.embed`` would write and makes it current. Each text's vector does not
depend on the shard it lands in for per-text embedders (the hashing embedder: bit-identical
to a single run); transformer models pad each batch to its longest text, so vectors agree
with a single-machine run to float round-off (about 1e-7), not bit for bit. TF-IDF is fitted
on the whole pool and cannot be sharded: use the local executor for it.
"""

from __future__ import annotations

import json
import logging
import math
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from core.distributed.executor import Executor, ProgressFn
from core.distributed.texts import TextsHasher, text_batches
from core.embed import create_embedder
from core.errors import InputError
from core.progress import check_progress
from core.workspace.atomic import atomic_save_npy, atomic_write_json, read_json
from core.workspace.keys import config_key

DEFAULT_SHARD_ROWS = 4096
TEXTS_FILE = "texts.parquet"
TEXTS_META = "texts.json"


@dataclass(frozen=True)
class EmbedderSpec:
    """How every worker builds the embedder: ``create_embedder(name, **options)``."""

    name: str
    options: dict[str, Any] = field(default_factory=dict)

    def build(self, device: str | None = None):
        if self.name.lower() in ("tfidf", "tf-idf", "lsa"):
            raise InputError("tfidf is fitted on the whole pool and cannot be sharded; use "
                             "--executor local", field="model")
        embedder = create_embedder(self.name, **self.options)
        if device and hasattr(embedder, "device"):
            embedder.device = device
        return embedder


def shard_name(shard: int) -> str:
    return f"shard-{shard:05d}.npy"


def prepare_texts(source: str | Path, out_dir: Path, field: str, shard_rows: int,
                  executor_name: str) -> dict[str, Any]:
    """Step 1: texts.parquet with one row group per shard; returns texts.json's record."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    meta_path = out_dir / TEXTS_META
    meta = read_json(meta_path)
    if meta and meta.get("shard_rows") == shard_rows and meta.get("field") == field:
        return meta
    out_dir.mkdir(parents=True, exist_ok=True)
    hasher, sizes = TextsHasher(), []
    tmp = out_dir / f".{TEXTS_FILE}.tmp"
    schema = pa.schema([("text", pa.string())])
    with pq.ParquetWriter(tmp, schema) as writer:
        for batch in text_batches(source, field, shard_rows, executor_name):
            writer.write_table(pa.table({"text": batch}, schema=schema),
                               row_group_size=len(batch))
            hasher.update(batch)
            sizes.append(len(batch))
    if not sizes:
        raise InputError("holds no records", file=str(source))
    tmp.replace(out_dir / TEXTS_FILE)
    meta = {"source": str(source), "field": field, "shard_rows": shard_rows,
            "rows": int(sum(sizes)), "shard_sizes": sizes, "texts_key": hasher.key()}
    atomic_write_json(meta_path, meta)
    return meta


def shard_done(folder: Path, shard: int, rows: int) -> bool:
    """True when the shard's file exists whole (a float32 matrix with ``rows`` rows)."""
    path = folder / shard_name(shard)
    if not path.exists():
        return False
    try:
        arr = np.load(path, mmap_mode="r", allow_pickle=False)
    except (ValueError, OSError):
        return False
    return arr.ndim == 2 and arr.shape[0] == rows and arr.dtype == np.float32


def embed_shard(embedder, texts_path: Path, out: Path, shard: int) -> int:
    """Embed row group ``shard`` of the texts file into ``out/shard-NNNNN.npy``; its rows."""
    import pyarrow.parquet as pq

    texts = pq.ParquetFile(texts_path).read_row_group(shard, columns=["text"])
    vecs = np.asarray(embedder.embed(texts.column("text").to_pylist()), dtype=np.float32)
    norms = np.linalg.norm(vecs, axis=1)
    if not np.isfinite(vecs).all() or not np.allclose(norms, 1.0, atol=1e-3):
        raise RuntimeError(f"the embedder returned non-finite or non-unit vectors in shard "
                           f"{shard}")
    atomic_save_npy(out / shard_name(shard), vecs)
    return len(vecs)


class ShardEmbedder:
    """Ray Data actor (and in-process worker): builds the embedder once, embeds shards."""

    def __init__(self, spec: EmbedderSpec, texts_path: str, out: str,
                 device: str | None = None, threads: int | None = None) -> None:
        self.embedder = spec.build(device)
        self.texts_path, self.out = Path(texts_path), Path(out)
        if hasattr(self.embedder, "load"):  # load the model now, once per actor
            self.embedder.load()
            if threads:
                import torch

                torch.set_num_threads(int(threads))

    def __call__(self, batch: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        shards = [int(s) for s in batch["shard"]]
        rows = [embed_shard(self.embedder, self.texts_path, self.out, s) for s in shards]
        return {"shard": np.array(shards, dtype=np.int64), "rows": np.array(rows)}


def embed_file(source: str | Path, out_dir: str | Path, *, field: str = "instruction",
               spec: EmbedderSpec, executor: Executor, shard_rows: int = DEFAULT_SHARD_ROWS,
               actors: int | None = None, progress: ProgressFn | None = None
               ) -> dict[str, Any]:
    """Embed a Parquet/JSONL file into sharded .npy files; resumable. Returns the manifest
    (written to ``<out_dir>/vectors-<key>/manifest.json``; its "folder" names that folder).
    """
    started = time.perf_counter()
    if int(shard_rows) < 1:
        raise InputError(f"shard rows must be at least 1, got {shard_rows}", field="shards")
    out_dir = Path(out_dir)
    texts = prepare_texts(source, out_dir, field, int(shard_rows), executor.name)
    embedder = spec.build()
    key = config_key("embed", texts["texts_key"], field, embedder.config())
    folder = out_dir / f"vectors-{key}"
    manifest = read_json(folder / "manifest.json")
    if manifest:
        return {**manifest, "folder": str(folder)}
    folder.mkdir(parents=True, exist_ok=True)
    sizes = texts["shard_sizes"]
    todo = [i for i, rows in enumerate(sizes) if not shard_done(folder, i, rows)]
    args = (spec, str(out_dir / TEXTS_FILE), str(folder))
    if executor.name == "ray":
        _embed_with_ray(executor, args, todo, len(sizes), actors, progress)
    else:
        _embed_in_process(args, todo, len(sizes), progress)
    dim = int(np.load(folder / shard_name(0), mmap_mode="r").shape[1])
    manifest = {"key": key, "model": embedder.name, "config": embedder.config(),
                "field": field, "rows": texts["rows"], "dim": dim,
                "shards": [shard_name(i) for i in range(len(sizes))], "shard_sizes": sizes,
                "texts_key": texts["texts_key"], "resumed_shards": len(sizes) - len(todo),
                "seconds": round(time.perf_counter() - started, 3),
                "executor": executor.describe()}
    atomic_write_json(folder / "manifest.json", manifest)
    for stale in folder.glob(".*.tmp"):  # temp files of a killed run's workers
        stale.unlink(missing_ok=True)
    return {**manifest, "folder": str(folder)}


def _embed_in_process(args, todo: list[int], total: int, progress: ProgressFn | None) -> None:
    worker = ShardEmbedder(*args)
    done = total - len(todo)
    for shard in todo:
        worker({"shard": np.array([shard])})
        done += 1
        check_progress(progress, done, total, "embedding", "shards")


def actor_plan(resources: dict[str, float], actors: int | None) -> dict[str, Any]:
    """Actor count and per-actor resources for the cluster (see the module docstring)."""
    gpus, cpus = int(resources.get("GPU", 0)), int(resources.get("CPU", 1))
    if gpus:
        return {"size": actors or gpus, "num_gpus": 1, "num_cpus": 1, "device": "cuda",
                "threads": None}
    size = actors or max(1, cpus - 1)
    # Ray reserves one logical CPU per actor; torch may use the cores the pool leaves idle.
    return {"size": size, "num_gpus": 0, "num_cpus": 1, "device": None,
            "threads": max(1, math.floor(cpus / size))}


def _embed_with_ray(executor, args, todo: list[int], total: int, actors: int | None,
                    progress: ProgressFn | None) -> None:
    import ray.data

    if not todo:
        return
    logging.getLogger("ray.data").setLevel(logging.WARNING)
    ctx = ray.data.DataContext.get_current()
    ctx.enable_progress_bars = False
    plan = actor_plan(executor.cluster_resources(), actors)
    ds = ray.data.from_items([{"shard": s} for s in todo]).map_batches(
        ShardEmbedder, fn_constructor_args=(*args, plan["device"], plan["threads"]),
        compute=ray.data.ActorPoolStrategy(size=plan["size"]), batch_size=1,
        num_cpus=plan["num_cpus"], num_gpus=plan["num_gpus"])
    done = total - len(todo)
    for _ in ds.iter_rows():
        done += 1
        check_progress(progress, done, total, "embedding", "shards")


def remove_job(out_dir: str | Path) -> None:
    """Delete a finished job's texts and shards (after they were assembled elsewhere)."""
    shutil.rmtree(out_dir, ignore_errors=True)


def manifest_of(folder: str | Path) -> dict[str, Any] | None:
    path = Path(folder) / "manifest.json"
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else None
