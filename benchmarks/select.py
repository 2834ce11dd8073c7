"""Selection engine speed and memory at n = 50,000: every strategy, k = 1,000 and 5,000, and
apricot-select's FacilityLocationSelection on the same similarity graph.

    python benchmarks/select.py --workspace bench-out/pool50k      # MiniLM pool (build_pool50k)
    python benchmarks/select.py --synthetic [--n 50000 --dim 384]   # clustered unit vectors

What is measured, per (strategy, k), in a fresh fork of a process that already holds the
inputs (embeddings, kNN graph, k-means labels, quality, token ids) and has warmed up numba
and torch on a small run:
- seconds: ``strategy.select(ctx, k)`` wall time. The kNN graph and k-means are inputs (the
  workspace caches them); QDIT's symmetrised graph is rebuilt in every run and counted,
  except in the extra "graph ready" row beside apricot, which like apricot gets it built.
- peak RSS delta: getrusage ru_maxrss of the child minus its resident size at the start
  (/proc/self/statm), so it counts everything the run touches: numpy, BLAS, torch, numba.
- tracemalloc peak (``--traced`` only, in a second run: tracemalloc hooks every allocation
  and slowed dpp's 1,000-pick run by 17%, so it never runs while seconds are taken): the
  Python/numpy allocations alone, a cross-check on the RSS figure.
apricot (pip install apricot-select; a benchmark-only dependency) gets the same symmetric
sparse similarity as a precomputed float64 CSR matrix; its conversion is not timed. Its
JIT is warmed up first. Objectives are the facility-location coverage (mean over the pool
of the best clipped cosine to a pick) on that sparse graph and on the dense embeddings.

Figures depend on machine load (printed); other work on the same cores slows every run.
"""

from __future__ import annotations

import importlib
import os
import sys

_HERE = os.path.dirname(os.path.abspath(__file__))


def _without_this_folder() -> list[str]:
    return [p for p in sys.path if os.path.abspath(p or ".") != _HERE]


if __name__ == "select":
    # A sibling script runs with benchmarks/ first on sys.path, so ``import select`` (done by
    # selectors, subprocess, multiprocessing...) found this file: hand the importer the
    # standard library's module instead (the import statement returns sys.modules[name]).
    _saved = sys.path[:]
    sys.path[:] = _without_this_folder()
    del sys.modules["select"]
    try:
        sys.modules["select"] = importlib.import_module("select")
    finally:
        sys.path[:] = _saved
else:
    # Run as a script: same shadowing, so load the real ``select`` before anything needs it.
    # numba's OpenMP threading layer aborts a forked child whose parent used GNU OpenMP
    # (scikit-learn's k-means does); apricot's parallel functions run in such children.
    os.environ.setdefault("NUMBA_THREADING_LAYER", "workqueue")
    sys.path[:] = _without_this_folder()
    importlib.import_module("select")
    sys.path.append(_HERE)

    import argparse
    import json
    import multiprocessing as mp
    import resource
    import time
    import tracemalloc
    from pathlib import Path

    import numpy as np
    from _common import ROOT, cpu_note

    from core.clusters import kmeans_labels
    from core.neighbors import KnnGraph, build_knn_graph
    from core.select import SelectionContext, get_strategy
    from core.select.facility_location import _SYM_CACHE, symmetric_similarity

    DEFAULT_WORKSPACE = ROOT / "bench-out" / "pool50k"
STRATEGY_RUNS = [("random", {}), ("quality", {}), ("qdit", {"alpha": 0.5}),
                 ("qdit", {"alpha": 0.0}), ("dpp", {"lam": 0.5}), ("kcenter", {}),
                 ("cluster_balanced", {}), ("daar", {}), ("deita", {}),
                 ("token_coverage", {})]


