"""Bring-your-own vectors: a .npy matrix the user computed elsewhere."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from core.embed.base import l2_normalise
from core.errors import InputError


def load_vectors(path: str, n_rows: int) -> np.ndarray:
    """Read ``path`` (.npy, shape (n_rows, d), finite numbers) and L2-normalise its rows."""
    p = Path(path).expanduser()
    if not p.is_file():
        raise InputError("file not found; expected a .npy matrix", file=path)
    try:
        x = np.load(p, mmap_mode="r", allow_pickle=False)
    except (ValueError, OSError) as exc:
        raise InputError(f"not a readable .npy file ({' '.join(str(exc).split())[:120]})",
                         file=path) from None
    if x.ndim != 2:
        raise InputError(f"has shape {tuple(x.shape)}; expected a 2-D matrix ({n_rows}, dim)",
                         file=path)
    if x.shape[0] != n_rows:
        raise InputError(f"has {x.shape[0]} rows; expected {n_rows}, one per pool row in pool "
                         "order", file=path)
    if not np.issubdtype(x.dtype, np.number) or np.issubdtype(x.dtype, np.complexfloating):
        raise InputError(f"has dtype {x.dtype}; expected real numbers", file=path)
    x = np.asarray(x, dtype=np.float32)
    bad = ~np.isfinite(x).all(axis=1)
    if bad.any():
        raise InputError(f"row {int(np.argmax(bad))} holds NaN or infinity ({int(bad.sum())} rows "
                         "in all); expected finite numbers", file=path)
    norms = np.linalg.norm(x, axis=1)
    if (norms == 0).any():
        raise InputError(f"row {int(np.argmax(norms == 0))} is all zeros; expected non-zero "
                         "vectors (cosine needs a direction)", file=path)
    return l2_normalise(x)
