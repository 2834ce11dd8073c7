"""Reward-model quality ``reward:MODEL``: a Hugging Face sequence-classification model
(a hub name or a local folder) scores each (instruction, response) pair.

Formatting: when the tokenizer has a chat template, the pair is rendered as
``[{"role": "user", "content": prompt}, {"role": "assistant", "content": response}]``
through it (special tokens come from the template); otherwise the tokenizer encodes the
pair as a text pair (``[CLS] prompt [SEP] response [SEP]`` for BERT-like models, which is
how OpenAssistant's DeBERTa reward models were trained). Both sides are truncated together
to ``max_length`` tokens.

The reward is the model's single logit (``num_labels == 1``), or logit[1] - logit[0] for a
two-label classifier (the log-odds of "good"); models with more labels are refused.
Batches run under ``torch.inference_mode``; cost is one forward pass per pair, O(L^2)
attention in the pair's token length L.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from core.errors import InputError

FORMAT_VERSION = "reward-format/v1"
DEFAULT_MAX_LENGTH = 512
DEFAULT_BATCH_SIZE = 8


def model_fingerprint(name: str) -> dict[str, Any]:
    """What identifies the model's weights without loading them: a local folder's resolved
    path and the sha256 of its config and tokenizer files with the weight files' sizes;
    a hub name as given."""
    path = Path(os.path.expanduser(name))
    if not path.is_dir():
        return {"model": name}
    digest = hashlib.sha256()
    for item in sorted(path.iterdir()):
        if not item.is_file():
            continue
        digest.update(item.name.encode() + b"\0")
        if item.suffix in (".json", ".txt", ".model", ".jinja"):
            digest.update(item.read_bytes())
        else:
            digest.update(str(item.stat().st_size).encode())
    return {"model": str(path.resolve()), "files_sha256": digest.hexdigest()[:16]}


class RewardModel:
    """A loaded reward model; ``score(prompts, responses)`` -> float64 (n,)."""

    def __init__(self, name: str, *, max_length: int = DEFAULT_MAX_LENGTH,
                 batch_size: int = DEFAULT_BATCH_SIZE, device: str | None = None) -> None:
        self.name = name
        self.max_length = int(max_length)
        self.batch_size = max(1, int(batch_size))
        self.tokenizer, self.model = _load(name)
        self.device = device or _default_device()
        self.model.to(self.device).eval()
        self.format = "chat_template" if getattr(self.tokenizer, "chat_template", None) \
            else "pair"

    def config(self) -> dict[str, Any]:
        """Everything that changes the rewards (part of the cache key)."""
        return {**model_fingerprint(self.name), "max_length": self.max_length,
                "format": self.format, "version": FORMAT_VERSION}

    def encode(self, prompts: Sequence[str], responses: Sequence[str]):
        """The tokenizer's batch (padded, truncated) for these pairs, in the model's format."""
        tok = self.tokenizer
        kwargs = {"truncation": True, "max_length": self.max_length, "padding": True,
                  "return_tensors": "pt"}
        if self.format == "chat_template":
            texts = [tok.apply_chat_template([{"role": "user", "content": p},
                                              {"role": "assistant", "content": r}],
                                             tokenize=False) for p, r in zip(prompts, responses,
                                                                             strict=True)]
            return tok(texts, add_special_tokens=False, **kwargs)
        return tok(list(prompts), list(responses), **kwargs)

    def score(self, prompts: Sequence[str], responses: Sequence[str],
              progress: Callable[[int, int], Any] | None = None) -> np.ndarray:
        """Rewards (n,) float64, batch by batch; ``progress(done, n)`` after each batch."""
        import torch

        out = np.empty(len(prompts), dtype=np.float64)
        for start in range(0, len(prompts), self.batch_size):
            stop = min(start + self.batch_size, len(prompts))
            batch = self.encode(prompts[start:stop], responses[start:stop]).to(self.device)
            with torch.inference_mode():
                logits = self.model(**batch).logits.float().cpu().numpy()
            out[start:stop] = logits[:, 0] if logits.shape[1] == 1 else logits[:, 1] - logits[:, 0]
            if progress is not None:
                progress(stop, len(prompts))
        return out


def _default_device() -> str:
    import torch

    return "cuda" if torch.cuda.is_available() else "cpu"


def _load(name: str):
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    source = os.path.expanduser(name)
    try:
        tokenizer = AutoTokenizer.from_pretrained(source)
        model = AutoModelForSequenceClassification.from_pretrained(source)
    except (OSError, ValueError, json.JSONDecodeError) as exc:
        first = str(exc).strip().splitlines()[0][:200] if str(exc).strip() else type(exc).__name__
        raise InputError(f"cannot load reward model '{name}' as a sequence classifier: {first}",
                         field="quality") from None
    labels = int(model.config.num_labels)
    if labels not in (1, 2):
        raise InputError(f"model '{name}' has {labels} output labels; a reward model has one "
                         "(or two: bad/good)", field="quality")
    if tokenizer.pad_token is None:  # decoder reward models often lack one
        tokenizer.pad_token = tokenizer.eos_token
        model.config.pad_token_id = tokenizer.pad_token_id
    return tokenizer, model
