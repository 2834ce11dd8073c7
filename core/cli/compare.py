"""``python -m core compare --workspace DIR A B [C ...] [--quality SPEC] [--json]``.

Every measure of the saved selections side by side, all computed with the one quality spec
it names (``--quality``, default heuristic; not whatever each selection's saved metrics
used), beside the pool; then the pairwise Jaccard overlap, the per-cluster composition
(k-means clusters of the current embedding, by name) and, with ``--label-column COL``, the
per-value composition of that column. ``--json``: ``{"quality", "measures": {measure:
{selection: value, "pool": value}}, "jaccard": {a: {b: j}}, "clusters": [...], "labels":
[...]}``.
"""

from __future__ import annotations

import json
import math

import pandas as pd

from core.compare import cluster_coverage, jaccard_matrix
from core.errors import InputError
from core.metrics import MEASURES, MetricsOptions, compute_all_metrics
from core.metrics.measures import FAMILIES
from core.metrics.workspace_pool import metrics_pool_from_workspace
from core.quality import DEFAULT_SPEC, canonical_spec
from core.workspace import Workspace


def add_parser(sub) -> None:
    p = sub.add_parser("compare", help="saved selections side by side",
                       description="Every measure of two or more saved selections, computed "
                       "with one quality spec, plus overlap and cluster composition.")
    p.add_argument("--workspace", required=True, help="workspace directory")
    p.add_argument("selections", nargs="+", metavar="NAME", help="two or more saved selections")
    p.add_argument("--quality", default=DEFAULT_SPEC,
                   help="the one quality spec every selection is measured with (default "
                   "%(default)s)")
    p.add_argument("--label-column", default=None,
                   help="also show the per-value composition of this pool column")
    p.add_argument("--families", default=",".join(f for f in FAMILIES if f != "self_bleu"),
                   help="metric families (default: %(default)s)")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.set_defaults(func=run)


def compare_report(ws, names: list[str], quality: str, label_column: str | None,
                   families: tuple[str, ...]) -> dict:
    """The report ``--json`` prints (see the module docstring)."""
    if len(names) < 2 or len(set(names)) != len(names):
        raise InputError("compare needs two or more different selection names",
                         field="selections")
    results = {name: ws.load_selection(name) for name in names}
    pool = metrics_pool_from_workspace(ws, quality=quality)
    opts = MetricsOptions(families=families, n_random=0)
    reports = {name: compute_all_metrics(pool, r.indices, opts) for name, r in results.items()}
    measures = {}
    for measure in reports[names[0]]:
        measures[measure] = {name: reports[name][measure]["selection"] for name in names}
        measures[measure]["pool"] = reports[names[0]][measure]["pool"]
    indices = {name: r.indices for name, r in results.items()}
    labels, _ = ws.clusters()
    clusters = cluster_coverage(labels, indices, ws.cluster_names())
    out = {"quality": canonical_spec(quality), "sizes": {n: r.k for n, r in results.items()},
           "measures": measures, "jaccard": jaccard_matrix(indices).to_dict(),
           "clusters": clusters.to_dict("records"), "labels": None}
    if label_column:
        out["labels"] = label_composition(ws, indices, label_column).to_dict("records")
    return out


def label_composition(ws, indices: dict, column: str) -> pd.DataFrame:
    """Long table: selection, value, picked, share (of the selection's rows)."""
    frame = ws.pool_frame()
    if column not in frame.columns:
        raise InputError(f"unknown label column '{column}'; available columns: "
                         f"{', '.join(map(str, frame.columns))}", field="label_column")
    values = frame[column].astype("string").fillna("(missing)")
    rows = []
    for name, idx in indices.items():
        counts = values.iloc[idx].value_counts()
        for value, count in counts.items():
            rows.append({"selection": name, "value": str(value), "picked": int(count),
                         "share": float(count / max(len(idx), 1))})
    return pd.DataFrame(rows)


def run(args) -> int:
    ws = Workspace.open(args.workspace)
    families = tuple(f.strip() for f in args.families.split(",") if f.strip())
    report = compare_report(ws, list(args.selections), args.quality, args.label_column,
                            families)
    print(json.dumps(report, default=str) if args.json else format_report(report))
    return 0


def _fmt(value) -> str:
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "-"
    return f"{value:,.0f}" if abs(value) >= 1000 else f"{value:.4f}"


def format_report(report: dict) -> str:
    names = list(report["sizes"])
    width = max(12, *(len(n) for n in names))
    lines = [f"{len(names)} selections measured with quality {report['quality']!r} "
             f"({', '.join(f'{n}: {k:,} rows' for n, k in report['sizes'].items())})",
             f"{'measure':<32}" + "".join(f"{n:>{width + 2}}" for n in [*names, "pool"])]
    for measure, values in report["measures"].items():
        arrow = {"higher": "↑", "lower": "↓"}.get(MEASURES[measure].better, " ")
        lines.append(f"{measure + ' ' + arrow:<32}" + "".join(
            f"{_fmt(values[n]):>{width + 2}}" for n in [*names, "pool"]))
    lines.append("jaccard overlap:")
    for a in names:
        lines.append(f"  {a:<{width}}" + "".join(f"{report['jaccard'][a][b]:>{width + 2}.3f}"
                                                 for b in names))
    lines.append("per-cluster composition (rows picked):")
    table = pd.DataFrame(report["clusters"]).pivot_table(
        index="cluster", columns="selection", values="picked", aggfunc="sum")[names]
    lines.extend("  " + line for line in table.to_string().splitlines())
    if report["labels"]:
        lines.append("per-value composition of the label column (rows picked):")
        labels = pd.DataFrame(report["labels"]).pivot_table(
            index="value", columns="selection", values="picked", aggfunc="sum",
            fill_value=0)
        lines.extend("  " + line for line in labels.reindex(columns=names, fill_value=0)
                     .to_string().splitlines())
    return "\n".join(lines)
