"""``python -m core info --workspace DIR [--json]``: what a workspace holds."""

from __future__ import annotations

import json

from core.workspace import Workspace


def add_parser(sub) -> None:
    p = sub.add_parser("info", help="summarise a workspace")
    p.add_argument("--workspace", required=True)
    p.add_argument("--json", action="store_true")
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