def synthetic_inputs(n: int, dim: int, seed: int = 0) -> tuple[SelectionContext, str]:
    """Clustered unit vectors (200 centres), uniform quality, Zipf-distributed token ids;
    the kNN graph is cached under bench-out/ because exact search takes a minute."""
    cache = ROOT / "bench-out" / f"synthetic-select-{n}-{dim}-{seed}.npz"
    rng = np.random.default_rng(seed)
    if cache.exists():
        with np.load(cache) as data:
            x, idx, sims = data["x"], data["idx"], data["sims"]
    else:
        centres = rng.normal(size=(200, dim))
        x = centres[rng.integers(0, 200, n)] / np.sqrt(dim) + rng.normal(size=(n, dim)) * 0.06
        x = (x / np.linalg.norm(x, axis=1, keepdims=True)).astype(np.float32)
        graph = build_knn_graph(x, 32)
        idx, sims = graph.indices, graph.sims
        cache.parent.mkdir(parents=True, exist_ok=True)
        np.savez(cache, x=x, idx=idx, sims=sims)
    rng = np.random.default_rng(seed + 1)
    lengths = rng.integers(20, 200, n)
    offsets = np.concatenate([[0], np.cumsum(lengths)])
    flat = np.minimum(rng.zipf(1.3, int(offsets[-1])), 30_000).astype(np.int64)
    labels, _ = kmeans_labels(x, None, seed=0)
    ctx = SelectionContext(embeddings=x, quality=rng.random(n), knn=KnnGraph(idx, sims, True),
                           labels=labels, token_ids=(flat, offsets))
    return ctx, f"synthetic: {n:,} clustered unit vectors, dim {dim}"


def workspace_inputs(path: str) -> tuple[SelectionContext, str]:
    from core.quality import workspace_quality
    from core.select.run import workspace_token_ids
    from core.workspace import Workspace

    ws = Workspace.open(path)
    info = ws.embedding_info() or {}
    labels, _ = ws.clusters(seed=0)
    ctx = SelectionContext(embeddings=np.array(ws.embeddings()), knn=ws.knn(),
                           quality=workspace_quality(ws, "heuristic"), labels=labels,
                           token_ids=workspace_token_ids(ws, "response"))
    return ctx, (f"workspace {path}: {ws.n_rows:,} rows, {info.get('model')} "
                 f"({info.get('field')}), dim {info.get('dim')}; quality = heuristic")


def _rss_bytes() -> int:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def _child(conn, job, traced: bool) -> None:
    try:
        if not getattr(job, "graph_prepared", False):
            _SYM_CACHE.clear()  # QDIT pays for its symmetrised graph in every run
        if traced:
            tracemalloc.start()
            job()
            conn.send({"traced_mib": tracemalloc.get_traced_memory()[1] / 2**20})
            return
        start_rss = _rss_bytes()
        t0 = time.perf_counter()
        out = job()
        seconds = time.perf_counter() - t0
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
        conn.send({"seconds": seconds, "rss_delta_mib": max(peak - start_rss, 0) / 2**20,
                   **out})
    except Exception as exc:  # noqa: BLE001 - reported in the table, the benchmark goes on
        conn.send({"error": f"{type(exc).__name__}: {exc}"})


def measure(job, timeout: float, traced: bool = False) -> dict:
    """Run ``job`` in a forked child (its inputs are shared copy-on-write); with ``traced``
    a second child runs it under tracemalloc for the traced peak."""
    result = _measure_once(job, timeout, False)
    if traced and "error" not in result:
        result.update(_measure_once(job, timeout, True))
    return result


def _measure_once(job, timeout: float, traced: bool) -> dict:
    ctx = mp.get_context("fork")
    parent, child = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_child, args=(child, job, traced))
    proc.start()
    child.close()  # so a child that dies shows up as end-of-file, not as a timeout
    try:
        if parent.poll(timeout):
            result = parent.recv()
        else:
            proc.kill()
            result = {"error": f"timeout after {timeout:.0f}s"}
    except EOFError:
        result = {"error": "the run died"}
    proc.join()
    if "error" in result and proc.exitcode:
        result["error"] += f" (exit code {proc.exitcode})"
    return result


def strategy_job(ctx: SelectionContext, name: str, params: dict, k: int):
    def job() -> dict:
        res = get_strategy(name, **params).select(ctx, k, seed=0)
        return {"indices": res.indices.tolist(), "objective": res.objective,
                "stopped_early": res.stopped_early, "timings": res.timings}
    return job


