"""manifest.json: everything needed to tell, months later, how a subset was made and to
make it again (``python -m core reproduce``).

Sections: ``tool`` (version, git commit), ``created`` (UTC), ``source`` (path, size,
sha256, detected shape and container, row counts), ``embedding`` (model, text field,
dimension, key, sha256 of the matrix file, whether the selection depends on it),
``quality`` (the scorer spec), ``strategy`` (name, every parameter, k, seed, candidate
predicate, must-include rows), ``selection`` (name, ids and pool rows in rank order, the
full run config), ``metrics`` (selection / pool / random baseline, as ``python -m core
metrics``), ``export`` (format, data file, columns) and ``timings``.
"""

from __future__ import annotations

import subprocess
import time
from pathlib import Path
from typing import Any

from core.errors import InputError
from core.export.paths import MANIFEST_MARKER

MANIFEST_VERSION = 1


def git_info(repo: Path | None = None) -> dict[str, Any]:
    """{"commit", "dirty"} of the checkout the engine runs from; None values without git."""
    repo = repo or Path(__file__).resolve().parents[2]
    try:
        head = subprocess.run(["git", "-C", str(repo), "rev-parse", "HEAD"], capture_output=True,
                              text=True, timeout=10, check=False)
        if head.returncode != 0:
            return {"commit": None, "dirty": None}
        status = subprocess.run(["git", "-C", str(repo), "status", "--porcelain",
                                 "--untracked-files=no"], capture_output=True, text=True,
                                timeout=10, check=False)
    except (OSError, subprocess.SubprocessError):
        return {"commit": None, "dirty": None}
    dirty = bool(status.stdout.strip()) if status.returncode == 0 else None
    return {"commit": head.stdout.strip() or None, "dirty": dirty}


def selection_uses_embedding(config: dict[str, Any], n_rows: int) -> bool:
    """Whether the run read the embeddings: directly, through the kNN graph, or through the
    k-means clusters a label-based strategy falls back to without a ``label_column``.
    (``config["embedding"]`` names the workspace's embedding at run time, used or not.)"""
    from core.select.registry import get_strategy

    try:
        strategy = get_strategy(config["strategy"], **(config.get("params") or {}))
    except (InputError, KeyError, TypeError):
        return True  # cannot tell: be strict
    needs = strategy.context_needs(int(n_rows))
    if "quality" in needs and "learned:" in str(config.get("quality") or ""):
        return True  # a learned score is fitted on the embedding
    return bool(needs & {"embeddings", "knn"}) or (
        "labels" in needs and not getattr(strategy, "label_column", None))


def selection_metrics(ws, name: str, result, *, compute: bool = True
                      ) -> tuple[dict | None, dict[str, Any]]:
    """(report, how it was obtained): every measure family, measured with the selection's
    own quality spec and candidate predicate (``core.metrics.stored.full_options``).

    The stored report (``ws.load_metrics_record``) is used when its recorded options hold
    all of that; a partial one (``metrics --families quality``) or one measured otherwise
    (``metrics --quality length``) is recomputed and stored in its place, so a manifest and
    its card never ship a subset or another quality spec. ``compute=False`` leaves metrics
    out rather than ship such a report."""
    from core.metrics.stored import full_options, mismatch

    wanted = full_options(result.config)
    info: dict[str, Any] = {"quality": wanted["quality"], "options": wanted}
    record = ws.load_metrics_record(name)
    why = "nothing was stored" if record is None else mismatch(record[1], wanted)
    if why is None:
        return record[0], {"source": "workspace cache (python -m core metrics or an export)",
                           **info}
    if not compute:
        return None, {"source": "skipped (--no-metrics)" + (
            f"; the stored metrics were not used: {why}" if record is not None else "")}
    if ws.embedding_info() is None:
        return None, {"source": "not computed: the pool is not embedded"}
    from core.metrics import MetricsOptions, compute_all_metrics
    from core.metrics.workspace_pool import metrics_pool_from_workspace

    opts = MetricsOptions(n_random=wanted["n_random"])
    pool = metrics_pool_from_workspace(ws, quality=wanted["quality"], where=wanted["where"])
    report = compute_all_metrics(pool, result.indices, opts)
    ws.save_metrics(name, report, wanted)
    source = "computed" if record is None else f"computed (the stored metrics were not used: {why})"
    return report, {"source": source, **info, "random_seeds": opts.n_random}


def source_record(ws) -> dict[str, Any]:
    info = ws.pool_info
    return {"path": info.get("source"), "size": info.get("source_size"),
            "sha256": info.get("source_sha256"), "shape": info.get("shape"),
            "container": info.get("container"), "records_read": info.get("records_read"),
            "pool_rows": info.get("rows"), "duplicates": info.get("duplicates"),
            "duplicates_dropped": info.get("duplicates_dropped"),
            "bad_lines_skipped": info.get("bad_lines_skipped"),
            "bad_records_skipped": info.get("bad_records_skipped"),
            "column_mapping": info.get("column_mapping"), "pool_key": info.get("pool_key")}


def embedding_record(ws, uses: bool) -> dict[str, Any] | None:
    info = ws.embedding_info()
    if info is None:
        return None
    keep = ("model", "field", "dim", "rows", "key", "sha256", "config")
    return {**{k: info.get(k) for k in keep}, "used_by_selection": bool(uses)}


def strategy_record(config: dict[str, Any]) -> dict[str, Any]:
    return {"name": config.get("strategy"), "params": config.get("params") or {},
            "k": config.get("k"), "seed": config.get("seed"), "where": config.get("where"),
            "must_include": config.get("must_include") or [],
            "restrict_ids": config.get("restrict_ids"),
            "exclude_ids": config.get("exclude_ids") or [],
            "n_candidates": config.get("n_candidates"), "info": config.get("info")}


def build_manifest(ws, name: str, result, ids: list[str], *, export: dict[str, Any],
                   metrics: dict | None, metrics_info: dict[str, Any],
                   timings: dict[str, Any]) -> dict[str, Any]:
    """The manifest dict (JSON-ready) of the saved selection ``name`` (``result``)."""
    from core import __version__
    from core.workspace.tokens import selection_tokens

    config = dict(result.config)
    uses = selection_uses_embedding(config, ws.n_rows)
    return {
        MANIFEST_MARKER: MANIFEST_VERSION,
        "tool": {"name": "QD Explorer", "version": __version__, "git": git_info()},
        "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "source": source_record(ws),
        "embedding": embedding_record(ws, uses),
        "quality": {"spec": config.get("quality"), "inputs": config.get("quality_inputs")},
        "strategy": strategy_record(config),
        "tokens": selection_tokens(ws, result.indices),
        "selection": {"name": name, "k": result.k, "objective": result.objective,
                      "stopped_early": result.stopped_early, "ids": ids,
                      "rows": [int(i) for i in result.indices], "config": config},
        "metrics": metrics,
        "metrics_info": metrics_info,
        "export": export,
        "timings": {"selection": result.timings, **timings},
    }
