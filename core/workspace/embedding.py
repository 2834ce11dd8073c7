"""Resumable embedding of a workspace's pool, chunk by chunk.

Rows are embedded longest first (batches pad to similar lengths, the main CPU saving) in
chunks of ``chunk_rows``; each finished chunk is saved at once under
``cache/embeddings-<key>.parts/``. A run that is killed and started again with the same
key skips the finished chunks, so a 50,000-row pool never starts over. The order is a
stable function of the texts, so a resumed run assembles exactly the same matrix.
"""

from __future__ import annotations

import shutil
import time
from typing import Any

import numpy as np

from core.progress import check_progress
from core.workspace.atomic import atomic_save_npy, atomic_write_json, read_json
from core.workspace.keys import config_key, file_sha256, texts_key


class EmbeddingJob:
    def __init__(self, ws, embedder, field: str, chunk_rows: int = 2048) -> None:
        self.ws = ws
        self.embedder = embedder
        self.field = field
        self.chunk_rows = max(1, int(chunk_rows))

    def run(self, progress=None) -> dict[str, Any]:
        texts = self.ws.texts(self.field)
        key = config_key("embed", texts_key(texts), self.field, self.embedder.config())
        cache = self.ws.cache_dir
        final = cache / f"embeddings-{key}.npy"
        sidecar = cache / f"embeddings-{key}.json"
        meta = read_json(sidecar)
        if final.exists() and meta:
            check_progress(progress, len(texts), len(texts), "embedding")
            return meta
        started = time.perf_counter()
        # The chunk size is part of the folder name: chunks of another size cover other rows.
        parts_dir = cache / f"embeddings-{key}.parts-{self.chunk_rows}"
        parts_dir.mkdir(parents=True, exist_ok=True)
        n = len(texts)
        order = np.argsort(-np.fromiter((len(t) for t in texts), dtype=np.int64, count=n),
                           kind="stable")
        if hasattr(self.embedder, "prepare"):
            self.embedder.prepare(texts)
        chunks, reused = [], 0
        for c, start in enumerate(range(0, n, self.chunk_rows)):
            idx = order[start:start + self.chunk_rows]
            part = parts_dir / f"{c:06d}.npy"
            vecs = _load_part(part, len(idx))
            if vecs is None:
                def inner(done, _total, base=start):
                    return progress(base + done, n) if progress else None

                vecs = np.asarray(self.embedder.embed([texts[i] for i in idx], progress=inner),
                                  dtype=np.float32)
                atomic_save_npy(part, vecs)
            else:
                reused += 1
            chunks.append((idx, vecs))
            check_progress(progress, start + len(idx), n, "embedding")
        dim = chunks[0][1].shape[1]
        out = np.empty((n, dim), dtype=np.float32)
        for idx, vecs in chunks:
            out[idx] = vecs
        _check_matrix(out)
        atomic_save_npy(final, out)
        meta = {"key": key, "file": final.name, "model": self.embedder.name, "field": self.field,
                "dim": int(dim), "rows": n, "config": self.embedder.config(),
                "sha256": file_sha256(final), "seconds": round(time.perf_counter() - started, 3),
                "resumed_chunks": reused, "chunk_rows": self.chunk_rows}
        atomic_write_json(sidecar, meta)
        shutil.rmtree(parts_dir, ignore_errors=True)
        return meta


def _load_part(path, rows: int) -> np.ndarray | None:
    if not path.exists():
        return None
    try:
        vecs = np.load(path, allow_pickle=False)
    except (ValueError, OSError):
        return None
    return vecs if vecs.ndim == 2 and vecs.shape[0] == rows else None


def _check_matrix(x: np.ndarray) -> None:
    if not np.isfinite(x).all():
        raise RuntimeError("the embedder returned NaN or infinite values")
    norms = np.linalg.norm(x, axis=1)
    if not np.allclose(norms, 1.0, atol=1e-3):
        bad = int(np.argmax(np.abs(norms - 1.0)))
        raise RuntimeError(f"the embedder returned a vector of norm {norms[bad]:.4f} at row "
                           f"{bad}; expected L2-normalised rows")
