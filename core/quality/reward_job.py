"""Resumable, cached reward scoring of a workspace's pool (the pattern of
core.workspace.embedding).

Pairs are scored longest first (batches pad to similar lengths) in chunks of
``chunk_rows``; each finished chunk is saved at once under
``cache/reward-<key>.parts-<chunk_rows>/``. A run that is killed and started again with
the same key skips the finished chunks. The final vector ``cache/reward-<key>.npy`` (raw
rewards, float64 (n,), row i = pool row i) and its sidecar ``reward-<key>.json`` are
written whole, sidecar last; the key is sha256 of ("reward", the pairs' hash, the model's
fingerprint, max_length, format version), so a cached score is found without loading the
model.
"""

from __future__ import annotations

import shutil
import time
from typing import Any

import numpy as np

from core.progress import check_progress
from core.quality.reward import (
    DEFAULT_BATCH_SIZE,
    DEFAULT_MAX_LENGTH,
    FORMAT_VERSION,
    model_fingerprint,
)
from core.workspace.atomic import atomic_save_npy, atomic_write_json, read_json
from core.workspace.keys import config_key, texts_key

DEFAULT_CHUNK_ROWS = 256


def reward_pairs(ws) -> tuple[list[str], list[str]]:
    """(prompts, responses): instruction (+ input) as one user turn, and the response."""
    return ws.texts("instruction"), ws.texts("response")


def reward_key(ws, name: str, max_length: int = DEFAULT_MAX_LENGTH,
               pairs: tuple[list[str], list[str]] | None = None) -> str:
    prompts, responses = pairs or reward_pairs(ws)
    pairs_hash = texts_key(p + "\0" + r for p, r in zip(prompts, responses, strict=True))
    return config_key("reward", pairs_hash, model_fingerprint(name), int(max_length),
                      FORMAT_VERSION)


def cached_reward(ws, name: str, max_length: int = DEFAULT_MAX_LENGTH) -> np.ndarray | None:
    """The cached raw rewards (n,) for ``name``, or None when not computed yet."""
    key = reward_key(ws, name, max_length)
    path = ws.cache_dir / f"reward-{key}.npy"
    if read_json(ws.cache_dir / f"reward-{key}.json") and path.exists():
        return np.load(path, allow_pickle=False)
    return None


def list_cached_rewards(ws) -> list[dict[str, Any]]:
    """Sidecars of the finished reward scores of this pool (model, key, rows, seconds...)."""
    found = []
    for path in sorted(ws.cache_dir.glob("reward-*.json")):
        meta = read_json(path)
        if meta and meta.get("pool_key") == ws.pool_key and \
                (ws.cache_dir / meta.get("file", "")).exists():
            found.append(meta)
    return found


