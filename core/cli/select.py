"""``python -m core select``: run a selection strategy and save the result in the workspace.

The strategies and their parameters come from their declarations (core.select.params): the
help lists them (built when help is asked for, so other commands start without importing
the strategies), and any declared parameter is given as ``--NAME VALUE`` (``--alpha 0.7``,
``--quality-weight 0.3``) or ``--param NAME=VALUE``.
"""

from __future__ import annotations

import argparse
import json
import time

from core.distributed.cli import add_executor_arguments, select_on_ray, wants_ray
from core.errors import InputError


class _StrategyHelpParser(argparse.ArgumentParser):
    """Appends every strategy's declared parameters to ``--help``."""

    def format_help(self) -> str:
        return super().format_help() + "\n" + strategy_help() + "\n"

    def error(self, message: str) -> None:
        self.exit(2, f"{self.prog}: error: {message}\n")


def strategy_help() -> str:
    """The strategies and their declared parameters, as the help's epilog."""
    from core.select.registry import STRATEGIES

    lines = ["strategies and their parameters (--NAME VALUE or --param NAME=VALUE):"]
    for name, cls in STRATEGIES.items():
        lines.append(f"  {name}: {cls.summary or (cls.__doc__ or '').strip().splitlines()[0]}")
        lines.extend(f"      {param.help_line()}" for param in cls.params)
    return "\n".join(lines)


def add_parser(sub) -> None:
    p = add_strategy_parser(sub, "select", help="pick a quality-diverse subset and save it",
                            description="Run a selection strategy over the workspace's pool "
                            "and save the ranked result in the workspace database.")
    add_request_arguments(p)
    p.add_argument("--name", help="selection name (default: STRATEGY-kK); an existing name is "
                   "refused unless --force is given")
    p.add_argument("--force", action="store_true",
                   help="replace a saved selection of the same name (and its metrics)")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    add_executor_arguments(p, "GreeDi shards for qdit, kcenter, dpp (default: the workers, "
                           "at most 25,000 rows each)")
    p.set_defaults(func=run, accepts_param_flags=True)


def add_strategy_parser(sub, name: str, **kwargs) -> argparse.ArgumentParser:
    """A subcommand whose help ends with the strategies' declared parameters. (argparse's
    add_parser takes no parser class of its own: the subparsers action's one is swapped.)"""
    default = sub._parser_class
    sub._parser_class = _StrategyHelpParser
    try:
        return sub.add_parser(name, allow_abbrev=False, **kwargs)
    finally:
        sub._parser_class = default


def add_request_arguments(p, *, k_required: bool = True) -> None:
    """The options that make a SelectionRequest (shared by select and sweep)."""
    p.add_argument("--workspace", required=True, help="the workspace folder")
    p.add_argument("--strategy", required=True, help="a strategy (listed below)")
    p.add_argument("--k", required=k_required, type=int, help="number of rows to select")
    p.add_argument("--param", action="append", default=[], metavar="NAME=VALUE",
                   help="a strategy parameter (repeatable), e.g. gamma=2, "
                   "label_column=category, threshold=0.85; or write --NAME VALUE")
    p.add_argument("--quality", default="heuristic",
                   help="quality score: length, heuristic, column:NAME, column:-NAME, "
                   "learned:COLUMN (fitted on a judge column's rows), reward:MODEL (a reward "
                   "model), none, or a weighted sum such as 0.7*column:score+0.3*length "
                   "(default: heuristic)")
    p.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    p.add_argument("--where", help="DuckDB SQL predicate over the pool's columns: only rows "
                   "that satisfy it may be picked")
    p.add_argument("--must-include", default="", metavar="ROWS",
                   help="comma-separated 0-based pool rows picked first, in this order")
    p.add_argument("--quota", metavar="COLUMN=VALUE:SHARE,...",
                   help="per-value budgets on a categorical column, as shares of k or row "
                   "counts, e.g. source=general:0.5,math:0.3,code:0.2; each part is filled "
                   "by the strategy in turn")
    p.add_argument("--budget-tokens", type=int, metavar="N",
                   help="stop before the pick that would take the selection past N training "
                   "tokens (instruction + response)")


