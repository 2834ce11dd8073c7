"""Row-sharded embedding matrices that every process memory-maps, and how pools are cut up.

A :class:`MatrixSource` names a float32 (n, d) matrix stored as one ``.npy`` file (the
workspace's ``embeddings.npy``) or as several row shards (what a distributed embedding job
writes). It holds only file paths, so it pickles in microseconds and every task opens the
files itself with ``np.load(mmap_mode="r")``: no process ever receives the whole matrix.
On a multi-machine cluster the files must therefore lie on a filesystem every node mounts
(NFS, a cloud-bucket FUSE mount) under the same path.

Memory limit: no distributed step holds more than ``max_rows_per_process()`` rows of the
matrix (plus O(rows * K) of kNN graph) in one process. The default is 250,000 rows (about
370 MB of 384-d float32); the environment variable ``QDX_MAX_ROWS_PER_PROCESS`` changes it.
Steps that would exceed it raise InputError naming the option that fixes it.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from core.errors import InputError

DEFAULT_MAX_ROWS_PER_PROCESS = 250_000
MAX_ROWS_ENV = "QDX_MAX_ROWS_PER_PROCESS"
MANIFEST = "manifest.json"


def max_rows_per_process() -> int:
    """The per-process row limit: ``QDX_MAX_ROWS_PER_PROCESS`` or 250,000."""
    raw = os.environ.get(MAX_ROWS_ENV, "").strip()
    if not raw:
        return DEFAULT_MAX_ROWS_PER_PROCESS
    if not raw.isdigit() or int(raw) < 1:
        raise InputError(f"{MAX_ROWS_ENV} must be a whole number of rows >= 1, got {raw!r}",
                         field=MAX_ROWS_ENV)
    return int(raw)


def check_rows_fit(rows: int, what: str, remedy: str) -> None:
    """InputError when ``rows`` would be held in one process past the configured limit."""
    limit = max_rows_per_process()
    if rows > limit:
        raise InputError(f"{what} would hold {rows:,} rows in one process, more than the "
                         f"limit of {limit:,} ({MAX_ROWS_ENV}); {remedy}", field="shards")


_OPEN: dict[str, np.ndarray] = {}


def _memmap(path: str) -> np.ndarray:
    """Memory-map ``path`` read-only once per process."""
    arr = _OPEN.get(path)
    if arr is None:
        arr = np.load(path, mmap_mode="r", allow_pickle=False)
        _OPEN[path] = arr
    return arr


@dataclass(frozen=True)
class MatrixSource:
    """A float32 (n, d) matrix in one or more .npy row shards; rows are global row numbers.

    paths: the shard files in row order; offsets: cumulative row counts (len(paths) + 1,
    starting at 0). Use the ``from_*`` constructors.
    """

    paths: tuple[str, ...]
    offsets: tuple[int, ...]
    dim: int

    @classmethod
    def from_npy(cls, path: str | os.PathLike) -> MatrixSource:
        arr = np.load(path, mmap_mode="r", allow_pickle=False)
        if arr.ndim != 2:
            raise InputError(f"expected a 2-D matrix, found shape {arr.shape}", file=str(path))
        return cls((str(Path(path).resolve()),), (0, int(arr.shape[0])), int(arr.shape[1]))

    @classmethod
    def from_shard_dir(cls, folder: str | os.PathLike) -> MatrixSource:
        """The shards listed in ``folder/manifest.json`` (written by a distributed embed)."""
        folder = Path(folder)
        try:
            meta = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
            files, counts = meta["shards"], meta["shard_sizes"]
        except (OSError, ValueError, KeyError):
            raise InputError("is not a finished sharded embedding (no readable manifest.json)",
                             file=str(folder)) from None
        offsets = np.concatenate([[0], np.cumsum(counts)]).astype(int).tolist()
        return cls(tuple(str((folder / f).resolve()) for f in files), tuple(offsets),
                   int(meta["dim"]))

    @classmethod
    def from_workspace(cls, ws) -> MatrixSource:
        """The workspace's current embedding file (InputError if the pool is not embedded)."""
        meta = ws.embedding_info()
        if meta is None:
            ws.embeddings()  # raises the user-facing "not embedded yet" error
        return cls.from_npy(ws.cache_dir / meta["file"])

    @property
    def n(self) -> int:
        return int(self.offsets[-1])

    def block(self, start: int, stop: int) -> np.ndarray:
        """Rows start..stop-1 as a contiguous float32 array (read from the memory maps)."""
        return self.take(np.arange(start, stop, dtype=np.int64))

    def take(self, rows: np.ndarray) -> np.ndarray:
        """Rows ``rows`` (sorted ascending is fastest) as a contiguous float32 (len, d) array."""
        rows = np.asarray(rows, dtype=np.int64)
        out = np.empty((len(rows), self.dim), dtype=np.float32)
        if not len(rows):
            return out
        if rows.min() < 0 or rows.max() >= self.n:
            raise IndexError(f"rows must lie in [0, {self.n})")
        file_of = np.searchsorted(self.offsets, rows, side="right") - 1
        for f in np.unique(file_of):
            hit = np.flatnonzero(file_of == f)
            out[hit] = _memmap(self.paths[f])[rows[hit] - self.offsets[f]]
        return out


def partition_rows(n: int, m: int, seed: int) -> list[np.ndarray]:
    """A uniformly random partition of 0..n-1 into m near-equal parts, each sorted.

    Shard j holds perm[j::m] of a seeded permutation: sizes differ by at most one and the
    same (n, m, seed) always gives the same partition.
    """
    perm = np.random.default_rng(seed).permutation(n)
    return [np.sort(perm[j::m]).astype(np.int64) for j in range(m)]


def row_ranges(n: int, parts: int) -> list[tuple[int, int]]:
    """Contiguous near-equal ranges [start, stop) covering 0..n-1 (at most ``parts``)."""
    parts = max(1, min(int(parts), n))
    bounds = np.linspace(0, n, parts + 1).round().astype(int)
    return [(int(a), int(b)) for a, b in zip(bounds[:-1], bounds[1:], strict=True) if b > a]
