"""``python -m core quality``: how well each quality score agrees with a judge column
(``--against``), and computing a slow score ahead of selection (``--compute``)."""

from __future__ import annotations

import json

from core.distributed.cli import add_executor_arguments, wants_ray
from core.errors import InputError


def add_parser(sub) -> None:
    p = sub.add_parser("quality", help="check quality scores against a judge; compute one",
                       description="--against COLUMN: AUC (binary judge) and Spearman of "
                       "heuristic, length, learned:COLUMN (cross-validated), every cached "
                       "reward score and every numeric column against the judge's verdicts. "
                       "--compute SPEC: compute and cache a quality score (e.g. a reward "
                       "model, resumable with a progress bar).")
    p.add_argument("--workspace", required=True, help="workspace directory")
    p.add_argument("--against", metavar="COLUMN", help="the judge column (0/1 or ratings, "
                   "empty where unjudged)")
    p.add_argument("--compute", metavar="SPEC", help="a quality spec to compute and cache, "
                   "e.g. reward:OpenAssistant/reward-model-deberta-v3-large-v2 or learned:label")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    add_executor_arguments(p, "reward scoring: number of chunks (default: 256 rows each)")
    p.set_defaults(func=run)


def run(args) -> int:
    from core.workspace import Workspace

    if not args.against and not args.compute:
        raise InputError("give --against COLUMN (agreement report) or --compute SPEC",
                         field="against")
    ray = wants_ray(args)
    if ray and not args.compute:
        raise InputError("--executor ray runs --compute (reward scoring)", field="executor")
    ws = Workspace.open(args.workspace)
    out: dict = {}
    if args.compute:
        out["computed"] = _compute(ws, args.compute, args.json, args if ray else None)
    if args.against:
        from core.quality.agreement import agreement_report

        out.update(agreement_report(ws, args.against))
        if not args.json:
            print(format_report(out))
    if args.json:
        print(json.dumps(out, default=str))
    return 0


def _compute(ws, spec: str, quiet: bool, ray_args=None) -> dict:
    """Compute and cache ``spec``; with ``ray_args`` its reward terms run on Ray first."""
    import time

    from core.cli.progress import progress_bar
    from core.quality import canonical_spec, workspace_quality
    from core.quality.compute import quality_inputs

    started = time.perf_counter()
    update, close = progress_bar(f"scoring ({canonical_spec(spec)})")
    try:
        if ray_args is not None:
            _rewards_on_ray(ws, spec, ray_args, update)
        workspace_quality(ws, spec, progress=update)
    finally:
        close()
    seconds = round(time.perf_counter() - started, 3)
    if not quiet:
        print(f"computed and cached {canonical_spec(spec)} for {ws.n_rows:,} rows in "
              f"{seconds:.1f}s")
    return {"spec": canonical_spec(spec), "seconds": seconds,
            "inputs": quality_inputs(ws, spec)}


def _rewards_on_ray(ws, spec: str, args, progress) -> None:
    import math

    from core.distributed.executor import open_executor
    from core.quality import parse_quality_spec
    from core.quality.compute import atoms
    from core.quality.reward_job import DEFAULT_CHUNK_ROWS, RewardScorer, compute_reward

    rewards = [a for a in atoms(parse_quality_spec(spec)) if isinstance(a, RewardScorer)]
    if not rewards:
        raise InputError(f"--executor ray scores reward models; '{spec}' has no reward: term",
                         field="executor")
    chunk_rows = math.ceil(ws.n_rows / args.shards) if args.shards else DEFAULT_CHUNK_ROWS
    with open_executor("ray", address=args.address) as ex:
        for atom in rewards:
            compute_reward(ws, atom.model, executor=ex, chunk_rows=chunk_rows,
                           progress=progress)


def format_report(report: dict) -> str:
    """The agreement report as an aligned text table, flagged rows marked."""
    lines = [f"agreement with judge '{report['against']}' on {report['labelled']:,} labelled "
             f"rows ({'binary' if report['binary'] else 'ratings'})",
             f"{'score':<40} {'AUC':>7} {'Spearman':>9} {'n':>7}"]
    for spec, row in report["scores"].items():
        auc = "-" if row["auc"] is None else f"{row['auc']:.3f}"
        rho = "-" if row["spearman"] is None else f"{row['spearman']:.3f}"
        flag = f"  <- {row['flag']}" if row.get("flag") else ""
        lines.append(f"{spec[:40]:<40} {auc:>7} {rho:>9} {row['n']:>7,}{flag}")
    note = report["learned"]
    lines.append(note.get("summary") or f"learned:{report['against']}: {note.get('refused')}")
    return "\n".join(lines)
