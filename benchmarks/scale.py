"""Past one machine: distributed QDIT on a million-row pool on Ray, and Ray Data embedding.

    python benchmarks/scale.py                                  # 1,000,000 rows, k = 10,000
    python benchmarks/scale.py --rows 200000 --k 2000 --dim 384 # a smaller run
    python benchmarks/scale.py --address ray://head:10001       # a real cluster (shared --out)

What it does and measures:
1. Pool: ``--rows`` synthetic unit vectors (float32, ``--dim`` dims, default 128: d only
   scales the matmuls, MiniLM's 384 costs about 3x there) around 1,000 centres of
   Dirichlet-distributed sizes (cluster structure: cos ~0.5 within a cluster, ~0 across),
   written ``--file-rows`` rows at a time as .npy row shards plus a manifest.json, the
   layout a distributed embedding job writes and ``MatrixSource.from_shard_dir`` memory-maps.
   No process ever holds the whole matrix (the generator holds one file's rows).
2. Distributed ``qdit`` (alpha ``--alpha``, default 0: pure facility location, the part
   where GreeDi can lose; the quality term is a sum and distributes exactly) for ``--k``
   picks by two-round GreeDi on the local Ray (``--shards`` m; default 40 shards of
   25,000 rows for 1M), then the exact whole-pool objective by map-reduce.
   Wall time per round; for the driver and the busiest Ray processes, peak RSS (VmHWM)
   and peak private memory (RssAnon, sampled from /proc every 0.2 s: may miss a spike
   shorter than that). RSS also counts the memory-mapped pool pages a process touched
   (clean page cache shared between processes, reclaimable; readahead maps more than the
   rows read), so "private" is the figure that bounds what a worker needs.
3. Objective ratio on the first ``--slice`` rows (a uniform sample, rows are i.i.d.): GreeDi
   on Ray vs the single-machine engine (``core.select`` qdit on the whole slice in this
   process, kNN-graph path past 5,000 rows), both scored by the same exact dense
   facility-location objective over the slice. k on the slice = ``--slice-k`` (default
   k * slice / rows, at least 1).
4. Embedding: the first ``--embed-rows`` rows of ../shared/data/alpaca/alpaca_5000.json
   through the Ray Data actor pool (``--embed-model``, default the hashing embedder:
   no download), rows/s including Ray Data start-up.

Figures depend on the machine and its load (printed). The pool under --out is kept between
runs (regenerated when its parameters change).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import threading
import time
from pathlib import Path

import numpy as np
from _common import ROOT, cpu_note, shared_data

from core.distributed.embedding import EmbedderSpec, embed_file
from core.distributed.executor import RayExecutor
from core.distributed.greedi import greedi_select
from core.distributed.objective import pool_objective_traces
from core.distributed.shards import MatrixSource
from core.select import SelectionContext, get_strategy

N_CENTRES = 1000


def generate_pool(folder: Path, rows: int, dim: int, file_rows: int, seed: int) -> Path:
    """Clustered unit vectors as row-shard files + manifest.json (skipped if already there)."""
    params = {"rows": rows, "dim": dim, "file_rows": file_rows, "seed": seed,
              "centres": N_CENTRES}
    manifest = folder / "manifest.json"
    if manifest.exists() and json.loads(manifest.read_text())["params"] == params:
        return folder
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("part-*.npy"):
        old.unlink()
    rng = np.random.default_rng(seed)
    centres = rng.standard_normal((N_CENTRES, dim), dtype=np.float32)
    sizes = rng.dirichlet(np.full(N_CENTRES, 0.5))
    files, counts = [], []
    for j, start in enumerate(range(0, rows, file_rows)):
        n = min(file_rows, rows - start)
        part = np.random.default_rng([seed, j])
        x = centres[part.choice(N_CENTRES, n, p=sizes)]
        x += part.standard_normal((n, dim), dtype=np.float32)
        x /= np.linalg.norm(x, axis=1, keepdims=True)
        name = f"part-{j:05d}.npy"
        np.save(folder / name, x)
        files.append(name)
        counts.append(n)
        del x
    manifest.write_text(json.dumps({"shards": files, "shard_sizes": counts, "dim": dim,
                                    "params": params}))
    return folder


def head_rows(source: MatrixSource, rows: int) -> MatrixSource:
    """The first ``rows`` rows of ``source`` (same files, offsets cut)."""
    keep = int(np.searchsorted(source.offsets, rows, side="left"))
    offsets = [*source.offsets[:keep], rows]
    return MatrixSource(source.paths[:keep], tuple(offsets), source.dim)


class ProcessPeaks:
    """Peak RSS (VmHWM) of this process and all its descendants, sampled from /proc."""

    def __init__(self, interval: float = 0.2) -> None:
        self.interval = interval
        self.peaks: dict[int, tuple[str, float]] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> ProcessPeaks:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.sample()
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self.sample()

    def sample(self) -> None:
        me = os.getpid()
        parents = {}
        for entry in os.listdir("/proc"):
            if entry.isdigit():
                try:
                    stat = Path(f"/proc/{entry}/stat").read_text()
                    parents[int(entry)] = int(stat.rsplit(")", 1)[1].split()[1])
                except (OSError, IndexError, ValueError):
                    continue
        for pid in parents:
            p, hops = pid, 0
            while p not in (0, 1, me) and hops < 20:
                p, hops = parents.get(p, 0), hops + 1
            if p == me:
                self._record(pid)

    def _record(self, pid: int) -> None:
        try:
            status = Path(f"/proc/{pid}/status").read_text()
            title = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")[0].decode()
        except OSError:
            return
        fields = {line.split(":")[0]: line.split()[1] for line in status.splitlines()
                  if line.startswith(("VmHWM:", "RssAnon:"))}
        hwm, anon = (int(fields.get(f, 0)) / 1024 for f in ("VmHWM", "RssAnon"))
        name = title.rsplit("/", 1)[-1].removeprefix("ray::") or "?"
        names, old_hwm, old_anon = self.peaks.get(pid, ([], 0.0, 0.0))
        if name not in names and not (names and name == "IDLE"):
            names = [n for n in names if n != "IDLE"] + [name]  # every task it ran
        self.peaks[pid] = (names, max(old_hwm, hwm), max(old_anon, anon))

    def report(self, top: int = 6) -> list[str]:
        rows = sorted(self.peaks.items(), key=lambda kv: -kv[1][1])[:top]
        return [f"    pid {pid:>7}  {'+'.join(names)[:44]:<44} peak RSS {hwm:6.0f} MiB, "
                f"private {anon:6.0f} MiB" for pid, (names, hwm, anon) in rows if hwm > 0]


def reset_peak_rss() -> None:
    """Restart this process's VmHWM (Linux: write 5 to clear_refs) so later peaks exclude
    the pool generation."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        pass


