"""``python -m core select``: run a selection strategy and save the result in the workspace."""

from __future__ import annotations

import json
import time

from core.distributed.cli import add_executor_arguments, select_on_ray, wants_ray
from core.errors import InputError

# Kept in step with core.select.registry by tests/select/test_cli.py; the registry itself is
# imported only when the command runs, so other commands start without numba and torch.
STRATEGY_HELP = ("random, quality, qdit, dpp, kcenter, cluster_balanced, daar, deita, "
                 "token_coverage")


def add_parser(sub) -> None:
    p = sub.add_parser("select", help="pick a quality-diverse subset and save it",
                       description="Run a selection strategy over the workspace's pool and save "
                       "the ranked result in the workspace database.")
    p.add_argument("--workspace", required=True)
    p.add_argument("--strategy", required=True, help=f"one of: {STRATEGY_HELP}")
    p.add_argument("--k", required=True, type=int, help="number of rows to select")
    p.add_argument("--alpha", type=float, help="qdit: quality weight in [0, 1]")
    p.add_argument("--lam", type=float, help="dpp: quality weight theta in [0, 1]")
    p.add_argument("--param", action="append", default=[], metavar="KEY=VALUE",
                   help="any other strategy parameter (repeatable), e.g. gamma=2, "
                   "label_column=category, threshold=0.85")
    p.add_argument("--quality", default="heuristic",
                   help="quality score: length, heuristic, column:NAME, column:-NAME, "
                   "learned:COLUMN (fitted on a judge column's rows), reward:MODEL (a reward "
                   "model), none, or a weighted sum such as 0.7*column:score+0.3*length "
                   "(default: heuristic)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--where", help="DuckDB SQL predicate over the pool's columns: only rows "
                   "that satisfy it may be picked")
    p.add_argument("--must-include", default="", metavar="ROWS",
                   help="comma-separated 0-based pool rows picked first, in this order")
    p.add_argument("--name", help="selection name (default: STRATEGY-kK)")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    add_executor_arguments(p, "GreeDi shards for qdit, kcenter, dpp (default: the workers, "
                           "at most 25,000 rows each)")
    p.set_defaults(func=run)


def parse_params(args) -> dict:
    """Strategy parameters from --alpha, --lam and --param KEY=VALUE (JSON values or text)."""
    params: dict = {}
    for item in args.param:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise InputError(f"--param expects KEY=VALUE, got {item!r}", field="param")
        try:
            params[key.strip()] = json.loads(value)
        except json.JSONDecodeError:
            params[key.strip()] = value
    if args.alpha is not None:
        params["alpha"] = args.alpha
    if args.lam is not None:
        params["lam"] = args.lam
    return params


def parse_rows(text: str) -> list[int]:
    rows = []
    for part in (p.strip() for p in text.split(",")):
        if not part:
            continue
        if not part.lstrip("-").isdigit():
            raise InputError(f"--must-include expects comma-separated row numbers, got {part!r}",
                             field="must_include")
        rows.append(int(part))
    return rows


def run(args) -> int:
    from core.cli.progress import progress_bar
    from core.select.run import run_selection
    from core.workspace import Workspace
    from core.workspace.selections import check_name

    ws = Workspace.open(args.workspace)
    name = check_name(args.name or f"{args.strategy}-k{args.k}")
    params = parse_params(args)
    started = time.perf_counter()
    update, close = progress_bar(f"selecting ({args.strategy})", unit="picks")
    try:
        if wants_ray(args):
            result = select_on_ray(ws, args, params, parse_rows(args.must_include), update)
        else:
            result = run_selection(ws, args.strategy, args.k, params, quality_spec=args.quality,
                                   seed=args.seed, where=args.where,
                                   must_include=parse_rows(args.must_include), progress=update)
    finally:
        close()
    ws.save_selection(name, result, quality_spec=result.config.get("quality"))
    seconds = time.perf_counter() - started
    if args.json:
        ids = ws.pool_frame(["id"])["id"].to_numpy()[result.indices].tolist()
        print(json.dumps({
            "name": name, "strategy": args.strategy, "k": result.k,
            "indices": result.indices.tolist(), "ids": ids, "objective": result.objective,
            "seconds": round(seconds, 3), "stopped_early": result.stopped_early,
            "params": result.config.get("params"), "quality": result.config.get("quality"),
            "where": result.config.get("where"), "seed": args.seed}, default=str))
    else:
        print(f"saved selection '{name}': {result.k:,} rows by {args.strategy}, objective "
              f"{result.objective:.6g}, in {seconds:.2f}s")
        if result.stopped_early:
            print(f"note: {result.stopped_early}")
    return 0
