"""Export a saved selection as training-ready data plus a manifest that rebuilds it.

- ``export_selection(ws, name, fmt, out, force=)``: the bundle folder (``bundle``);
- ``export_bytes(ws, name, fmt)`` / ``export_bundle_zip``: the same data file / the whole
  bundle in memory, for the dashboard's download buttons (``download``);
- ``reproduce_manifest(manifest, ws)``: re-run from manifest.json and compare ids
  (``reproduce``).

Formats (``FORMATS``): alpaca, sharegpt, openai, jsonl, parquet, csv, hf; every one reads
back through ``core.pool.load_pool`` to the same ids and text (``records``, ``formats``).
Output paths are checked and written atomically (``paths``).
"""

from core.export.bundle import ExportResult, export_selection
from core.export.download import export_bundle_zip, export_bytes
from core.export.formats import FORMATS, format_records, write_data
from core.export.reproduce import ReproduceReport, read_manifest, reproduce_manifest

__all__ = ["FORMATS", "ExportResult", "ReproduceReport", "export_bundle_zip", "export_bytes",
           "export_selection", "format_records", "read_manifest", "reproduce_manifest",
           "write_data"]
