"""Output path safety for exports: where a bundle may go and how it gets there.

Rules (each refusal is an ``InputError``, one line):

- a name that comes from the user becomes a file name only through :func:`safe_stem`;
- the output may not lie inside the workspace, be the workspace, or contain it;
- an existing output is never replaced without ``force``; with ``force`` only an earlier
  export bundle (a folder whose ``manifest.json`` this tool wrote) or an empty folder is;
- a bundle is built whole in a hidden sibling folder and renamed into place; a failure
  removes the staging folder, so nothing half-written is ever left at the output path.
  With ``force`` the old bundle is swapped out atomically (Linux ``renameat2`` with
  ``RENAME_EXCHANGE``) or, where that is unavailable, moved aside and removed after the
  new one is in place.
"""

from __future__ import annotations

import contextlib
import ctypes
import json
import os
import re
import secrets
import shutil
from collections.abc import Iterator
from pathlib import Path

from core.errors import InputError

MANIFEST_NAME = "manifest.json"
MANIFEST_MARKER = "qdx_manifest"
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def safe_stem(name: str, fallback: str = "selection", limit: int = 100) -> str:
    """``name`` reduced to a portable file stem: runs of anything but letters, digits, ``.``,
    ``_`` and ``-`` become ``_``; leading dots/dashes are dropped (no hidden files, no
    ``..``, nothing that reads as an option); at most ``limit`` characters."""
    stem = _UNSAFE.sub("_", str(name or "")).lstrip(".-_")[:limit].rstrip(".")
    return stem or fallback


def is_bundle(path: Path) -> bool:
    """True for a folder holding a manifest.json written by this tool."""
    try:
        data = json.loads((path / MANIFEST_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(data, dict) and MANIFEST_MARKER in data


def _inside(child: Path, parent: Path) -> bool:
    return child == parent or parent in child.parents


def check_output_dir(out: str | os.PathLike, *, workspace_root: str | os.PathLike,
                     force: bool = False) -> Path:
    """The absolute bundle folder for ``out`` after the checks in the module docstring."""
    text = os.fspath(out).strip() if out is not None else ""
    if not text:
        raise InputError("empty output path; expected a folder for the export bundle",
                         field="out")
    target = Path(text).expanduser().resolve()
    root = Path(workspace_root).expanduser().resolve()
    if _inside(target, root):
        raise InputError(f"is inside the workspace {root}; choose a folder outside it",
                         file=str(out))
    if _inside(root, target):
        raise InputError(f"contains the workspace {root}; choose a folder outside it",
                         file=str(out))
    if target.exists() or target.is_symlink():
        if not force:
            raise InputError("already exists; pass --force to replace it", file=str(out))
        if not target.is_dir() or not (is_bundle(target) or not any(target.iterdir())):
            raise InputError("exists and is not an export bundle (no manifest.json written by "
                             "QD Explorer) or an empty folder; refusing to replace it even "
                             "with --force", file=str(out))
    if target.parent.exists() and not target.parent.is_dir():
        raise InputError(f"parent {target.parent} is not a folder", file=str(out))
    return target


@contextlib.contextmanager
def staging_dir(target: Path) -> Iterator[Path]:
    """A fresh hidden folder beside ``target``; removed if the block raises."""
    target.parent.mkdir(parents=True, exist_ok=True)
    staged = _fresh_dir(target, "tmp")
    try:
        yield staged
    except BaseException:
        shutil.rmtree(staged, ignore_errors=True)
        raise


def _fresh_dir(target: Path, tag: str) -> Path:
    """A new hidden folder ``.<name>.<tag>-<random>`` beside ``target``, made with the
    process umask (``tempfile.mkdtemp`` would make it private, and the bundle keeps it)."""
    for _ in range(100):
        path = target.parent / f".{target.name}.{tag}-{secrets.token_hex(4)}"
        try:
            path.mkdir()
        except FileExistsError:
            continue
        return path
    raise FileExistsError(f"no free temporary name beside {target}")


def place_dir(staged: Path, target: Path, *, replace: bool) -> None:
    """Move the finished folder ``staged`` to ``target`` (replacing it when ``replace``)."""
    try:
        if target.exists() or target.is_symlink():
            if not replace:
                raise InputError("already exists; pass --force to replace it",
                                 file=str(target))
            _replace_dir(staged, target)
        else:
            os.rename(staged, target)
        _fsync_dir(target.parent)
    except BaseException:
        shutil.rmtree(staged, ignore_errors=True)
        raise


def _replace_dir(staged: Path, target: Path) -> None:
    if _exchange(staged, target):
        shutil.rmtree(staged, ignore_errors=True)  # now holds the old bundle
        return
    aside = _fresh_dir(target, "old")
    aside.rmdir()
    os.rename(target, aside)
    try:
        os.rename(staged, target)
    except BaseException:
        os.rename(aside, target)
        raise
    shutil.rmtree(aside, ignore_errors=True)


def _exchange(a: Path, b: Path) -> bool:
    """Atomically swap two paths with renameat2(RENAME_EXCHANGE); False if unsupported."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd, rename_exchange = -100, 2
    renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p,
                          ctypes.c_uint]
    return renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange) == 0


def _fsync_dir(path: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
