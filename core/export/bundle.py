"""Export a saved selection as a bundle folder: the data file plus what explains and
rebuilds it.

    out/
      NAME.json | .jsonl | .parquet | .csv | NAME/   the rows, rank order (formats.py)
      manifest.json            how it was made, ids, metrics, timings (manifest.py)
      selection.parquet        id, row, rank, gain, objective, quality, cluster, x, y and
                               the explanation columns (core.explain): coverage_part,
                               quality_part, represents, cluster_name, closest_ids,
                               closest_similarity
      dataset_info.json        LLaMA-Factory entry (snippets.py)
      axolotl_datasets.yaml    Axolotl ``datasets:`` stanza (snippets.py)
      README.md                dataset card (card.py)

``export_selection`` builds the folder in a hidden sibling and renames it into place
(paths.py): a failure at any step leaves nothing at ``out``.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from core.export import card, snippets
from core.export.formats import data_file_name, format_spec, write_data
from core.export.manifest import build_manifest, selection_metrics
from core.export.paths import (
    MANIFEST_NAME,
    check_output_dir,
    place_dir,
    safe_stem,
    staging_dir,
)
from core.quality import workspace_quality

SELECTION_TABLE = "selection.parquet"
LLAMA_FACTORY_FILE = "dataset_info.json"
AXOLOTL_FILE = "axolotl_datasets.yaml"
CARD_FILE = "README.md"


@dataclass
class ExportResult:
    """What ``export_selection`` wrote."""

    out: Path                 # the bundle folder
    data_path: Path           # the data file (a folder for hf)
    files: list[str]          # names inside the bundle
    rows: int
    format: str
    seconds: float
    manifest: dict[str, Any]


def selected_frame(ws, result) -> pd.DataFrame:
    """The canonical pool rows of ``result`` in rank order (index 0..k-1)."""
    return ws.pool_frame().iloc[np.asarray(result.indices, dtype=np.int64)].reset_index(
        drop=True)


def selection_table(ws, result, ids: list[str], quality: np.ndarray | None) -> pd.DataFrame:
    """id, row (pool row), rank, gain, objective, quality (``quality``: the selection's
    score per pool row, rank-normalised to [0, 1]; missing for "none"), cluster (k-means of
    the current embedding, as the metrics use), x / y (UMAP map; missing when not built)."""
    idx = np.asarray(result.indices, dtype=np.int64)
    k = len(idx)
    missing = pd.array([None] * k, dtype="Float64")
    table = pd.DataFrame({
        "id": pd.array(ids, dtype="string"), "row": idx,
        "rank": np.arange(k, dtype=np.int32), "gain": np.asarray(result.gains, np.float64),
        "objective": np.asarray(result.objective_trace, np.float64),
        "quality": missing if quality is None else pd.array(quality[idx], dtype="Float64"),
        "cluster": pd.array([None] * k, dtype="Int32")})
    coords = None
    if ws.embedding_info() is not None:
        labels, _ = ws.clusters()
        table["cluster"] = pd.array(np.asarray(labels)[idx], dtype="Int32")
        coords = ws.map_coords("umap")
    table["x"] = missing if coords is None else pd.array(coords[idx, 0], dtype="Float64")
    table["y"] = missing if coords is None else pd.array(coords[idx, 1], dtype="Float64")
    return add_explanation(ws, result, table)


def add_explanation(ws, result, table: pd.DataFrame) -> pd.DataFrame:
    """The per-pick explanation columns of core.explain (gain = coverage_part +
    quality_part; represents is missing when the pool has no embeddings)."""
    from core.explain import explain_selection

    exp = explain_selection(ws, result)
    picks = exp.picks
    table["coverage_part"] = picks["coverage_part"].to_numpy()
    table["quality_part"] = picks["quality_part"].to_numpy()
    represents = [None] * len(table) if exp.similarity == "none" else picks["represents"]
    table["represents"] = pd.array(list(represents), dtype="Int64")
    table["cluster_name"] = pd.array(picks["cluster"].tolist(), dtype="string")
    table["closest_ids"] = picks["closest_ids"].tolist()
    table["closest_similarity"] = picks["closest_similarity"].tolist()
    return table


def quality_summary(quality: np.ndarray | None, indices) -> dict[str, Any]:
    """Mean and median of the selection's own quality score (rank-normalised to [0, 1], as
    the strategies see it) over the picks and over the pool."""
    if quality is None:
        return {"normalised": None}
    picks = quality[np.asarray(indices, dtype=np.int64)]
    return {"normalised": "rank, [0, 1]",
            "selection_mean": float(picks.mean()), "selection_median": float(np.median(picks)),
            "pool_mean": float(quality.mean()), "pool_median": float(np.median(quality))}


def _multi_turn_rows(frame: pd.DataFrame) -> int:
    return int(frame["conversation"].notna().sum())


def _data_sha256(path: Path) -> str | None:
    # The same fingerprint load_pool records, so a re-loaded export can be matched to it.
    from core.pool import _source_fingerprint

    return _source_fingerprint(str(path))[0]


def write_bundle(ws, name: str, result, fmt: str, folder: Path, *, bundle_name: str,
                 axolotl_path: str, include_extras: bool = True, compute_metrics: bool = True
                 ) -> dict[str, Any]:
    """Write every bundle file of selection ``name`` into the existing folder ``folder``;
    returns the manifest. ``bundle_name``: the folder's final name (the card cites it);
    ``axolotl_path``: the data path the Axolotl stanza names."""
    started = time.perf_counter()
    stem = safe_stem(name)
    data_name = data_file_name(stem, fmt)
    frame = selected_frame(ws, result)
    ids = frame["id"].astype(str).tolist()
    columns = write_data(frame, fmt, folder / data_name, include_extras=include_extras)
    data_done = time.perf_counter()
    metrics, metrics_info = selection_metrics(ws, name, result, compute=compute_metrics)
    metrics_done = time.perf_counter()
    quality = workspace_quality(ws, result.config.get("quality"))
    selection_table(ws, result, ids, quality).to_parquet(folder / SELECTION_TABLE, index=False)
    (folder / LLAMA_FACTORY_FILE).write_text(
        snippets.dataset_info_json(stem, fmt, data_name, columns), encoding="utf-8")
    note = (f"Axolotl datasets stanza for {data_name} (selection '{name}', {len(ids):,} rows), "
            "written by QD Explorer.\nPaste it into your Axolotl config; the path is "
            + ("absolute." if Path(axolotl_path).is_absolute() else
               "relative to the bundle folder: run from there or make it absolute."))
    multi_turn = _multi_turn_rows(frame)
    (folder / AXOLOTL_FILE).write_text(
        snippets.axolotl_yaml(fmt, axolotl_path, note=note, multi_turn_rows=multi_turn),
        encoding="utf-8")
    export = {"format": fmt, "data_file": data_name, "columns": columns, "rows": len(ids),
              "dataset_name": stem, "include_extras": include_extras,
              "multi_turn_rows": multi_turn,
              "axolotl_refused": snippets.axolotl_refusal(fmt, multi_turn),
              "data_sha256": _data_sha256(folder / data_name),
              "files": [data_name, MANIFEST_NAME, SELECTION_TABLE, LLAMA_FACTORY_FILE,
                        AXOLOTL_FILE, CARD_FILE]}
    timings = {"export_data": round(data_done - started, 4),
               "export_metrics": round(metrics_done - data_done, 4)}
    manifest = build_manifest(ws, name, result, ids, export=export, metrics=metrics,
                              metrics_info=metrics_info, timings=timings)
    manifest["quality"].update(quality_summary(quality, result.indices))
    (folder / CARD_FILE).write_text(card.dataset_card(manifest, bundle_name), encoding="utf-8")
    manifest["timings"]["export_total"] = round(time.perf_counter() - started, 4)
    (folder / MANIFEST_NAME).write_text(
        json.dumps(manifest, ensure_ascii=False, indent=2, default=_json_default) + "\n",
        encoding="utf-8")
    return manifest


def _json_default(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    return str(value)


def export_selection(ws, selection: str, fmt: str, out: str | Path, *, force: bool = False,
                     include_extras: bool = True, compute_metrics: bool = True
                     ) -> ExportResult:
    """Export the saved ``selection`` of workspace ``ws`` as ``fmt`` into the bundle folder
    ``out`` (see the module docstring). InputError (one line) for an unknown format or
    selection, an output inside the workspace, or an existing output without ``force``.
    Metrics come from the workspace cache or are computed and cached
    (``compute_metrics=False`` skips that when nothing is cached)."""
    started = time.perf_counter()
    format_spec(fmt)
    result = ws.load_selection(selection)
    target = check_output_dir(out, workspace_root=ws.root, force=force)
    with staging_dir(target) as staged:
        data_name = data_file_name(safe_stem(selection), fmt)
        manifest = write_bundle(ws, selection, result, fmt, staged, bundle_name=target.name,
                                axolotl_path=str(target / data_name),
                                include_extras=include_extras, compute_metrics=compute_metrics)
        place_dir(staged, target, replace=force)
    return ExportResult(out=target, data_path=target / data_name,
                        files=manifest["export"]["files"], rows=result.k, format=fmt,
                        seconds=time.perf_counter() - started, manifest=manifest)
