"""``python -m core metrics --workspace DIR --selection NAME [--json]``: every measure.

Prints each measure for the saved selection, the pool and a random baseline of the same
size (mean +- std over seeds); with ``--json`` one object ``{measure: {"selection",
"pool", "random": {"mean", "std"}}}``. The result is also stored with the selection
(``Workspace.save_metrics``, with the options it was measured with) unless ``--no-save``;
an export uses it only when it holds every family measured the export's way.
"""

from __future__ import annotations

import json
import math

from core.errors import InputError
from core.metrics import MEASURES, MetricsOptions, compute_all_metrics
from core.metrics.measures import FAMILIES
from core.metrics.stored import metrics_options
from core.metrics.workspace_pool import metrics_pool_from_workspace
from core.quality import DEFAULT_SPEC
from core.workspace import Workspace


def add_parser(sub) -> None:
    p = sub.add_parser("metrics", help="diversity and quality metrics of a saved selection",
                       description="Every diversity and quality measure of a saved selection, "
                       "beside the pool and random subsets of the same size.")
    p.add_argument("--workspace", required=True, help="workspace directory")
    p.add_argument("--selection", required=True, help="name of a saved selection")
    p.add_argument("--quality", default=None,
                   help="quality spec as for select: length, heuristic, column:NAME, "
                   "column:-NAME, none or a weighted sum (default: the selection's own spec, "
                   "else heuristic); scores are rank-normalised to [0, 1]")
    p.add_argument("--where", default=None,
                   help="candidate predicate for the random baseline (default: the "
                   "selection's own)")
    p.add_argument("--clusters", type=int, default=None, help="k-means clusters (default: "
                   "about sqrt(n)/3)")
    p.add_argument("--label-column", default=None,
                   help="use this column (e.g. category) as the clusters / domains")
    p.add_argument("--random-seeds", type=int, default=3,
                   help="random subsets of the same size averaged for the baseline (default 3)")
    p.add_argument("--families", default=",".join(FAMILIES),
                   help=f"comma-separated subset of: {', '.join(FAMILIES)}")
    p.add_argument("--no-save", action="store_true", help="do not store the result")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.set_defaults(func=run)


def _fmt(value) -> str:
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "-"
    magnitude = abs(value)
    if magnitude >= 1000:
        return f"{value:,.0f}"
    return f"{value:.4f}" if magnitude < 10 else f"{value:.2f}"


def _versus_random(entry: dict) -> str:
    rand = entry["random"]
    if entry["selection"] is None or not rand or rand["mean"] == 0:
        return ""
    return f"{100 * (entry['selection'] - rand['mean']) / abs(rand['mean']):+.1f}%"


def format_table(report: dict, k: int, name: str) -> str:
    rows = [("measure", "selection", "pool", "random (mean ± std)", "vs random")]
    for key, entry in report.items():
        rand = entry["random"]
        rand_txt = f"{_fmt(rand['mean'])} ± {_fmt(rand['std'])}" if rand else "-"
        better = MEASURES[key].better
        arrow = {"higher": "↑", "lower": "↓"}.get(better, " ")
        rows.append((f"{key} {arrow}", _fmt(entry["selection"]), _fmt(entry["pool"]),
                     rand_txt, _versus_random(entry)))
    widths = [max(len(r[i]) for r in rows) for i in range(5)]
    lines = [f"selection {name!r}: {k:,} rows (↑ / ↓: the more diverse or better direction)"]
    for r in rows:
        lines.append("  ".join([r[0].ljust(widths[0])] + [c.rjust(w) for c, w in
                                                           zip(r[1:], widths[1:], strict=True)]))
    return "\n".join(lines)


def run(args) -> int:
    ws = Workspace.open(args.workspace)
    result = ws.load_selection(args.selection)
    families = tuple(f.strip() for f in args.families.split(",") if f.strip())
    if args.random_seeds < 0:
        raise InputError("expected a number >= 0", field="random-seeds")
    quality = args.quality if args.quality is not None else \
        result.config.get("quality", DEFAULT_SPEC)
    where = args.where if args.where is not None else result.config.get("where")
    pool = metrics_pool_from_workspace(ws, quality=quality, where=where,
                                       n_clusters=args.clusters, label_column=args.label_column)
    opts = MetricsOptions(families=families, n_random=args.random_seeds)
    report = compute_all_metrics(pool, result.indices, opts)
    if not args.no_save:
        ws.save_metrics(args.selection, report, metrics_options(
            families=families, quality=quality, where=where, n_random=args.random_seeds,
            n_clusters=args.clusters, label_column=args.label_column))
    if args.json:
        print(json.dumps(report))
    else:
        print(format_table(report, result.k, args.selection))
    return 0