def parse_params(args) -> dict:
    """Strategy parameters from ``--param NAME=VALUE`` and ``--NAME VALUE`` flags (JSON
    values or text). Names are checked against the strategy's declaration when it is built."""
    from core.select.params import parse_cli_value

    params: dict = {}
    for item in args.param:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise InputError(f"--param expects NAME=VALUE, got {item!r}", field="param")
        params[key.strip()] = parse_cli_value(value)
    flags = list(getattr(args, "param_flags", None) or [])
    while flags:
        flag = flags.pop(0)
        if not flag.startswith("--") or len(flag) < 3:
            raise InputError(f"unexpected argument {flag!r}; strategy parameters are "
                             "written --NAME VALUE", field="param")
        name, sep, value = flag[2:].partition("=")
        if not sep:
            if not flags or flags[0].startswith("--"):
                raise InputError(f"{flag} expects a value", field=name.replace("-", "_"))
            value = flags.pop(0)
        params[name.replace("-", "_")] = parse_cli_value(value)
    return params


def build_request(args):
    """The SelectionRequest the arguments describe."""
    from core.select.request import Quota, SelectionRequest, must_include_rows

    return SelectionRequest(
        strategy=args.strategy, k=args.k, params=parse_params(args), quality=args.quality,
        seed=args.seed, where=args.where, must_include=must_include_rows(args.must_include),
        quota=None if args.quota is None else Quota.parse(args.quota),
        budget_tokens=args.budget_tokens)


def run(args) -> int:
    from core.cli.progress import progress_bar
    from core.select.registry import get_strategy
    from core.select.run import run_selection
    from core.workspace import Workspace
    from core.workspace.selections import check_name

    ws = Workspace.open(args.workspace)
    name = check_name(args.name or f"{args.strategy}-k{args.k}")
    request = build_request(args)
    get_strategy(request.strategy, **request.params)  # a bad parameter first: --force won't fix it
    refuse_existing_name(ws, name, args.force)
    started = time.perf_counter()
    update, close = progress_bar(f"selecting ({args.strategy})", unit="picks")
    try:
        if wants_ray(args):
            result = select_on_ray(ws, args, request, update)
        else:
            result = run_selection(ws, request, progress=update)
    finally:
        close()
    try:
        ws.save_selection(name, result, quality_spec=result.config.get("quality"),
                          replace=args.force)
    except InputError as exc:  # saved under this name by another process meanwhile
        raise InputError(f"{exc}; {FORCE_HINT}", field="name") from None
    notes = [result.stopped_early] if result.stopped_early else []
    notes += pinned_outside_filter(ws, result.config)
    seconds = time.perf_counter() - started
    info = result.config.get("info") or {}
    if args.json:
        ids = ws.pool_frame(["id"])["id"].to_numpy()[result.indices].tolist()
        print(json.dumps({
            "name": name, "strategy": args.strategy, "k": result.k,
            "indices": result.indices.tolist(), "ids": ids, "objective": result.objective,
            "seconds": round(seconds, 3), "stopped_early": result.stopped_early,
            "params": result.config.get("params"), "quality": result.config.get("quality"),
            "where": result.config.get("where"), "seed": args.seed,
            "quota": info.get("quota"), "tokens": info.get("tokens"), "notes": notes},
            default=str))
    else:
        print(f"saved selection '{name}': {result.k:,} rows by {args.strategy}, objective "
              f"{result.objective:.6g}, in {seconds:.2f}s")
        if "quota" in info:
            parts = info["quota"]["parts"]
            print(f"  {info['quota']['column']}: " + ", ".join(
                f"{v} {p['picked']:,}/{p['quota']:,}" for v, p in parts.items()))
        if "tokens" in info:
            print(f"  {info['tokens']['total']:,} training tokens "
                  f"(budget {info['tokens']['budget']:,})")
        for note in notes:
            print(f"note: {note}")
    return 0


FORCE_HINT = "pass --force to replace it, or choose another --name"


def refuse_existing_name(ws, name: str, force: bool) -> None:
    """InputError before any work when ``name`` is taken and ``--force`` was not given."""
    from core.workspace.selections import exists_message

    found = None if force else ws.existing_selection(name)
    if found is not None:
        raise InputError(f"{exists_message(found)}; {FORCE_HINT}", field="name")


def pinned_outside_filter(ws, config: dict) -> list[str]:
    """A note when must-include rows lie outside the ``--where`` filter (they are still
    picked: an explicit pin beats a filter), so a user is not surprised to find them."""
    where, must = config.get("where"), config.get("must_include") or []
    if not where or not must:
        return []
    mask = ws.candidate_mask(where)
    outside = [int(r) for r in must if not mask[int(r)]]
    if not outside:
        return []
    rows = ", ".join(map(str, outside))
    return [f"must-include row{'s' if len(outside) > 1 else ''} {rows} "
            f"{'do' if len(outside) > 1 else 'does'} not satisfy --where {where!r}; kept "
            "anyway (a pin beats the filter)"]
