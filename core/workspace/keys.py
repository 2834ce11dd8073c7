"""Artifact keys: short hashes of the inputs and the config that made an artifact."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from typing import Any


def config_key(*parts: Any) -> str:
    """16-hex sha256 of JSON-encoded parts (dict keys sorted)."""
    blob = json.dumps(parts, sort_keys=True, default=str, separators=(",", ":")).encode()
    return hashlib.sha256(blob).hexdigest()[:16]


def texts_key(texts: Iterable[str]) -> str:
    """16-hex sha256 over a sequence of texts (order matters)."""
    digest = hashlib.sha256()
    for text in texts:
        data = (text or "").encode("utf-8")
        digest.update(len(data).to_bytes(8, "little"))
        digest.update(data)
    return digest.hexdigest()[:16]


def file_sha256(path, block: int = 1 << 20) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(block), b""):
            digest.update(chunk)
    return digest.hexdigest()
