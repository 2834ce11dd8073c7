"""``python -m core scores import FILE --workspace W --column NAME``: join judge scores or
LLM ratings computed elsewhere into a workspace column (no reload, no re-embedding)."""

from __future__ import annotations

import json


def add_parser(sub) -> None:
    p = sub.add_parser("scores", help="import judge scores or ratings into a workspace column",
                       description="Manage score columns added to a workspace after loading.")
    action = p.add_subparsers(dest="scores_command", metavar="ACTION",
                              help="import: join a score file to the pool")
    action.required = True
    imp = action.add_parser("import", help="join a score file to the pool by id or by row",
                            description="Read a CSV/TSV, JSONL, JSON array or Parquet file of "
                            "scores and store one of its columns as a workspace column. Rows "
                            "the file does not name stay empty (unjudged). Unknown ids, "
                            "duplicate ids and non-numeric values are errors naming the line.")
    imp.add_argument("file")
    imp.add_argument("--workspace", required=True, help="workspace directory")
    imp.add_argument("--column", required=True, help="the file's column holding the score")
    imp.add_argument("--id-column", default="id",
                     help="the file's column holding the pool id (default: id)")
    imp.add_argument("--by-row", action="store_true",
                     help="join record i to pool row i instead (needs one record per row)")
    imp.add_argument("--as", dest="as_name", metavar="NAME",
                     help="workspace column name (default: the file's column name)")
    imp.add_argument("--json", action="store_true", help="print one JSON object")
    imp.set_defaults(func=run_import)


def run_import(args) -> int:
    from core.quality.imported import import_scores
    from core.workspace import Workspace

    ws = Workspace.open(args.workspace)
    summary = import_scores(ws, args.file, column=args.column, id_column=args.id_column,
                            as_name=args.as_name, by_row=args.by_row)
    if args.json:
        print(json.dumps(summary.to_dict()))
    else:
        print(f"imported column '{summary.column}': {summary.judged:,} of {summary.pool_rows:,} "
              f"pool rows have a value ({summary.rows_in_file:,} records read)")
    return 0
