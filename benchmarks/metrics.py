"""Time every metric for k = 5,000 picked from a 50,000-row pool.

    python benchmarks/metrics.py --workspace bench-out/pool50k [--selection NAME]
    python benchmarks/metrics.py --synthetic            (default when no workspace is given)

Prints (1) the time of each measure on its own for the selection, (2) the full report
(selection + pool + random baseline over 3 seeds) cold (empty cache), warm (another
selection of the same k: a slider move) and warm at a nearby k, with Self-BLEU timed
separately. The target (issue 4): all measures < 3 s, Self-BLEU < 5 s, on 2 cores.
Synthetic pool: 50,000 unit vectors (d = 384) around 200 random centres, Zipf-distributed
word texts; its kNN graph is built once (time printed) as a workspace would hold it.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
from _common import ROOT, cpu_note

from core.metrics import MemoryArrayCache, MetricsOptions, MetricsPool, compute_all_metrics
from core.metrics import cluster as cl
from core.metrics import embedding as emb
from core.metrics import logdet as ld
from core.metrics import text as tx
from core.metrics.quality import quality_stats

FAST = ("embedding", "logdet", "cluster", "text", "quality")


def synthetic_pool(n: int, d: int, seed: int = 0) -> tuple[MetricsPool, float]:
    rng = np.random.default_rng(seed)
    centres = rng.standard_normal((200, d)).astype(np.float32)
    centres /= np.linalg.norm(centres, axis=1, keepdims=True)
    labels = rng.integers(0, 200, n).astype(np.int32)
    x = centres[labels] + 0.06 * rng.standard_normal((n, d)).astype(np.float32)
    x /= np.linalg.norm(x, axis=1, keepdims=True)
    vocab = np.array([f"w{i}" for i in range(20_000)])
    zipf = 1.0 / np.arange(1, vocab.size + 1)
    zipf /= zipf.sum()

    def texts(mean_len: int) -> list[str]:
        lengths = rng.poisson(mean_len, n) + 1
        words = rng.choice(vocab, int(lengths.sum()), p=zipf)
        cuts = np.cumsum(lengths)[:-1]
        return [" ".join(chunk) for chunk in np.split(words, cuts)]

    start = time.perf_counter()
    sides = {"instruction": tx.tokenize_texts(texts(20)), "response": tx.tokenize_texts(texts(60))}
    tokenize_s = time.perf_counter() - start
    from core.clusters import label_centroids
    from core.neighbors import KnnGraph, build_knn_graph

    start = time.perf_counter()
    saved = ROOT / "bench-out" / f"metrics-synthetic-knn-{n}-{d}-{seed}.npz"
    if saved.exists():  # the graph is an input here, as a workspace would hold it
        with np.load(saved) as data:
            knn = KnnGraph(data["indices"], data["sims"], True)
        how = "loaded from " + str(saved.relative_to(ROOT))
    else:
        knn = build_knn_graph(x, 32, method="exact")
        saved.parent.mkdir(exist_ok=True)
        np.savez(saved, indices=knn.indices, sims=knn.sims)
        how = f"built in {time.perf_counter() - start:.1f}s"
    print(f"synthetic pool: {n:,} x {d}; kNN graph (exact, K=32) {how}; texts tokenised in "
          f"{tokenize_s:.1f}s")
    return MetricsPool(x, quality=rng.random(n), cluster_labels=labels,
                       cluster_centroids=label_centroids(x, labels, 200), texts=sides,
                       knn=knn, embedding_key="synthetic", text_key="synthetic",
                       quality_key="synthetic", cluster_key="synthetic"), tokenize_s


def workspace_pool(path: str) -> MetricsPool:
    from core.metrics.workspace_pool import metrics_pool_from_workspace
    from core.workspace import Workspace

    ws = Workspace.open(path)
    start = time.perf_counter()
    pool = metrics_pool_from_workspace(ws, quality="length")
    pool.embeddings = np.asarray(pool.embeddings)  # the dashboard keeps it in memory
    print(f"workspace {path}: {ws.n_rows:,} rows; inputs (tokens, quality, clusters, kNN) "
          f"loaded or built in {time.perf_counter() - start:.1f}s; kNN graph: "
          f"{'yes' if pool.knn is not None else 'no'}")
    return pool


def balanced_selection(labels: np.ndarray, k: int, seed: int) -> np.ndarray:
    """Round-robin over clusters in random order: a realistic diverse selection."""
    rng = np.random.default_rng(seed)
    order = rng.permutation(labels.size)
    rank_in_cluster = np.zeros(labels.size, dtype=np.int64)
    seen: dict[int, int] = {}
    for pos in order:
        c = int(labels[pos])
        rank_in_cluster[pos] = seen.get(c, 0)
        seen[c] = rank_in_cluster[pos] + 1
    return order[np.lexsort((np.arange(order.size), rank_in_cluster[order]))][:k]


def _time(label: str, fn, rows: list) -> object:
    start = time.perf_counter()
    out = fn()
    rows.append((label, time.perf_counter() - start))
    return out


def per_measure(pool: MetricsPool, idx: np.ndarray) -> None:
    rows: list[tuple[str, float]] = []
    x = pool.embeddings
    _time("max-similarity, dense (FL + k-center)", lambda: emb.max_similarity_to_selection(
        x, idx), rows)
    if pool.knn is not None:
        _time("max-similarity, kNN shortcut", lambda: emb.max_similarity_to_selection(
            x, idx, knn=pool.knn), rows)
    _time("mean pairwise distance", lambda: emb.mean_pairwise_cosine_distance(x, idx), rows)
    _time("Vendi (cosine, d x d)", lambda: emb.vendi_score(x, idx), rows)
    _time("Vendi of the pool", lambda: emb.vendi_score(x), rows)
    _time("log det (exp kernel, Cholesky)", lambda: ld.logdet_prefix_curve(x[idx]), rows)
    _time("LDD reference curve (one seed)", lambda: ld.reference_logdet_curve(
        idx.size, x.shape[1], seed=0), rows)
    _time("cluster entropy", lambda: cl.cluster_entropy(pool.cluster_labels, idx), rows)
    _time("DaaR inter/intra", lambda: cl.domain_diversity(
        x, pool.cluster_labels, pool.cluster_centroids, idx), rows)
    for side, tok in pool.texts.items():
        _time(f"distinct-1/2/3 ({side})", lambda t=tok: tx.distinct_n(t, idx), rows)
        _time(f"token entropy ({side})", lambda t=tok: tx.token_entropy(t, idx), rows)
        _time(f"compression ratio ({side})", lambda t=tok: tx.compression_ratio(t.texts, idx),
              rows)
        _time(f"Self-BLEU, 500 sampled ({side})", lambda t=tok: tx.self_bleu(t, idx), rows)
    _time("quality stats", lambda: quality_stats(pool.quality, idx), rows)
    print(f"\nper measure, selection only (k = {idx.size:,}):")
    for label, seconds in rows:
        print(f"  {label:<42} {seconds:7.3f}s")


def full_report(pool: MetricsPool, label: str, idx: np.ndarray, families) -> float:
    timings: dict[str, float] = {}
    start = time.perf_counter()
    compute_all_metrics(pool, idx, MetricsOptions(families=families), timings=timings)
    total = time.perf_counter() - start
    parts = ", ".join(f"{k} {v:.2f}" for k, v in timings.items() if v >= 0.01)
    print(f"  {label:<44} {total:6.2f}s   ({parts})")
    return total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workspace")
    parser.add_argument("--synthetic", action="store_true")
    parser.add_argument("--rows", type=int, default=50_000)
    parser.add_argument("--k", type=int, default=5_000)
    parser.add_argument("--strategy", default=None,
                        help="with --workspace: measure this strategy's selection (e.g. qdit, "
                        "dpp; run first, not timed) instead of a cluster-balanced one")
    parser.add_argument("--threads", type=int, default=None,
                        help="BLAS threads (default: the library's own, 2 here); 1 is often "
                        "faster when other processes compete for the cores")
    args = parser.parse_args()
    if args.threads:
        from threadpoolctl import threadpool_limits

        threadpool_limits(args.threads)
    print(f"metrics benchmark on {cpu_note()}, BLAS threads {args.threads or 'default'} "
          "(figures are noisy when other jobs run)")
    if args.workspace and not args.synthetic:
        pool = workspace_pool(args.workspace)
    else:
        pool, _ = synthetic_pool(args.rows, 384)
    idx = balanced_selection(pool.cluster_labels, args.k, seed=1)
    if args.strategy and args.workspace:
        from core.select.request import SelectionRequest
        from core.select.run import run_selection
        from core.workspace import Workspace

        start = time.perf_counter()
        idx = run_selection(Workspace.open(args.workspace), SelectionRequest(args.strategy, args.k,
                            quality="length")).indices
        print(f"{args.strategy} selection of {args.k:,} made in "
              f"{time.perf_counter() - start:.1f}s (not part of the figures below)")
    other = balanced_selection(pool.cluster_labels, args.k, seed=2)
    nearby = balanced_selection(pool.cluster_labels, args.k + 100, seed=3)
    per_measure(pool, idx)
    pool.cache = MemoryArrayCache()
    print(f"\nfull report: selection + pool + random baseline (3 seeds), k = {args.k:,}")
    full_report(pool, "cold (empty cache), without Self-BLEU", idx, FAST)
    full_report(pool, "warm: another selection, same k", other, FAST)
    full_report(pool, f"warm: k = {args.k + 100:,} (same 1,024 block)", nearby, FAST)
    full_report(pool, "Self-BLEU only (selection, pool, random)", idx, ("self_bleu",))


if __name__ == "__main__":
    main()