def self_peak_mib() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_pool(args, ex: RayExecutor, source: MatrixSource) -> None:
    print(f"\n== distributed qdit, n = {source.n:,}, d = {source.dim}, k = {args.k:,}, "
          f"alpha = {args.alpha}")
    reset_peak_rss()
    with ProcessPeaks() as peaks:
        t = time.perf_counter()
        res = greedi_select(source, "qdit", args.k, {"alpha": args.alpha},
                            shards=args.shards, seed=0, executor=ex)
        wall = time.perf_counter() - t
    info = res.config["distributed"]
    print(f"  shards m = {info['shards']}, per shard l = {info['per_shard']}, merged rows "
          f"{info['merged_rows']:,}, chosen: {info['chosen']}")
    print(f"  wall {wall:.1f} s: round 1 {res.timings['round1']:.1f} s (shard tasks "
          f"{np.mean(info['shard_seconds']):.1f} s mean, {max(info['shard_seconds']):.1f} s "
          f"max), merge {res.timings['merge']:.1f} s, whole-pool objective "
          f"{res.timings['evaluate']:.1f} s")
    print(f"  objective (exact mean coverage over all {source.n:,} rows): "
          f"{res.objective:.6f}")
    _, _, driver_anon = peaks.peaks.get(os.getpid(), ([], 0.0, 0.0))
    print(f"  driver (this process, after generation): peak RSS {self_peak_mib():.0f} MiB, "
          f"private {driver_anon:.0f} MiB")
    print("  busiest processes (the driver, Ray workers and daemons), by peak RSS:")
    print("\n".join(peaks.report()))


