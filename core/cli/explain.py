"""``python -m core explain --workspace DIR --selection NAME [--row ID] [--json]``: why
these rows.

Without ``--row``: one line per pick in rank order (gain = coverage_part + quality_part,
represents, cluster, its closest represented rows); with ``--json`` one object
``{"picks": [...], "unrepresented": n, "similarity": "dense"|"knn"}``. With ``--row ID``:
whether that pool row was picked, which pick represents it and how similar they are, and
for an unpicked row its score at the last step against the last pick's gain (core.explain).
"""

from __future__ import annotations

import json

from core.explain import explain_row, explain_selection
from core.workspace import Workspace


def add_parser(sub) -> None:
    p = sub.add_parser("explain", help="why each row of a saved selection was picked",
                       description="Per-pick explanations of a saved selection: the gain "
                       "split into coverage and quality parts, how many pool rows each pick "
                       "represents, its cluster; or, with --row, the story of one pool row.")
    p.add_argument("--workspace", required=True, help="workspace directory")
    p.add_argument("--selection", required=True, help="name of a saved selection")
    p.add_argument("--row", default=None, metavar="ID", help="explain this pool row (its id)")
    p.add_argument("--limit", type=int, default=20,
                   help="picks to print in the table (default 20; --json prints all)")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.set_defaults(func=run)


def run(args) -> int:
    ws = Workspace.open(args.workspace)
    result = ws.load_selection(args.selection)
    exp = explain_selection(ws, result)
    if args.row is not None:
        answer = explain_row(ws, result, args.row, exp)
        print(json.dumps(answer) if args.json else format_row(answer))
        return 0
    if args.json:
        print(json.dumps(exp.to_json()))
        return 0
    print(format_table(exp, args.selection, max(args.limit, 0)))
    return 0


def format_table(exp, name: str, limit: int) -> str:
    frame = exp.picks
    lines = [f"selection {name!r}: {len(frame):,} picks; represents by {exp.similarity} "
             f"similarity; {exp.unrepresented:,} pool rows represented by no pick",
             f"{'rank':>5} {'id':<14} {'gain':>9} {'coverage':>9} {'quality':>9} "
             f"{'represents':>10}  cluster / closest similarities"]
    for rec in frame.head(limit).to_dict("records"):
        close = ", ".join(f"{s:.2f}" for s in rec["closest_similarity"])
        lines.append(f"{rec['rank']:>5} {str(rec['id'])[:14]:<14} {rec['gain']:>9.4f} "
                     f"{rec['coverage_part']:>9.4f} {rec['quality_part']:>9.4f} "
                     f"{rec['represents']:>10,}  {rec['cluster'] or '-'} [{close}]")
    if len(frame) > limit:
        lines.append(f"... {len(frame) - limit:,} more (--limit N, or --json for all)")
    return "\n".join(lines)


def format_row(answer: dict) -> str:
    rep = answer["represented_by"]
    by = ("represented by no pick" if rep is None else
          f"represented by pick {rep['id']} (rank {rep['rank']}), similarity "
          f"{rep['similarity']:.3f}")
    if answer["picked"]:
        return (f"row {answer['id']} was picked at rank {answer['rank']}: gain "
                f"{answer['gain']:.4f} = coverage {answer['coverage_part']:.4f} + quality "
                f"{answer['quality_part']:.4f}; it represents {answer['represents']:,} rows")
    text = f"row {answer['id']} was not picked; {by}"
    if answer.get("missed_by") is not None:
        text += (f"; at the last step it scored {answer['score_at_last_step']:.4f} against the "
                 f"last pick's {answer['last_gain']:.4f}: missed by {answer['missed_by']:.4f}")
    if answer.get("note"):
        text += f" ({answer['note']})"
    return text
