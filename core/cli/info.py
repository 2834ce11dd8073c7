"""``python -m core info --workspace DIR [--json]``: what a workspace holds."""

from __future__ import annotations

import json

from core.workspace import Workspace


def add_parser(sub) -> None:
    p = sub.add_parser("info", help="summarise a workspace",
                       description="Say what a workspace holds: the pool's source and counts, "
                       "the embedding, the kNN graph and map, and the saved selections.")
    p.add_argument("--workspace", required=True, help="workspace directory")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.set_defaults(func=run)


def run(args) -> int:
    info = Workspace.open(args.workspace).info()
    if args.json:
        print(json.dumps(info, default=str))
        return 0
    width = max(len(k) for k in info)
    for key, value in info.items():
        if isinstance(value, list):
            value = ", ".join(map(str, value)) or "-"
        print(f"{key:<{width}}  {value}")
    return 0
