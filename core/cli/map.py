"""``python -m core map --workspace DIR``: build the kNN graph and the 2-D map, then what a
first selection needs (k-means clusters, their names, the default quality score, word
tokens: core.prepare), so the Select page's first visit does not compute them."""

from __future__ import annotations

import json
import time

from core.cli.progress import progress_bar
from core.prepare import prepare_selection_inputs
from core.workspace import Workspace


def add_parser(sub) -> None:
    p = sub.add_parser("map", help="build the kNN graph and the UMAP (or PCA) map",
                       description="Build the cosine kNN graph of the embeddings (shared with "
                       "selection) and a 2-D map of the pool; both are cached in the workspace.")
    p.add_argument("--workspace", required=True, help="an embedded workspace directory")
    p.add_argument("--method", default="umap", choices=["umap", "pca"],
                   help="umap (default: built from the kNN graph) or pca (fast, linear)")
    p.add_argument("--json", action="store_true", help="print one JSON object (rows, method, "
                   "knn_k, knn_exact, knn_seconds, map_seconds)")
    p.set_defaults(func=run)


def run(args) -> int:
    ws = Workspace.open(args.workspace)
    t0 = time.perf_counter()
    update, close = progress_bar("kNN graph")
    try:
        graph = ws.knn(progress=update)
    finally:
        close()
    t1 = time.perf_counter()
    coords = ws.build_map(args.method)
    t2 = time.perf_counter()
    update, close = progress_bar("clusters, names, quality, tokens", unit="steps")
    try:
        steps = prepare_selection_inputs(ws, progress=lambda done, total, label:
                                         update(done, total))
    finally:
        close()
    report = {"rows": int(coords.shape[0]), "method": args.method, "knn_k": graph.k,
              "knn_exact": graph.exact, "knn_seconds": round(t1 - t0, 3),
              "map_seconds": round(t2 - t1, 3),
              "prepare_seconds": {label: round(s, 3) for label, s in steps.items()}}
    if args.json:
        print(json.dumps(report))
    else:
        print(f"kNN graph (k={graph.k}, {'exact' if graph.exact else 'NN-descent'}) in "
              f"{t1 - t0:.1f}s; {args.method} map of {coords.shape[0]:,} rows in {t2 - t1:.1f}s")
        print("for selection: " + "; ".join(f"{label} {s:.1f}s" for label, s in steps.items()))
    return 0
