"""The workspace entry points of the distributed engine (what the CLI calls).

- :func:`embed_workspace`: embed the pool with a sharded, resumable job and make the
  assembled matrix the workspace's current embedding, under the same key and file name as
  the single-machine ``ws.embed`` (so either path finds the other's artifact).
- :func:`select_workspace`: ``core.select.run.run_selection`` for the distributed GreeDi
  engine: same validation, same quality scores and candidate filter, same config fields
  (quality, where, embedding) plus ``executor`` and ``distributed``.
- :func:`rerun_distributed_selection`: run again from such a config (reproduce).
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import numpy as np

from core.distributed.embedding import (
    DEFAULT_SHARD_ROWS,
    EmbedderSpec,
    embed_file,
    prepare_texts,
    remove_job,
)
from core.distributed.executor import Executor, ProgressFn
from core.distributed.greedi import DEFAULT_OVERSAMPLE, greedi_select
from core.distributed.shards import MatrixSource
from core.errors import InputError
from core.select.result import SelectionResult
from core.workspace.atomic import atomic_path, atomic_write_json, read_json
from core.workspace.keys import config_key, file_sha256


def assemble_npy(source: MatrixSource, target: Path) -> None:
    """Copy the shards into one .npy at ``target`` (atomic), one shard in memory at a time."""
    with atomic_path(target, ".npy") as tmp:
        out = np.lib.format.open_memmap(tmp, mode="w+", dtype=np.float32,
                                        shape=(source.n, source.dim))
        for a, b in zip(source.offsets[:-1], source.offsets[1:], strict=True):
            out[a:b] = source.block(a, b)
        out.flush()
        del out


def embed_workspace(ws, spec: EmbedderSpec, field: str = "instruction", *,
                    executor: Executor, shard_rows: int = DEFAULT_SHARD_ROWS,
                    actors: int | None = None, progress: ProgressFn | None = None
                    ) -> dict[str, Any]:
    """Embed ``field`` of the workspace's pool on ``executor`` and make it current.

    Returns the embedding record (as ``ws.embed`` does) with ``executor`` and ``shards``
    added. The job's texts and shards live under ``cache/dist-embed-...`` until the matrix
    is assembled; a killed run resumes from them.
    """
    started = time.perf_counter()
    pool_file = ws.cache_dir / ws.pool_info["file"]
    out_dir = ws.cache_dir / f"dist-embed-{ws.pool_key}-{field}-{int(shard_rows)}"
    texts = prepare_texts(pool_file, out_dir, field, int(shard_rows), executor.name)
    embedder = spec.build()
    key = config_key("embed", texts["texts_key"], field, embedder.config())
    final = ws.cache_dir / f"embeddings-{key}.npy"
    sidecar = ws.cache_dir / f"embeddings-{key}.json"
    meta = read_json(sidecar)
    if not (final.exists() and meta):
        manifest = embed_file(pool_file, out_dir, field=field, spec=spec, executor=executor,
                              shard_rows=shard_rows, actors=actors, progress=progress)
        assemble_npy(MatrixSource.from_shard_dir(manifest["folder"]), final)
        meta = {"key": key, "file": final.name, "model": embedder.name, "field": field,
                "dim": manifest["dim"], "rows": manifest["rows"], "config": embedder.config(),
                "sha256": file_sha256(final), "seconds": round(time.perf_counter() - started, 3),
                "resumed_chunks": manifest["resumed_shards"], "chunk_rows": int(shard_rows),
                "shards": len(manifest["shards"]), "executor": executor.describe()}
        atomic_write_json(sidecar, meta)
    # The workspace's own commit step (pointer + top-level link); not public API on main.
    meta = ws._activate_embedding(meta)
    remove_job(out_dir)
    return meta


def select_workspace(ws, request, *, executor: Executor, shards: int | None = None,
                     per_shard: int | None = None, oversample: float = DEFAULT_OVERSAMPLE,
                     merge: str = "weighted", eval_sample: int | None = None,
                     progress: ProgressFn | None = None) -> SelectionResult:
    """Distributed ``run_selection`` of a :class:`~core.select.request.SelectionRequest`:
    GreeDi over the workspace's embeddings, with run_selection's candidate rows (``where``
    and the map's id filters), quality scores, token budget and config."""
    from core.quality import workspace_quality
    from core.select.base import SelectionPlan
    from core.select.compose import cut_to_token_budget
    from core.select.registry import get_strategy
    from core.select.run import candidate_rows, pin_drop, row_tokens

    start = time.perf_counter()
    strategy = get_strategy(request.strategy, **request.params)
    if request.quota is not None:
        raise InputError("--quota runs on the local executor only (--executor local)",
                         field="quota")
    request = pin_drop(ws, request)
    candidates = candidate_rows(ws, request)
    SelectionPlan.build(ws.n_rows, request.k, candidates, request.must_include)
    source = MatrixSource.from_workspace(ws)
    quality = workspace_quality(ws, request.quality)
    prepared = time.perf_counter() - start
    result = greedi_select(source, request.strategy, request.k, strategy.get_params(),
                           quality=quality, candidates=candidates,
                           must_include=request.must_include, seed=request.seed,
                           executor=executor, shards=shards, per_shard=per_shard,
                           oversample=oversample, merge=merge, eval_sample=eval_sample,
                           progress=progress)
    if request.budget_tokens is not None:
        tokens, counted = row_tokens(ws)
        result = cut_to_token_budget(result, tokens, request.budget_tokens,
                                     f"instruction + response, {counted}")
    info = ws.embedding_info()
    config = request.to_config()
    config["params"] = strategy.get_params()
    result.config.update(config)
    result.config["embedding"] = {key: info.get(key) for key in ("key", "model", "field", "dim")}
    result.timings = {"context": prepared, **result.timings,
                      "total": time.perf_counter() - start}
    return result


def is_distributed(config: dict[str, Any]) -> bool:
    """True for the config of a result made by :func:`select_workspace`."""
    return isinstance(config.get("distributed"), dict)


def rerun_distributed_selection(ws, config: dict[str, Any], executor: Executor,
                                progress: ProgressFn | None = None) -> SelectionResult:
    """Run a distributed selection again from its config (same shards, same seed: the same
    picks on any executor)."""
    from core.select.request import SelectionRequest

    dist = config.get("distributed") or {}
    return select_workspace(
        ws, SelectionRequest.from_config(config), executor=executor,
        shards=dist.get("shards"), per_shard=dist.get("per_shard"),
        oversample=dist.get("oversample", DEFAULT_OVERSAMPLE),
        merge=dist.get("merge", "weighted"), eval_sample=dist.get("eval_sample"),
        progress=progress)
