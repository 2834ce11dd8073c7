"""``python -m core load PATH --workspace DIR``: validate a pool and make it the workspace's."""

from __future__ import annotations

import json

from core.errors import InputError
from core.pool import FORMATS, ColumnMapping
from core.pool.sources import load_sources
from core.workspace import Workspace


def add_parser(sub) -> None:
    p = sub.add_parser("load", help="load a pool file into a workspace",
                       description="Read a pool (JSON, JSONL, CSV, Parquet, a save_to_disk "
                       "folder or a Hugging Face hub name), validate it and store the canonical "
                       "pool in the workspace. Nothing is written if the input is bad.")
    p.add_argument("path", nargs="+", help="file, save_to_disk folder or hub dataset name; "
                   "several files, a folder of files or a glob make one pool whose `source` "
                   "column names each row's file")
    p.add_argument("--workspace", required=True, help="workspace directory (created if needed)")
    p.add_argument("--format", default="auto", choices=FORMATS, dest="fmt",
                   help="force a record shape (alpaca, sharegpt, openai, prompt_completion, "
                   "question_answer) or a container (json, jsonl, csv, parquet, hf) instead of "
                   "detecting it (default: auto)")
    p.add_argument("--skip-bad-lines", action="store_true",
                   help="skip unparsable lines and incomplete records, and report the count")
    p.add_argument("--keep-duplicates", action="store_true",
                   help="keep exact duplicates (default: keep the first, report the rest)")
    p.add_argument("--split", help="split of a datasets folder or hub dataset (default train)")
    p.add_argument("--instruction-col", help="column holding the instruction")
    p.add_argument("--input-col", help="column holding the optional input/context")
    p.add_argument("--response-col", help="column holding the response")
    p.add_argument("--system-col", help="column holding a system prompt")
    p.add_argument("--replace", action="store_true",
                   help="load another file into a workspace that holds a pool: its selections "
                   "and embedding are set aside (kept on disk, hidden until that file is "
                   "loaded again)")
    p.add_argument("--json", action="store_true", help="print the load report as JSON")
    p.set_defaults(func=run)


def mapping_from_args(args) -> ColumnMapping | None:
    if not (args.instruction_col or args.response_col or args.input_col or args.system_col):
        return None
    if not (args.instruction_col and args.response_col):
        raise InputError("a column mapping needs both --instruction-col and --response-col",
                         field="column mapping")
    return ColumnMapping(instruction=args.instruction_col, response=args.response_col,
                         input=args.input_col, system=args.system_col)


def holding(root: str) -> dict | None:
    """What the workspace at ``root`` holds now (source, rows, pool_key, its pool's saved
    selections, embedding model), or None when it is no workspace or an unreadable one."""
    if not Workspace.is_workspace(root):
        return None
    try:
        info = Workspace.open(root).info()
    except InputError:
        return None
    return {key: info[key] for key in ("source", "rows", "pool_key", "selections")} | {
        "embedding": info["model"]}


def describe(held: dict) -> str:
    """'FILE (N rows, 2 selections: a, b, embedded with MODEL)' for a workspace's pool."""
    names = held["selections"]
    parts = [f"{held['rows']:,} rows",
             f"{len(names)} selection{'' if len(names) == 1 else 's'}"
             + (f": {', '.join(names)}" if names else ""),
             f"embedded with {held['embedding']}" if held["embedding"] else "not embedded"]
    return f"{held['source']} ({', '.join(parts)})"


def run(args) -> int:
    loaded = load_sources(args.path, fmt=args.fmt, mapping=mapping_from_args(args),
                       skip_bad_lines=args.skip_bad_lines, keep_duplicates=args.keep_duplicates,
                       split=args.split)
    info = loaded.info
    before = holding(args.workspace)
    set_aside = before if before and before["pool_key"] != info.pool_key else None
    if set_aside and not args.replace:
        raise InputError(f"already holds {describe(set_aside)}; pass --replace to load "
                         f"{' '.join(args.path)} in its place, or choose another --workspace",
                         file=args.workspace)
    Workspace.create(args.workspace, loaded)
    if args.json:
        print(json.dumps({**info.to_dict(), "workspace": args.workspace,
                          "set_aside": set_aside}, default=str))
        return 0
    dup = (f"{info.duplicates} exact duplicates "
           f"{'dropped (first kept)' if info.duplicates_dropped else 'kept'}")
    skipped = info.bad_lines_skipped + info.bad_records_skipped
    print(f"loaded {info.rows:,} rows ({info.shape} in {info.container}) from "
          f"{' '.join(args.path)}")
    for src in info.sources or []:
        print(f"  source {src['name']}: {src['rows']:,} rows from {src['path']}")
    print(f"  {dup}; {skipped} bad lines/records skipped; "
          f"extra columns: {', '.join(info.extra_columns) or 'none'}")
    if info.long_fields:
        print(f"  {info.long_fields} fields longer than 100,000 characters (kept whole)")
    if set_aside:
        print(f"  set aside: {describe(set_aside)}; loading that file again brings its "
              "selections back (embedding it again with the same model reuses the cached vectors)")
    print(f"  workspace: {args.workspace}   next: python -m core embed --workspace "
          f"{args.workspace}")
    return 0
