"""``python -m core embed --workspace DIR``: embed the pool (resumable, cached by key)."""

from __future__ import annotations

import json
import time

from core.cli.progress import Progress, progress_bar
from core.distributed.cli import add_executor_arguments, embed_on_ray, wants_ray
from core.embed import DEFAULT_MODEL, FIELDS, create_embedder, load_vectors
from core.workspace import Workspace


def add_parser(sub) -> None:
    p = sub.add_parser("embed", help="embed the pool's texts",
                       description="Embed the pool with a sentence-transformers model (default "
                       f"{DEFAULT_MODEL}, offline), TF-IDF+SVD ('tfidf'), or your own vectors "
                       "(--from-npy). Interrupted runs resume; finished ones are cached.")
    p.add_argument("--workspace", required=True, help="workspace directory (from `load`)")
    p.add_argument("--model", default=DEFAULT_MODEL,
                   help="model name or local folder, 'tfidf', or 'hashing' (tests)")
    p.add_argument("--field", default="instruction", choices=FIELDS,
                   help="text to embed: instruction (+ input), response, or both")
    p.add_argument("--from-npy", help="use this (n x d) .npy matrix instead of a model")
    p.add_argument("--max-seq-length", type=int, default=None,
                   help="tokens per text for transformer models (default: the model's own "
                   "setting, 256 for MiniLM)")
    p.add_argument("--batch-size", type=int, default=64,
                   help="texts per forward pass of a transformer model (default 64)")
    p.add_argument("--quantize", action="store_true",
                   help="int8 dynamic quantization of a transformer model (faster on CPU)")
    p.add_argument("--json", action="store_true", help="print one JSON object (the embedding's "
                   "record: model, field, dim, key, sha256, rows, seconds)")
    add_executor_arguments(p, "number of output shards (default: 4,096 rows each)")
    p.set_defaults(func=run)


def embedder_options(args) -> dict:
    """create_embedder options from the arguments (none for tfidf and hashing)."""
    if args.model.lower() in ("tfidf", "tf-idf", "lsa", "hashing", "hash", "deterministic"):
        return {}
    options = {"batch_size": args.batch_size, "quantize": args.quantize}
    if args.max_seq_length:
        options["max_seq_length"] = args.max_seq_length
    return options


def make_embedder(args):
    return create_embedder(args.model, **embedder_options(args))


def run(args) -> int:
    ws = Workspace.open(args.workspace)
    started = time.perf_counter()
    if wants_ray(args):
        update, close = progress_bar(f"embedding on Ray ({args.model}, {args.field})", "shards")
        try:
            meta = embed_on_ray(ws, args, args.model, embedder_options(args), update)
        finally:
            close()
    elif args.from_npy:
        meta = ws.use_vectors(load_vectors(args.from_npy, ws.n_rows), args.from_npy)
    else:
        progress = Progress(f"embedding ({args.model}, {args.field})")
        try:
            meta = ws.embed(make_embedder(args), args.field, progress=progress,
                            status=progress.status)
        finally:
            progress.close()
    seconds = time.perf_counter() - started
    if args.json:
        print(json.dumps({**meta, "wall_seconds": round(seconds, 3)}, default=str))
    else:
        print(f"embedded {meta['rows']:,} rows with {meta['model']} ({meta['field']}), "
              f"dim {meta['dim']}, in {seconds:.1f}s")
    return 0
