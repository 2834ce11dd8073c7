"""QD Explorer engine: pools, embeddings, kNN graph, map, quality, selection, metrics, export.

The engine never imports streamlit (ruff's banned-api rule TID251 enforces it); the dashboard
in ``app.py``/``pages/`` and the CLI in ``core.cli`` are thin adapters over the same calls.
"""

__version__ = "0.1.0"

import os as _os

# OpenMP threads (torch's libgomp) otherwise spin for a while after each parallel region and
# starve OpenBLAS's threads on a small machine: on 2 cores the metrics of one slider move
# (Vendi's eigvalsh, log det's Cholesky) took 2.6 s instead of 0.65 s. Set before torch
# loads; a user's own setting wins.
_os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
