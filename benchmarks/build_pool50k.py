"""Build the 50,000-row benchmark pool and its workspace (MiniLM embeddings, kNN, UMAP).

The pool mixes every family in ../shared/data: 25,000 rows sampled from the Alpaca
subsets, Dolly, GSM8K, Code Alpaca and GPTeacher, and 25,000 from the T0 per-template files
(the bulk, with the template name as a label). Rows carry `dataset` (source family) and
`template` (T0 template or the family) columns for cluster-entropy checks.

    python benchmarks/build_pool50k.py [--out bench-out/pool50k] [--rows 50000] [--model NAME]

Embedding is resumable: run it again after an interruption and finished chunks are kept.
Other benchmarks take `--workspace bench-out/pool50k`.
"""

from __future__ import annotations

import argparse
import json
import random
import time
from pathlib import Path

from _common import ROOT, SHARED_DATA, cpu_note

from core.embed import create_embedder
from core.pool import load_pool
from core.prepare import prepare_selection_inputs
from core.workspace import Workspace

FAMILIES = {
    "alpaca": ["alpaca/alpaca_5000.json", "alpaca/alpagasus_random_9k.json",
               "alpaca/alpagasus_claude_t45.json", "alpaca/alpagasus_helpfulness_t45.json"],
    "dolly": ["dolly/alpagasus_dolly_3k.json"],
    "gsm8k": ["gsm8k/train.jsonl", "gsm8k/test.jsonl"],
    "code": ["codealpaca/code_alpaca_2k.json", "gpteacher/codegen-instruct.json"],
    "roleplay": ["gpteacher/roleplay-simple-deduped-roleplay-instruct.json"],
    "toolformer": ["gpteacher/toolformer-dedupe-only-dataset.json"],
}


def gather(rows: int, seed: int) -> list[dict]:
    rng = random.Random(seed)
    mixed: list[dict] = []
    for family, files in FAMILIES.items():
        for rel in files:
            frame = load_pool(SHARED_DATA / rel).frame
            for rec in frame.itertuples():
                mixed.append({"instruction": rec.instruction, "input": rec.input,
                              "output": rec.response, "dataset": family, "template": family})
    t0_dir = SHARED_DATA / "t0_train_50k" / "data_per_template"
    t0: list[dict] = []
    for path in sorted(t0_dir.glob("*.jsonl")):
        if path.stat().st_size == 0:  # a few template files in the snapshot are empty
            continue
        frame = load_pool(path).frame
        for rec in frame.itertuples():
            t0.append({"instruction": rec.instruction, "input": "", "output": rec.response,
                       "dataset": "t0", "template": path.stem})
    rng.shuffle(mixed)
    rng.shuffle(t0)
    half = rows // 2
    out = mixed[:half] + t0[: rows - min(half, len(mixed))]
    rng.shuffle(out)
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default=str(ROOT / "bench-out" / "pool50k"))
    ap.add_argument("--rows", type=int, default=50_000)
    ap.add_argument("--model", default="all-MiniLM-L6-v2")
    ap.add_argument("--field", default="instruction")
    ap.add_argument("--max-seq-length", type=int, default=128,
                    help="MiniLM token cap (128, what the model was trained with, halves the "
                    "time on T0's long passages; 256 is the model's default)")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    out = Path(args.out)
    src = out.with_suffix(".jsonl")
    print(f"# {cpu_note()}")
    if not src.exists():
        # A few extra rows so that exact duplicates across files still leave `rows` rows.
        records = gather(int(args.rows * 1.02), args.seed)
        src.parent.mkdir(parents=True, exist_ok=True)
        tmp = src.with_suffix(".tmp")
        with tmp.open("w", encoding="utf-8") as fh:
            for rec in records:
                fh.write(json.dumps(rec, ensure_ascii=False) + "\n")
        tmp.rename(src)
    if Workspace.is_workspace(out):
        ws = Workspace.open(out)
    else:
        loaded = load_pool(src)
        loaded.frame = loaded.frame.head(args.rows)
        loaded.info.rows = len(loaded.frame)
        from core.pool.canonical import frame_key

        loaded.info.pool_key = frame_key(loaded.frame)
        ws = Workspace.create(out, loaded)
    print(f"pool: {ws.n_rows:,} rows")
    t = time.perf_counter()
    last = [0.0]

    def progress(done, total):
        now = time.perf_counter()
        if now - last[0] > 30 or done == total:
            last[0] = now
            rate = done / max(now - t, 1e-9)
            print(f"  embedded {done:,}/{total:,} ({rate:.0f}/s)", flush=True)
        return True

    options = {} if args.model in ("tfidf", "hashing") else {"max_seq_length": args.max_seq_length}
    meta = ws.embed(create_embedder(args.model, **options), args.field, progress=progress)
    print(f"embedding: {meta['model']} dim {meta['dim']} in {time.perf_counter() - t:.0f}s "
          f"(resumed chunks: {meta.get('resumed_chunks', 0)})")
    t = time.perf_counter()
    graph = ws.knn()
    print(f"kNN graph k={graph.k} exact={graph.exact}: {time.perf_counter() - t:.1f}s")
    t = time.perf_counter()
    ws.build_map("umap")
    print(f"UMAP: {time.perf_counter() - t:.1f}s")
    # What `python -m core map` builds after the map (clusters, names, quality, tokens, the
    # pool's own figures, near-duplicate pairs), so the dashboard's first visits read them.
    seconds = prepare_selection_inputs(ws)
    print("for selection: " + "; ".join(f"{label} {s:.1f}s" for label, s in seconds.items()))
    print(f"workspace ready: {out}")


if __name__ == "__main__":
    main()
