"""Atomic file writes: write a temporary file beside the target, fsync, then rename.

A process killed at any moment leaves either the old file or the new one, never a torn
one; a reader opening the path sees a whole artifact.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np


@contextlib.contextmanager
def atomic_path(target: str | os.PathLike, suffix: str = "") -> Iterator[Path]:
    """Yield a temporary path beside ``target``; on success rename it over ``target``."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=f"{suffix}.tmp",
                               dir=target.parent)
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        yield tmp_path
        _fsync(tmp_path)
        os.replace(tmp_path, target)
        _fsync_dir(target.parent)
    finally:
        if tmp_path.exists():
            tmp_path.unlink()


def atomic_write_bytes(target: str | os.PathLike, data: bytes) -> None:
    with atomic_path(target) as tmp:
        tmp.write_bytes(data)


def atomic_write_json(target: str | os.PathLike, obj: Any) -> None:
    atomic_write_bytes(target, json.dumps(obj, indent=2, sort_keys=True, default=str).encode())


def atomic_save_npy(target: str | os.PathLike, array: np.ndarray) -> None:
    with atomic_path(target, ".npy") as tmp:
        with tmp.open("wb") as fh:
            np.save(fh, array, allow_pickle=False)


def atomic_save_npz(target: str | os.PathLike, **arrays: np.ndarray) -> None:
    # A file handle, because np.savez appends ".npz" to a path that lacks it.
    with atomic_path(target, ".npz") as tmp:
        with tmp.open("wb") as fh:
            np.savez(fh, **arrays)


def atomic_write_with(target: str | os.PathLike, write: Callable[[Path], None],
                      suffix: str = "") -> None:
    """Run ``write(tmp_path)`` and rename the result over ``target``."""
    with atomic_path(target, suffix) as tmp:
        write(tmp)


def atomic_link(source: str | os.PathLike, target: str | os.PathLike) -> None:
    """Make ``target`` the same file as ``source`` (hard link, else copy), atomically."""
    import shutil

    target = Path(target)
    with atomic_path(target) as tmp:
        tmp.unlink()
        try:
            os.link(source, tmp)
        except OSError:
            shutil.copyfile(source, tmp)


def read_json(path: str | os.PathLike) -> Any | None:
    try:
        return json.loads(Path(path).read_text(encoding="utf-8"))
    except (FileNotFoundError, json.JSONDecodeError):
        return None


def _fsync(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_dir(path: Path) -> None:
    with contextlib.suppress(OSError):
        _fsync(path)