def compute_reward(ws, name: str, *, model=None, max_length: int = DEFAULT_MAX_LENGTH,
                   batch_size: int = DEFAULT_BATCH_SIZE, chunk_rows: int = DEFAULT_CHUNK_ROWS,
                   progress=None, executor=None) -> tuple[np.ndarray, dict[str, Any]]:
    """(raw rewards (n,), sidecar) for reward model ``name``, from the cache or computed
    chunk by chunk (resumable). ``model``: an already loaded scorer with
    ``score(prompts, responses, progress)`` and ``format`` (default: RewardModel(name),
    loaded only when a chunk is missing). ``executor``: a Ray executor scores the missing
    chunks on an actor pool (core.distributed.reward) into the same chunk files.
    ``progress(done, total)`` returning False cancels (CancelledError)."""
    pairs = reward_pairs(ws)
    key = reward_key(ws, name, max_length, pairs)
    final, sidecar = ws.cache_dir / f"reward-{key}.npy", ws.cache_dir / f"reward-{key}.json"
    meta = read_json(sidecar)
    n = len(pairs[0])
    if meta and final.exists():
        check_progress(progress, n, n, "reward scoring", "rows")
        return np.load(final, allow_pickle=False), meta
    started = time.perf_counter()
    chunk_rows = max(1, int(chunk_rows))
    parts_dir = ws.cache_dir / f"reward-{key}.parts-{chunk_rows}"
    parts_dir.mkdir(parents=True, exist_ok=True)
    chunks = chunk_plan(pairs, chunk_rows)
    todo = [c for c, idx in enumerate(chunks)
            if _load_part(parts_dir / part_name(c), len(idx)) is None]
    if executor is not None and executor.name == "ray":
        from core.distributed.reward import score_chunks_on_ray

        fmt = score_chunks_on_ray(executor, name, pairs, chunks, todo, parts_dir,
                                  max_length=max_length, batch_size=batch_size,
                                  progress=progress)
    else:
        fmt = _score_chunks_here(name, model, pairs, chunks, todo, parts_dir, progress,
                                 max_length=max_length, batch_size=batch_size)
    out = np.empty(n, dtype=np.float64)
    for c, idx in enumerate(chunks):
        values = _load_part(parts_dir / part_name(c), len(idx))
        if values is None:
            raise RuntimeError(f"reward chunk {c} is missing after scoring")
        out[idx] = values
    if not np.isfinite(out).all():
        raise RuntimeError(f"reward model {name} returned NaN or infinite rewards")
    atomic_save_npy(final, out)
    meta = {"key": key, "file": final.name, "model": name, "pool_key": ws.pool_key, "rows": n,
            "max_length": int(max_length), "format": fmt,
            "fingerprint": model_fingerprint(name), "chunk_rows": chunk_rows,
            "computed_chunks": len(todo), "executor": getattr(executor, "name", "local"),
            "seconds": round(time.perf_counter() - started, 3)}
    atomic_write_json(sidecar, meta)
    shutil.rmtree(parts_dir, ignore_errors=True)
    return out, meta


def chunk_plan(pairs: tuple[list[str], list[str]], chunk_rows: int) -> list[np.ndarray]:
    """Pool rows per chunk: longest pairs first (batches pad to similar lengths), a stable
    function of the texts, so a resumed or distributed run covers the same rows."""
    n = len(pairs[0])
    lengths = np.fromiter((len(p) + len(r) for p, r in zip(*pairs, strict=True)),
                          dtype=np.int64, count=n)
    order = np.argsort(-lengths, kind="stable")
    return [order[start:start + chunk_rows] for start in range(0, n, chunk_rows)]


def part_name(chunk: int) -> str:
    return f"{chunk:06d}.npy"


def _score_chunks_here(name, model, pairs, chunks, todo, parts_dir, progress, *,
                       max_length: int, batch_size: int) -> str | None:
    """Score the missing chunks in this process, saving each as it finishes."""
    n = len(pairs[0])
    missing = set(todo)
    done = 0
    for c, idx in enumerate(chunks):
        if c in missing:
            if model is None:
                from core.quality.reward import RewardModel

                model = RewardModel(name, max_length=max_length, batch_size=batch_size)

            def inner(finished, _total, base=done):
                return progress(base + finished, n) if progress else None

            values = model.score([pairs[0][i] for i in idx], [pairs[1][i] for i in idx],
                                 progress=inner)
            atomic_save_npy(parts_dir / part_name(c), np.asarray(values, dtype=np.float64))
        done += len(idx)
        check_progress(progress, done, n, "reward scoring", "rows")
    return getattr(model, "format", None)


def _load_part(path, rows: int) -> np.ndarray | None:
    if not path.exists():
        return None
    try:
        values = np.load(path, allow_pickle=False)
    except (ValueError, OSError):
        return None
    return values if values.shape == (rows,) else None


class RewardScorer:
    """``reward:MODEL``: raw rewards of a reward model (needs a workspace: the scores are
    computed once, resumably, and cached there)."""

    def __init__(self, model: str) -> None:
        self.model = model
        self.spec = f"reward:{model}"

    def columns(self) -> list[str]:
        return ["instruction", "input", "response"]

    def score(self, frame) -> np.ndarray:
        from core.errors import InputError

        raise InputError(f"{self.spec} is computed on a workspace; use `python -m core quality "
                         f"--workspace DIR --compute {self.spec}`", field="quality")

    def workspace_score(self, ws, progress=None) -> np.ndarray:
        return compute_reward(ws, self.model, progress=progress)[0]

    def inputs(self, ws) -> dict[str, Any]:
        return {"kind": "reward", "model": self.model, "key": reward_key(ws, self.model),
                "max_length": DEFAULT_MAX_LENGTH}
