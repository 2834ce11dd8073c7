"""What QDIT's alpha does on a real workspace: coverage and mean quality against alpha.

    python benchmarks/qdit_alpha.py --workspace ws/dolly --quality length --k 200

For each alpha, runs ``qdit`` (nothing is saved) and prints its facility-location coverage
and mean quality (rank-normalised to [0, 1]) beside the mean of 3 random subsets of the same
size, as ``python -m core metrics`` computes them. The README's sentence on alpha quotes it.
"""

from __future__ import annotations

import argparse

from _common import cpu_note

from core.metrics import MetricsOptions, compute_all_metrics
from core.metrics.workspace_pool import metrics_pool_from_workspace
from core.select.request import SelectionRequest
from core.select.run import run_selection
from core.workspace import Workspace

ALPHAS = (0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--workspace", required=True, help="an embedded workspace")
    parser.add_argument("--quality", default="length", help="quality spec (default length)")
    parser.add_argument("--k", type=int, default=200, help="picks per run (default 200)")
    parser.add_argument("--alphas", default=",".join(map(str, ALPHAS)),
                        help="comma-separated alpha values")
    args = parser.parse_args()
    ws = Workspace.open(args.workspace)
    pool = metrics_pool_from_workspace(ws, quality=args.quality)
    opts = MetricsOptions(families=("embedding", "quality"))
    model = (ws.embedding_info() or {}).get("model")
    print(f"== qdit on {ws.n_rows:,} rows ({model}), k = {args.k:,}, quality = "
          f"{args.quality}; {cpu_note()}")
    print("  alpha  coverage (vs random)   mean quality (vs random)")
    for alpha in (float(a) for a in args.alphas.split(",")):
        result = run_selection(ws, SelectionRequest("qdit", args.k, {"alpha": alpha},
                                                    quality=args.quality))
        report = compute_all_metrics(pool, result.indices, opts)
        cells = []
        for name in ("facility_location", "quality_mean"):
            value, rand = report[name]["selection"], report[name]["random"]["mean"]
            cells.append(f"{value:.4f} ({100 * (value / rand - 1):+.1f}%)")
        print(f"  {alpha:5.2f}  {cells[0]:<21}  {cells[1]}")


if __name__ == "__main__":
    main()
