"""``python -m core info --workspace DIR [--json]``: what a workspace holds."""

from __future__ import annotations

import json

from core.workspace import Workspace


def add_parser(sub) -> None:
    p = sub.add_parser("info", help="summarise a workspace",
                       description="Say what a workspace holds: the pool's source and counts, "
                       "the embedding, the kNN graph and map, the training tokens per source "
                       "and the saved selections.")
    p.add_argument("--workspace", required=True, help="workspace directory")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.add_argument("--tokenizer", help="count training tokens with this tokenizer (a "
                   "tokenizer.json, a local folder or a transformers name; default: the "
                   "workspace's current one, else the bundled MiniLM WordPiece stand-in)")
    p.set_defaults(func=run)


def run(args) -> int:
    ws = Workspace.open(args.workspace)
    info = ws.info()
    info.update(_composition(ws, args.tokenizer))
    if args.json:
        print(json.dumps(info, default=str))
        return 0
    width = max(len(k) for k in info)
    for key, value in info.items():
        if key == "per_source":
            value = "; ".join(f"{s['source']}: {s['rows']:,} rows, {s['tokens']:,} tokens, "
                              f"quality {s['mean_quality']}" for s in value)
        elif isinstance(value, dict):
            value = ", ".join(f"{k}: {v:,}" for k, v in value.items()) or "-"
        elif isinstance(value, list):
            value = ", ".join(map(str, value)) or "-"
        print(f"{key:<{width}}  {value}")
    return 0


def _composition(ws, tokenizer: str | None) -> dict:
    """Per-source rows / tokens / mean quality, and each saved selection's training tokens."""
    from core.workspace.composition import source_summary
    from core.workspace.tokens import current_tokenizer, token_counts

    counts = token_counts(ws, tokenizer)
    total = counts["instruction_tokens"] + counts["response_tokens"]
    per_selection = {}
    for name in ws.info()["selections"]:
        per_selection[name] = int(total.iloc[ws.load_selection(name).indices].sum())
    return {"tokenizer": current_tokenizer(ws)["label"], "tokens": int(total.sum()),
            "per_source": source_summary(ws).to_dict("records"),
            "selection_tokens": per_selection}