def apricot_job(sim64, k: int, optimizer: str):
    def job() -> dict:
        from apricot import FacilityLocationSelection

        sel = FacilityLocationSelection(k, metric="precomputed", optimizer=optimizer,
                                        verbose=False).fit(sim64)
        return {"indices": [int(i) for i in sel.ranking]}
    return job


def sparse_coverage(sim, rows) -> float:
    cur = np.zeros(sim.shape[0])
    for a in rows:
        lo, hi = sim.indptr[a], sim.indptr[a + 1]
        np.maximum.at(cur, sim.indices[lo:hi], sim.data[lo:hi])
    return float(cur.mean())


def dense_coverage(x: np.ndarray, rows) -> float:
    picked = x[np.asarray(rows)]
    best = np.zeros(len(x), dtype=np.float32)
    for start in range(0, len(x), 4096):
        block = np.maximum(x[start:start + 4096] @ picked.T, 0.0)
        best[start:start + 4096] = block.max(axis=1)
    return float(best.mean(dtype=np.float64))


def warm_up(ctx: SelectionContext) -> float:
    """Load numba's cached machine code and import torch on a 2,000-row slice."""
    t0 = time.perf_counter()
    n = 2000
    small = SelectionContext(embeddings=ctx.embeddings[:n], quality=ctx.quality[:n],
                             labels=ctx.labels[:n],
                             token_ids=(ctx.token_ids[0][:ctx.token_ids[1][n]],
                                        ctx.token_ids[1][:n + 1]))
    for name, params in STRATEGY_RUNS:
        get_strategy(name, **params).select(small, 20)
    get_strategy("qdit", alpha=0.0, method="sparse").select(small, 20)
    return time.perf_counter() - t0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--workspace", default=str(DEFAULT_WORKSPACE) if DEFAULT_WORKSPACE.exists()
                    else None, help="a 50k workspace (benchmarks/build_pool50k.py; default "
                    "bench-out/pool50k when it exists, else --synthetic)")
    ap.add_argument("--synthetic", action="store_true", help="clustered random vectors")
    ap.add_argument("--n", type=int, default=50_000)
    ap.add_argument("--dim", type=int, default=384)
    ap.add_argument("--k", type=int, nargs="+", default=[1000, 5000])
    ap.add_argument("--only", nargs="*", help="strategy names to run (default: all)")
    ap.add_argument("--dpp-lams", type=float, nargs="+", default=[0.5],
                    help="lambda values of the dpp runs (its cost depends on lambda: the "
                    "lower, the more candidates stay in contention)")
    ap.add_argument("--timeout", type=float, default=600.0, help="seconds per run")
    ap.add_argument("--apricot", choices=["lazy", "lazy+two-stage", "none"], default="lazy",
                    help="apricot optimizers to compare ('two-stage' is its default; it runs "
                    "for k=1,000 only)")
    ap.add_argument("--traced", action="store_true",
                    help="also run each job under tracemalloc (a second run) for its peak")
    ap.add_argument("--out", default=str(ROOT / "bench-out" / "select.json"))
    args = ap.parse_args(argv)

    if args.workspace and Path(args.workspace).exists():
        ctx, what = workspace_inputs(args.workspace)
    elif args.workspace and not args.synthetic:
        sys.exit(f"workspace {args.workspace} not found (build it with "
                 "benchmarks/build_pool50k.py, or pass --synthetic)")
    else:
        ctx, what = synthetic_inputs(args.n, args.dim)
    print(f"# {what}\n# {cpu_note()}")
    print(f"# warm-up (numba cache load, torch import) {warm_up(ctx):.1f}s, not counted")
    sim = symmetric_similarity(ctx.knn)
    x = np.asarray(ctx.embeddings)
    rows = []
    header = f"{'strategy':<26}{'k':>6}{'seconds':>9}{'RSS+ MiB':>10}{'traced MiB':>11}  note"
    print(header)
    runs = [run for run in STRATEGY_RUNS if run[0] != "dpp"]
    at = next(i for i, run in enumerate(STRATEGY_RUNS) if run[0] == "dpp")
    runs[at:at] = [("dpp", {"lam": lam}) for lam in args.dpp_lams]
    for k in args.k:
        for name, params in runs:
            if args.only and name not in args.only:
                continue
            label = name + "".join(f" {p}={v}" for p, v in params.items())
            r = measure(strategy_job(ctx, name, params, k), args.timeout, args.traced)
            rows.append({"strategy": label, "k": k, **r})
            _print_row(label, k, r)
        optimizers = _apricot_optimizers(args.apricot, k)
        if optimizers and (not args.only or "qdit" in args.only):
            # apricot gets the symmetric graph ready-made (built outside its timing): the same
            # for QDIT here, as on the dashboard, where it is cached between slider moves
            job = strategy_job(ctx, "qdit", {"alpha": 0.0}, k)
            job.graph_prepared = True
            r = measure(job, args.timeout, args.traced)
            label = "qdit alpha=0.0 (graph ready)"
            rows.append({"strategy": label, "k": k, **r})
            _print_row(label, k, r)
        for opt in optimizers:
            r = measure(apricot_job(sim.astype(np.float64), k, opt), args.timeout, args.traced)
            rows.append({"strategy": f"apricot FacilityLocation {opt}", "k": k, **r})
            _print_row(f"apricot FL ({opt})", k, r)
    _compare_facility_location(rows, sim, x)
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps({"inputs": what, "machine": cpu_note(), "runs": [
        {k: v for k, v in r.items() if k != "indices"} for r in rows]}, indent=1))
    print(f"# results: {args.out}")
    return 0