def run_slice(args, ex: RayExecutor, source: MatrixSource) -> None:
    n = min(args.slice, source.n)
    part = head_rows(source, n)
    k = args.slice_k or max(1, round(args.k * n / source.n))
    print(f"\n== objective ratio on the first {n:,} rows, k = {k:,}")
    t = time.perf_counter()
    dist = greedi_select(part, "qdit", k, {"alpha": args.alpha}, shards=args.slice_shards,
                         seed=0, executor=ex)
    t_dist = time.perf_counter() - t
    t = time.perf_counter()
    x = part.block(0, n)
    single = get_strategy("qdit", alpha=args.alpha).select(SelectionContext(embeddings=x), k)
    t_single = time.perf_counter() - t
    del x
    trace = pool_objective_traces(part, "qdit", {"alpha": args.alpha}, [single.indices],
                                  quality=None, candidates=None, executor=ex)[0][0]
    m = dist.config["distributed"]["shards"]
    print(f"  distributed (GreeDi, m = {m}, Ray): objective {dist.objective:.6f}, "
          f"{t_dist:.1f} s")
    print(f"  single machine (core.select qdit): objective {trace[-1]:.6f}, {t_single:.1f} s")
    print(f"  ratio distributed / single machine: {dist.objective / trace[-1]:.4f}")


def run_embedding(args, ex: RayExecutor) -> None:
    records = json.loads(shared_data("alpaca/alpaca_5000.json").read_text())[:args.embed_rows]
    folder = Path(args.out) / "embed"
    src = folder / "texts.jsonl"
    folder.mkdir(parents=True, exist_ok=True)
    src.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    job = folder / f"job-{args.embed_model}-{time.time_ns()}"
    print(f"\n== Ray Data embedding, {len(records):,} Alpaca rows, model {args.embed_model}")
    t = time.perf_counter()
    m = embed_file(src, job, spec=EmbedderSpec(args.embed_model), executor=ex,
                   shard_rows=args.embed_shard_rows)
    wall = time.perf_counter() - t
    print(f"  {m['rows']:,} rows in {len(m['shards'])} shards, dim {m['dim']}: {wall:.1f} s, "
          f"{m['rows'] / wall:.0f} rows/s (texts pass + actor start-up + model load "
          f"included)")


def parse_args(argv=None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--rows", type=int, default=1_000_000)
    p.add_argument("--k", type=int, default=10_000)
    p.add_argument("--dim", type=int, default=128)
    p.add_argument("--alpha", type=float, default=0.0)
    p.add_argument("--shards", type=int, default=None, help="GreeDi shards m (default: "
                   "max(workers, rows / 25,000))")
    p.add_argument("--slice", type=int, default=100_000)
    p.add_argument("--slice-k", type=int, default=None)
    p.add_argument("--slice-shards", type=int, default=None)
    p.add_argument("--file-rows", type=int, default=100_000)
    p.add_argument("--embed-rows", type=int, default=2_000)
    p.add_argument("--embed-shard-rows", type=int, default=250)
    p.add_argument("--embed-model", default="hashing")
    p.add_argument("--address", default=None, help="Ray cluster address (default: local)")
    p.add_argument("--skip", nargs="*", default=[], choices=["pool", "slice", "embed"])
    p.add_argument("--out", default=str(ROOT / "bench-out" / "scale"))
    return p.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    print(f"benchmarks/scale.py {' '.join(sys.argv[1:])}  ({cpu_note()})")
    t = time.perf_counter()
    folder = generate_pool(Path(args.out) / f"pool-{args.rows}-{args.dim}", args.rows,
                           args.dim, args.file_rows, seed=0)
    source = MatrixSource.from_shard_dir(folder)
    print(f"pool: {source.n:,} x {source.dim} float32 in {len(source.paths)} files under "
          f"{folder} ({time.perf_counter() - t:.1f} s incl. generation if needed; generator "
          f"peak RSS {self_peak_mib():.0f} MiB)")
    ex = RayExecutor(args.address)
    try:
        desc = ex.describe()
        print(f"ray: {desc['address']}, {desc['nodes']} node(s), {desc['cpus']:.0f} CPUs, "
              f"{desc['gpus']:.0f} GPUs")
        if "pool" not in args.skip:
            run_pool(args, ex, source)
        if "slice" not in args.skip:
            run_slice(args, ex, source)
        if "embed" not in args.skip:
            run_embedding(args, ex)
    finally:
        ex.close()
    print(f"\nload average at the end: {os.getloadavg()[0]:.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
