"""Embeddings: one protocol, several backends, chosen by name.

``create_embedder(name)``: ``tfidf`` (TF-IDF + SVD), ``hashing`` (deterministic, for
tests), or a sentence-transformers model name / local folder (default all-MiniLM-L6-v2,
packaged offline). Bring-your-own vectors go through ``load_vectors``.
"""

from __future__ import annotations

from typing import Any

from core.embed.base import Embedder, ProgressFn, l2_normalise
from core.embed.hashing import HashingEmbedder
from core.embed.sentence import DEFAULT_MODEL, SentenceTransformerEmbedder
from core.embed.tfidf import TfidfSvdEmbedder
from core.embed.vectors import load_vectors

FIELDS = ("instruction", "response", "both")

__all__ = ["DEFAULT_MODEL", "FIELDS", "Embedder", "HashingEmbedder", "ProgressFn",
           "SentenceTransformerEmbedder", "TfidfSvdEmbedder", "create_embedder",
           "l2_normalise", "load_vectors"]


def create_embedder(name: str = DEFAULT_MODEL, **options: Any) -> Embedder:
    """An embedder by name: ``tfidf``, ``hashing`` or a sentence-transformers model/path."""
    key = (name or DEFAULT_MODEL).strip()
    if key.lower() in ("tfidf", "tf-idf", "lsa"):
        return TfidfSvdEmbedder(**options)
    if key.lower() in ("hashing", "hash", "deterministic"):
        return HashingEmbedder(**options)
    return SentenceTransformerEmbedder(key, **options)
