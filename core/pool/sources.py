"""One pool from many files: ``load A.json B.jsonl C.parquet`` (or a folder, or a glob).

Each file is read and validated by :func:`core.pool.load_pool` (a bad file raises its own
one-line InputError naming it, and nothing is written). The rows are concatenated in the
order the files are given (a folder's or a glob's files in sorted order) and the
``source`` column holds the file's name (its stem, e.g. ``train`` for ``gsm8k/train.jsonl``;
when two files share a stem, the parent folder is prefixed: ``gsm8k/train``), while
``source_row`` keeps the row's line or record number in that file. ``NAME=PATH`` names the
source explicitly (``math=../shared/data/gsm8k`` names every file of the folder ``math``).
Exact duplicates across files follow the same rule as within one: the first is kept unless
``keep_duplicates``.
"""

from __future__ import annotations

import glob
import hashlib
import re
from pathlib import Path
from typing import Any

import pandas as pd

from core.errors import InputError
from core.pool import LoadedPool, PoolInfo, load_pool
from core.pool.canonical import CANONICAL_COLUMNS, _uniform_column, frame_key

POOL_SUFFIXES = (".json", ".jsonl", ".csv", ".parquet")
_NAMED = re.compile(r"^([A-Za-z0-9_.-]+)=(.+)$")


def split_name(raw: str) -> tuple[str | None, str]:
    """``NAME=PATH`` -> (NAME, PATH) unless ``raw`` itself is an existing path."""
    match = _NAMED.match(raw)
    if match and not Path(raw).expanduser().exists():
        return match.group(1), match.group(2)
    return None, raw


def expand_sources(paths: list[str]) -> list[tuple[str | None, str]]:
    """(explicit name or None, file) for every file ``paths`` names: a file as is, a
    folder's pool files (sorted; a ``datasets.save_to_disk`` folder stays one source), a
    glob's matches (sorted)."""
    out: list[tuple[str | None, str]] = []
    for arg in paths:
        name, raw = split_name(arg)
        out.extend((name, f) for f in _expand_one(raw))
    files = [f for _, f in out]
    if len(set(files)) != len(files):
        dup = next(p for p in files if files.count(p) > 1)
        raise InputError("named twice; each file is one source", file=dup)
    return out


def _expand_one(raw: str) -> list[str]:
    path = Path(raw).expanduser()
    if path.is_dir() and not (path / "dataset_info.json").exists() \
            and not (path / "dataset_dict.json").exists():
        files = sorted(str(p) for p in path.iterdir()
                       if p.is_file() and p.suffix.lower() in POOL_SUFFIXES)
        if not files:
            raise InputError(f"folder holds no {', '.join(POOL_SUFFIXES)} files", file=raw)
        return files
    if any(ch in raw for ch in "*?[") and not path.exists():
        files = sorted(glob.glob(str(path)))
        if not files:
            raise InputError("the pattern matches no file", file=raw)
        return files
    return [raw]


def source_names(named: list[tuple[str | None, str]]) -> list[str]:
    """The source name of each file: the explicit NAME (may be shared), else its stem, or
    parent/stem when stems collide."""
    stems = [Path(f).stem for _, f in named]
    names = [given or (f"{Path(f).parent.name}/{s}" if stems.count(s) > 1 else s)
             for (given, f), s in zip(named, stems, strict=True)]
    implicit = [n for (given, _), n in zip(named, names, strict=True) if given is None]
    clash = [n for n in implicit if names.count(n) > 1]
    if clash:
        raise InputError(f"two files would both be named source '{clash[0]}'; name them "
                         "with NAME=PATH", field="source")
    return names


def load_sources(paths: list[str], *, keep_duplicates: bool = False, **options: Any
                 ) -> LoadedPool:
    """One LoadedPool from every file ``paths`` names (see the module docstring); a single
    file that is not a folder or a glob loads exactly as :func:`load_pool` does."""
    named = expand_sources(paths)
    files = [f for _, f in named]
    if len(files) == 1 and len(paths) == 1 and files[0] == paths[0]:
        return load_pool(files[0], keep_duplicates=keep_duplicates, **options)
    names = source_names(named)
    parts = [load_pool(f, keep_duplicates=True, **options) for f in files]
    frame = pd.concat([part.frame.assign(source=name, _file=i) for i, (name, part)
                       in enumerate(zip(names, parts, strict=True))], ignore_index=True)
    extras = [c for c in frame.columns if c not in CANONICAL_COLUMNS and c != "_file"]
    frame = frame[CANONICAL_COLUMNS + extras + ["_file"]]
    for col in extras:  # one Parquet type per column even when the files disagree
        frame[col] = _uniform_column(frame[col].astype(object).where(frame[col].notna(), None))
    base_ids = frame["id"].str.split("~").str[0]
    occurrence = base_ids.groupby(base_ids).cumcount()
    duplicates = int((occurrence > 0).sum())
    if keep_duplicates:
        frame["id"] = base_ids.where(occurrence == 0, base_ids + "~" + (occurrence + 1)
                                     .astype(str))
    else:
        frame = frame[(occurrence == 0).to_numpy()].reset_index(drop=True)
    file_rows = frame["_file"].value_counts().reindex(range(len(files)), fill_value=0)
    frame = frame.drop(columns="_file")
    return LoadedPool(frame, _info(frame, names, parts, file_rows.tolist(), duplicates,
                                   keep_duplicates))


def combined_sha256(sources: list[dict[str, Any]], rehash: bool = False) -> str | None:
    """The pool's source_sha256 from its sources' names and sha256 (``rehash``: hash each
    file again; None when one is missing)."""
    from core.pool import _source_fingerprint

    digest = hashlib.sha256()
    for src in sources:
        sha = _source_fingerprint(src["path"])[0] if rehash else src["sha256"]
        if sha is None:
            return None
        digest.update(f"{src['name']}\0{sha}\0".encode())
    return digest.hexdigest()


def _info(frame: pd.DataFrame, names: list[str], parts: list[LoadedPool], rows: list[int],
          duplicates: int, keep_duplicates: bool) -> PoolInfo:
    sources = [{"name": n, "path": p.info.source, "sha256": p.info.source_sha256,
                "rows": int(r)} for n, p, r in zip(names, parts, rows, strict=True)]
    shapes = sorted({p.info.shape for p in parts})
    containers = sorted({p.info.container for p in parts})
    return PoolInfo(
        source=", ".join(str(p.info.source) for p in parts), container="+".join(containers),
        shape="+".join(shapes), rows=len(frame),
        records_read=sum(p.info.records_read for p in parts), duplicates=duplicates,
        duplicates_dropped=not keep_duplicates,
        bad_lines_skipped=sum(p.info.bad_lines_skipped for p in parts),
        bad_records_skipped=sum(p.info.bad_records_skipped for p in parts),
        long_fields=sum(p.info.long_fields for p in parts),
        source_sha256=combined_sha256(sources),
        source_size=sum(p.info.source_size or 0 for p in parts),
        extra_columns=[c for c in frame.columns if c not in CANONICAL_COLUMNS],
        pool_key=frame_key(frame),
        skipped_examples=[s for p in parts for s in p.info.skipped_examples][:5],
        sources=sources)
