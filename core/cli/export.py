"""``python -m core export``: a saved selection as training data plus its bundle."""

from __future__ import annotations

import json

# Kept literal so `--help` does not import pandas/pyarrow; tests check it equals FORMATS.
FORMAT_CHOICES = ("alpaca", "sharegpt", "openai", "jsonl", "parquet", "csv", "hf")


def add_parser(sub) -> None:
    p = sub.add_parser("export", help="write a saved selection as training data + manifest",
                       description="Write a saved selection, rows in rank order, as a bundle "
                       "folder: the data file, manifest.json (how it was made; `reproduce` "
                       "reads it), selection.parquet, a LLaMA-Factory dataset_info.json, an "
                       "Axolotl datasets stanza and a README dataset card.")
    p.add_argument("--workspace", required=True, help="workspace directory")
    p.add_argument("--selection", required=True, help="name of a saved selection")
    p.add_argument("--format", required=True, choices=FORMAT_CHOICES, dest="fmt",
                   help="alpaca (JSON: instruction/input/output), sharegpt (JSON: "
                   "conversations), openai (JSONL: messages), jsonl / parquet / csv "
                   "(id, instruction, input, response, extras, source) or hf (a datasets "
                   "save_to_disk folder)")
    p.add_argument("--out", required=True, metavar="DIR",
                   help="bundle folder to create (outside the workspace)")
    p.add_argument("--force", action="store_true",
                   help="replace an existing bundle at --out (only an earlier export bundle "
                   "or an empty folder is ever replaced)")
    p.add_argument("--no-extras", action="store_true",
                   help="leave out the pool's extra columns (e.g. category, scores)")
    p.add_argument("--no-metrics", action="store_true",
                   help="do not compute metrics for the manifest (cached ones are still used)")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.set_defaults(func=run)


def run(args) -> int:
    from core.export import export_selection
    from core.workspace import Workspace

    ws = Workspace.open(args.workspace)
    res = export_selection(ws, args.selection, args.fmt, args.out, force=args.force,
                           include_extras=not args.no_extras,
                           compute_metrics=not args.no_metrics)
    refused = res.manifest["export"].get("axolotl_refused")
    notes = [f"{refused} (axolotl_datasets.yaml says so)"] if refused else []
    if args.json:
        print(json.dumps({"out": str(res.out), "data": str(res.data_path), "format": res.format,
                          "rows": res.rows, "files": res.files,
                          "seconds": round(res.seconds, 3), "notes": notes}))
    else:
        print(f"exported {res.rows:,} rows of '{args.selection}' as {res.format} to {res.out}/ "
              f"({', '.join(res.files)}) in {res.seconds:.2f}s")
        for note in notes:
            print(f"note: {note}")
    return 0
