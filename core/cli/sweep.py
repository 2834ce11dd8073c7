"""``python -m core sweep --workspace DIR --strategy S --param NAME=START:STOP:STEP --k K``.

Runs the grid, then refines it adaptively where a step moves facility-location coverage or
mean quality by more than 20% of its range (at most 25 points; core.sweep). Prints one row
per point with every measure and a ``pareto`` flag, and the knee; ``--json`` prints
``{"points": [...], "knee": {...}, ...}``; ``--out FILE.parquet|.csv`` writes the points.
The sweep is stored in the workspace (the Compare page shows it); no selection is saved
unless ``--save-points``.
"""

from __future__ import annotations

import json
from pathlib import Path

from core.cli.progress import progress_bar
from core.cli.select import parse_params
from core.errors import InputError
from core.sweep import COVERAGE, DEFAULT_FAMILIES, QUALITY, SweepSpec, parse_grid, run_sweep
from core.workspace import Workspace
from core.workspace.atomic import atomic_write_with


def add_parser(sub) -> None:
    p = sub.add_parser("sweep", help="sweep one strategy parameter, refined where the trade "
                       "happens", description="Run a strategy over a parameter grid, refine "
                       "it adaptively, print every measure per point with the Pareto front "
                       "and the knee.")
    p.add_argument("--workspace", required=True, help="workspace directory")
    p.add_argument("--strategy", required=True, help="e.g. qdit, dpp, kcenter")
    p.add_argument("--param", required=True, metavar="NAME=START:STOP:STEP",
                   help="the swept parameter and its grid (stop included), or NAME=V1,V2,...")
    p.add_argument("--k", required=True, type=int, help="rows per selection")
    p.add_argument("--quality", default="heuristic", help="quality spec as for select")
    p.add_argument("--set", action="append", default=[], metavar="KEY=VALUE", dest="fixed",
                   help="another strategy parameter, fixed (repeatable)")
    p.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    p.add_argument("--where", default=None, help="candidate predicate as for select")
    p.add_argument("--max-points", type=int, default=25,
                   help="stop refining after this many points in all (default 25)")
    p.add_argument("--max-step", type=float, default=0.2,
                   help="refine until no step moves a measure by more than this share of its "
                   "range (default 0.2)")
    p.add_argument("--families", default=",".join(DEFAULT_FAMILIES),
                   help="metric families per point (default: %(default)s)")
    p.add_argument("--out", default=None, help="write the points to FILE.parquet or FILE.csv")
    p.add_argument("--save-points", action="store_true", help="save each point as a selection")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.set_defaults(func=run)


def run(args) -> int:
    ws = Workspace.open(args.workspace)
    name, grid = parse_grid(args.param)
    out = Path(args.out) if args.out else None
    if out is not None and out.suffix.lower() not in (".parquet", ".csv"):
        raise InputError(f"--out {args.out}: expected a .parquet or .csv file name", field="out")
    fixed = parse_params(_Fixed(args.fixed))
    spec = SweepSpec(strategy=args.strategy, param=name, grid=grid, k=args.k,
                     quality=args.quality, params=fixed, seed=args.seed, where=args.where,
                     families=tuple(f.strip() for f in args.families.split(",") if f.strip()),
                     max_points=args.max_points, max_step_share=args.max_step)
    update, close = progress_bar(f"sweep ({args.strategy} {name})", unit="points")
    try:
        sweep = run_sweep(ws, spec, progress=lambda done, total, value: update(done, total),
                          save_points=args.save_points)
    finally:
        close()
    if out is not None:
        frame = sweep.points
        atomic_write_with(out, lambda tmp: frame.to_parquet(tmp, index=False)
                          if out.suffix.lower() == ".parquet" else frame.to_csv(tmp, index=False))
    if args.json:
        print(json.dumps({**sweep.to_json(), "max_step_share": sweep.max_step_shares()}))
    else:
        print(format_points(sweep))
    return 0


class _Fixed:
    """parse_params reads --param / --alpha / --lam; here only the --set pairs count."""

    def __init__(self, items: list[str]) -> None:
        self.param, self.alpha, self.lam = items, None, None


def format_points(sweep) -> str:
    points = sweep.points
    spec = sweep.spec
    extra = [c for c in ("vendi", "kcenter_radius", "cluster_entropy", "quality_median")
             if c in points.columns]
    cols = ["value", COVERAGE, QUALITY, *extra]
    head = [f"sweep {spec.strategy} {spec.param}: {len(points)} points, k={spec.k:,}, quality "
            f"{spec.quality}, {sweep.seconds:.1f}s (every measure: --json or --out)"]
    head.append("  ".join(f"{c:>17}" for c in cols) + "  pareto")
    for _, row in points.iterrows():
        mark = "  *" if row["pareto"] else "   "
        mark += "  <- knee" if row["knee"] else ""
        head.append("  ".join(f"{row[c]:>17.4f}" for c in cols) + mark)
    shares = sweep.max_step_shares()
    head.append(f"largest step: {100 * shares[COVERAGE]:.1f}% of the coverage range, "
                f"{100 * shares[QUALITY]:.1f}% of the quality range")
    knee = sweep.knee
    if knee:
        head.append(f"knee: {spec.param} = {knee['value']:g} (coverage {knee[COVERAGE]:.4f}, "
                    f"mean quality {knee[QUALITY]:.4f})")
    return "\n".join(head)
