"""Embedding speed: examples/second for MiniLM (plain call vs our settings) and TF-IDF,
cosine agreement of each faster setting with the plain call, and the time to reopen a
workspace whose artifacts are cached.

    python benchmarks/embed.py [--rows 5000] [--field both]
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time

import numpy as np
from _common import cpu_note, shared_data

from core.embed import SentenceTransformerEmbedder, create_embedder
from core.pool import load_pool
from core.text import prompt_text
from core.workspace import Workspace


def texts_of(frame, field: str) -> list[str]:
    prompts = [prompt_text(i, x) for i, x in zip(frame["instruction"], frame["input"], strict=True)]
    if field == "instruction":
        return prompts
    if field == "response":
        return frame["response"].tolist()
    return [f"{p}\n\n{r}" for p, r in zip(prompts, frame["response"], strict=True)]


def plain_call(texts: list[str]) -> tuple[np.ndarray, float]:
    """What a user would write: SentenceTransformer.encode, batch 64, max length 256."""
    emb = SentenceTransformerEmbedder(max_seq_length=256)
    model = emb.load()
    t = time.perf_counter()
    out = model.encode(texts, batch_size=64, normalize_embeddings=True, show_progress_bar=False)
    return np.asarray(out, dtype=np.float32), time.perf_counter() - t


def ours(texts: list[str], **options) -> tuple[np.ndarray, float]:
    emb = SentenceTransformerEmbedder(**options)
    emb.load()
    t = time.perf_counter()
    out = emb.embed(texts)
    return out, time.perf_counter() - t


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=5000)
    ap.add_argument("--field", default="both", choices=["instruction", "response", "both"])
    ap.add_argument("--variants", default="len256,len128,int8-len256,int8-len128")
    args = ap.parse_args()
    frame = load_pool(shared_data("alpaca/alpaca_5000.json")).frame.head(args.rows)
    texts = texts_of(frame, args.field)
    print(f"# {len(texts):,} rows of alpaca_5000.json, field={args.field}; {cpu_note()}")
    base, base_s = plain_call(texts)
    print(f"plain encode (batch 64, max 256)       {len(texts) / base_s:8.1f} ex/s  "
          f"({base_s:.1f}s)")
    variants = {"len256": {"max_seq_length": 256}, "len128": {"max_seq_length": 128},
                "int8-len256": {"max_seq_length": 256, "quantize": True},
                "int8-len128": {"max_seq_length": 128, "quantize": True}}
    results = {"plain": {"ex_per_s": len(texts) / base_s}}
    for name in args.variants.split(","):
        vecs, secs = ours(texts, **variants[name])
        cos = np.sum(vecs * base, axis=1)
        results[name] = {"ex_per_s": len(texts) / secs, "speedup": base_s / secs,
                         "cos_mean": float(cos.mean()), "cos_p01": float(np.quantile(cos, 0.01)),
                         "cos_min": float(cos.min())}
        print(f"ours {name:<14} (length-sorted)     {len(texts) / secs:8.1f} ex/s  "
              f"x{base_s / secs:4.2f}  cosine to plain: mean {cos.mean():.4f}, "
              f"1st pct {np.quantile(cos, 0.01):.4f}, min {cos.min():.4f}")
    tfidf = create_embedder("tfidf")
    t = time.perf_counter()
    tfidf.embed(texts)
    tf_s = time.perf_counter() - t
    results["tfidf"] = {"ex_per_s": len(texts) / tf_s}
    print(f"tfidf + svd (fit + transform)          {len(texts) / tf_s:8.1f} ex/s  ({tf_s:.1f}s)")

    with tempfile.TemporaryDirectory() as tmp:
        ws = Workspace.create(f"{tmp}/ws", load_pool(shared_data("alpaca/alpaca_5000.json")))
        ws.embed(create_embedder("tfidf"), "both")
        ws.knn()
        ws.build_map("umap")
        t = time.perf_counter()
        again = Workspace.open(f"{tmp}/ws")
        again.pool_frame()
        again.embeddings()
        again.knn()
        coords = again.map_coords("umap")
        reopen = time.perf_counter() - t
        assert coords is not None
    results["reopen_seconds"] = reopen
    print(f"reopen cached workspace (pool, embeddings, kNN, map): {reopen * 1000:.0f} ms")
    print(json.dumps(results, indent=None))


if __name__ == "__main__":
    main()
