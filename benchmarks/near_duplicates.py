"""Near-duplicate detection on the 50,000-row pool: time, and precision / recall against
planted edited copies (a word dropped, or two words swapped) of real rows.

    python benchmarks/near_duplicates.py [--workspace bench-out/pool50k] [--rows 50000]
        [--planted 500] [--threshold 0.8]

Without --workspace it gathers the rows as benchmarks/build_pool50k.py does (no embedding
needed for MinHash) and loads them into a workspace under /tmp. The planted copies are
made from rows of at least 60 words not already in a near-duplicate pair, and appended.
With an embedded workspace it also times the embedding method (the kNN graph is reused).
"""

from __future__ import annotations

import argparse
import json
import random
import tempfile
import time
from pathlib import Path

from _common import cpu_note, peak_rss_mib
from build_pool50k import gather

from core.pool import load_pool
from core.pool.near_duplicates import minhash_pairs
from core.workspace import Workspace
from core.workspace.near_duplicates import find_near_duplicates


def edited(text: str, rng: random.Random, kind: str) -> str:
    words = text.split()
    if kind == "drop":
        del words[rng.randrange(len(words))]
    else:
        i, j = rng.sample(range(len(words)), 2)
        words[i], words[j] = words[j], words[i]
    return " ".join(words)


def build_workspace(rows: int, root: Path) -> Workspace:
    src = root / "pool.jsonl"
    with src.open("w", encoding="utf-8") as fh:
        for rec in gather(int(rows * 1.02), 0):
            fh.write(json.dumps(rec, ensure_ascii=False) + "\n")
    loaded = load_pool(src)
    loaded.frame = loaded.frame.head(rows)
    loaded.info.rows = len(loaded.frame)
    from core.pool.canonical import frame_key

    loaded.info.pool_key = frame_key(loaded.frame)
    return Workspace.create(root / "ws", loaded)


def planted_recall(texts: list[str], existing: set[int], n: int, threshold: float
                   ) -> tuple[float, float, int]:
    """Recall and precision of the planted pairs among all pairs touching a planted row."""
    rng = random.Random(0)
    eligible = [i for i, t in enumerate(texts) if i not in existing and len(t.split()) >= 60]
    sources = rng.sample(eligible, n)
    copies = [edited(texts[s], rng, "drop" if k % 2 == 0 else "swap")
              for k, s in enumerate(sources)]
    pairs, _ = minhash_pairs(texts + copies, threshold)
    expected = {(s, len(texts) + k) for k, s in enumerate(sources)}
    touching = {tuple(p) for p in pairs.tolist() if p[1] >= len(texts)}
    hit = len(touching & expected)
    return hit / len(expected), hit / max(len(touching), 1), len(eligible)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--workspace")
    ap.add_argument("--rows", type=int, default=50_000)
    ap.add_argument("--planted", type=int, default=500)
    ap.add_argument("--threshold", type=float, default=0.8)
    args = ap.parse_args()
    print(f"# {cpu_note()}")
    tmp = tempfile.TemporaryDirectory(prefix="qdx-neardup-")
    ws = Workspace.open(args.workspace) if args.workspace else \
        build_workspace(args.rows, Path(tmp.name))
    print(f"pool: {ws.n_rows:,} rows")
    t, cpu = time.perf_counter(), time.process_time()
    found = find_near_duplicates(ws, "minhash", args.threshold)
    cold, cold_cpu = time.perf_counter() - t, time.process_time() - cpu
    t = time.perf_counter()
    find_near_duplicates(ws, "minhash", args.threshold)
    warm = time.perf_counter() - t
    info = found.to_dict()
    print(f"minhash (threshold {args.threshold}, 3-word shingles, 128 permutations): "
          f"{cold:.1f} s cold ({cold_cpu:.1f} s of CPU: the wall time on a free core), "
          f"{warm:.2f} s cached; {info['n_pairs']:,} pairs, "
          f"{info['n_groups']:,} groups, {info['n_dropped']:,} rows to drop")
    if ws.embedding_info() is not None:
        t = time.perf_counter()
        emb = find_near_duplicates(ws, "embedding", 0.95).to_dict()
        print(f"embedding (cosine 0.95, kNN graph reused): {time.perf_counter() - t:.1f} s; "
              f"{emb['n_pairs']:,} pairs, {emb['n_groups']:,} groups")
    texts = ws.texts("both")
    existing = set(found.pairs.ravel().tolist())
    t = time.perf_counter()
    recall, precision, eligible = planted_recall(texts, existing, args.planted, args.threshold)
    print(f"planted: {args.planted} edited copies (half a word dropped, half two words "
          f"swapped) of rows with >= 60 words ({eligible:,} eligible): recall {recall:.3f}, "
          f"precision {precision:.3f} ({time.perf_counter() - t:.1f} s)")
    print(f"peak RSS {peak_rss_mib():,.0f} MiB")


if __name__ == "__main__":
    main()