def _apricot_optimizers(choice: str, k: int) -> list[str]:
    if choice == "none":
        return []
    try:
        import apricot  # noqa: F401
    except ImportError:
        print("# apricot-select is not installed: pip install apricot-select")
        return []
    return ["lazy"] + (["two-stage"] if choice == "lazy+two-stage" and k <= 1000 else [])


def _print_row(label: str, k: int, r: dict) -> None:
    if "error" in r:
        print(f"{label:<26}{k:>6}  {r['error']}")
        return
    note = r.get("stopped_early") or ""
    traced = f"{r['traced_mib']:>11.0f}" if "traced_mib" in r else f"{'-':>11}"
    print(f"{label:<26}{k:>6}{r['seconds']:>9.2f}{r['rss_delta_mib']:>10.0f}{traced}  {note}",
          flush=True)


def _compare_facility_location(rows: list[dict], sim, x: np.ndarray) -> None:
    print("# facility-location coverage (mean best clipped cosine; higher is better)")
    for r in rows:
        if "indices" in r and (r["strategy"].startswith(("apricot", "qdit alpha=0.0",
                                                        "random"))):
            r["fl_sparse"] = sparse_coverage(sim, r["indices"])
            r["fl_dense"] = dense_coverage(x, r["indices"])
            print(f"{r['strategy']:<40}k={r['k']:<6} sparse graph {r['fl_sparse']:.6f}   "
                  f"dense {r['fl_dense']:.6f}   {r['seconds']:.2f}s")
    for k in sorted({r["k"] for r in rows}):
        ours = next((r for r in rows if r["k"] == k and r["strategy"] == "qdit alpha=0.0"
                     and "seconds" in r), None)
        ready = next((r for r in rows if r["k"] == k and "seconds" in r
                      and r["strategy"] == "qdit alpha=0.0 (graph ready)"), None)
        for r in rows:
            if r["k"] == k and r["strategy"].startswith("apricot") and "seconds" in r and ours:
                same = (f"{r['seconds'] / ready['seconds']:.1f}x with the graph ready for both, "
                        if ready else "")
                print(f"# k={k}: qdit alpha=0 is {same}{r['seconds'] / ours['seconds']:.1f}x "
                      f"counting its graph build, faster than {r['strategy']}; objective "
                      f"difference (ours - apricot) {ours['fl_sparse'] - r['fl_sparse']:+.2e}")


if __name__ == "__main__":
    raise SystemExit(main())
