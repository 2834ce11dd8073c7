"""``python -m core near-duplicates --workspace DIR``: find (and drop or undo) near-duplicates.

    python -m core near-duplicates --workspace W [--method minhash|embedding|both]
        [--threshold T] [--json] [--drop | --undo]

Prints the pairs, the groups and each group's kept row (best quality, then first seen).
``--drop`` records the non-kept rows as a candidate filter every selection honours (the
pool file is unchanged); ``--undo`` removes that filter.
"""

from __future__ import annotations

import json
import time

from core.errors import InputError
from core.pool.near_duplicates import DEFAULT_THRESHOLDS, METHODS
from core.quality import DEFAULT_SPEC
from core.workspace import Workspace
from core.workspace.near_duplicates import apply_drop, find_near_duplicates, undo_drop

_SHOWN_GROUPS = 5


def add_parser(sub) -> None:
    p = sub.add_parser("near-duplicates", help="find near-duplicate rows; drop or undo",
                       description="Find near-duplicate rows: MinHash-LSH on word shingles "
                       "(Jaccard, no embedding needed) or the workspace's kNN graph (cosine). "
                       "Groups are connected components of the pairs; each keeps its best-"
                       "quality row (then the first seen). --drop records the other rows as a "
                       "filter every selection honours; the pool file is never changed.")
    p.add_argument("--workspace", required=True, help="workspace directory")
    p.add_argument("--method", choices=METHODS, default="minhash",
                   help="minhash (default), embedding, or both (union of the pairs)")
    p.add_argument("--threshold", type=float, default=None,
                   help="similarity threshold; default "
                   + ", ".join(f"{m} {t}" for m, t in DEFAULT_THRESHOLDS.items()))
    p.add_argument("--shingle-size", type=int, default=3,
                   help="words per MinHash shingle (default 3)")
    p.add_argument("--quality", default=DEFAULT_SPEC,
                   help="quality spec that picks each group's kept row (default heuristic)")
    action = p.add_mutually_exclusive_group()
    action.add_argument("--drop", action="store_true",
                        help="record the non-kept rows as a candidate filter")
    action.add_argument("--undo", action="store_true", help="remove the drop filter")
    p.add_argument("--json", action="store_true", help="print the result as JSON")
    p.set_defaults(func=run)


def run(args) -> int:
    ws = Workspace.open(args.workspace)
    if args.undo:
        record = undo_drop(ws)
        if args.json:
            print(json.dumps({"undone": record is not None,
                              "restored": len(record["dropped_ids"]) if record else 0}))
        elif record is None:
            print("no near-duplicate drop was active")
        else:
            print(f"undone: {len(record['dropped_ids']):,} rows are candidates again")
        return 0
    if args.shingle_size < 1:
        raise InputError(f"--shingle-size must be >= 1, got {args.shingle_size}",
                         field="--shingle-size")
    start = time.perf_counter()
    found = find_near_duplicates(ws, args.method, args.threshold, quality_spec=args.quality,
                                 shingle_size=args.shingle_size)
    seconds = time.perf_counter() - start
    record = apply_drop(ws, found, quality_spec=args.quality, shingle_size=args.shingle_size) \
        if args.drop else None
    if args.json:
        print(json.dumps({**found.to_dict(), "seconds": round(seconds, 3),
                          "dropped": record is not None}))
        return 0
    _print_summary(ws, found, seconds, record)
    return 0


def _print_summary(ws, found, seconds: float, record) -> None:
    summary = found.to_dict()
    print(f"{summary['n_pairs']:,} pairs in {summary['n_groups']:,} groups "
          f"({found.method}, threshold {found.threshold}; {seconds:.1f} s); "
          f"{summary['n_dropped']:,} rows would be dropped")
    frame = ws.pool_frame(["instruction"])
    for group, kept in list(zip(found.groups, found.kept, strict=True))[:_SHOWN_GROUPS]:
        text = " ".join(str(frame["instruction"].iat[kept]).split())[:70]
        print(f"  rows {', '.join(map(str, group[:8]))}{' ...' if len(group) > 8 else ''}"
              f"  keep {kept}: {text}")
    if len(found.groups) > _SHOWN_GROUPS:
        print(f"  ... {len(found.groups) - _SHOWN_GROUPS:,} more groups (--json lists all)")
    if record is not None:
        print(f"dropped {len(record['dropped_ids']):,} rows from the candidates (pool file "
              f"unchanged); undo: python -m core near-duplicates --workspace {ws.root} --undo")
