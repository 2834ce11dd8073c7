"""QD Explorer engine: pools, embeddings, kNN graph, map, quality, selection, metrics, export.

The engine never imports streamlit (ruff's banned-api rule TID251 enforces it); the dashboard
in ``app.py``/``pages/`` and the CLI in ``core.cli`` are thin adapters over the same calls.
"""

__version__ = "0.1.0"
