"""Units covered (meso diversity) by unit_balanced, random and cluster_balanced on a
mixture of Dolly, GSM8K, Code Alpaca and GPTeacher.

    python benchmarks/units.py [--k 1000 5000] [--model tfidf] [--out /tmp/qdx-units]

The pool is the four sources loaded as one (core.pool.sources; GPTeacher = its three
files); cluster_balanced runs k-means on the --model embedding (TF-IDF + SVD by default,
seconds; all-MiniLM-L6-v2 takes minutes here). Units are the rules parser's (core.units);
the figure is distinct_units = units of the picks / units of the pool, per side.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np
from _common import cpu_note, shared_data

from core.embed import create_embedder
from core.pool.sources import load_sources
from core.select.request import SelectionRequest
from core.select.run import run_selection
from core.workspace import Workspace
from core.workspace.units import workspace_units

SOURCES = {"dolly": "dolly/alpagasus_dolly_3k.json", "gsm8k": "gsm8k/train.jsonl",
           "code_alpaca": "codealpaca/code_alpaca_2k.json", "gpteacher": "gpteacher"}
RUNS = [("unit_balanced (instruction)", "unit_balanced", {"side": "instruction"}),
        ("unit_balanced (response)", "unit_balanced", {"side": "response"}),
        ("cluster_balanced", "cluster_balanced", {}),
        ("random", "random", {})]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--k", type=int, nargs="+", default=[1000, 5000])
    ap.add_argument("--model", default="tfidf")
    ap.add_argument("--out", default=None, help="workspace folder (default: a temp folder)")
    args = ap.parse_args()
    print(f"# {cpu_note()}")
    root = Path(args.out or tempfile.mkdtemp(prefix="qdx-units-"))
    t = time.perf_counter()
    loaded = load_sources([f"{name}={shared_data(rel)}" for name, rel in SOURCES.items()])
    ws = Workspace.create(root, loaded)
    ws.embed(create_embedder(args.model), "instruction")
    parts = ", ".join(f"{src['name']} {src['rows']:,}" for src in loaded.info.sources)
    print(f"pool: {ws.n_rows:,} rows ({parts}); {args.model} embedding in "
          f"{time.perf_counter() - t:.0f} s")
    codes = {}
    for side in ("instruction", "response"):
        t = time.perf_counter()
        codes[side] = workspace_units(ws, side, "rules")[0]
        print(f"{side} units in the pool: {np.unique(codes[side]).size:,} "
              f"({time.perf_counter() - t:.1f} s, rules parser)")
    for k in args.k:
        print(f"k = {k:,}: units covered, instruction / response (share of the pool's)")
        for label, strategy, params in RUNS:
            res = run_selection(ws, SelectionRequest(strategy, k, params, seed=0))
            cells = []
            for side in ("instruction", "response"):
                covered = np.unique(codes[side][res.indices]).size
                cells.append(f"{covered:,} ({covered / np.unique(codes[side]).size:.3f})")
            print(f"  {label:<28} {cells[0]:>16} / {cells[1]:<16}")


if __name__ == "__main__":
    main()
