"""Past one machine: embedding and selection of million-row pools, on Ray or in-process.

Optional: the Ray executor needs ``pip install -r requirements-ray.txt``; everything else
(and every single-machine code path) runs without Ray, which is imported only inside
:class:`core.distributed.executor.RayExecutor` and the Ray Data steps it drives.

Modules:
- ``executor``: the Executor interface (``map``, ``parallelism``, ``describe``) with the
  in-process and Ray implementations; ``open_executor("ray", address=...)``.
- ``shards``: ``MatrixSource`` (memory-mapped .npy row shards), random partitions, the
  per-process row limit (``QDX_MAX_ROWS_PER_PROCESS``, default 250,000).
- ``texts`` + ``embedding``: resumable sharded embedding (Ray Data reading + actor pool).
- ``rounds`` + ``greedi``: two-round GreeDi selection for qdit, kcenter, dpp.
- ``objective`` + ``metrics``: whole-pool objective traces, facility-location coverage and
  cluster entropy by map-reduce.
- ``workspace``: the workspace entry points (embed, select, rerun); ``cli``: the
  ``--executor/--address/--shards`` options.

Names below are imported on first use, so ``import core.distributed`` stays cheap.
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    "Executor": "executor", "InProcessExecutor": "executor", "RayExecutor": "executor",
    "create_executor": "executor", "open_executor": "executor",
    "MatrixSource": "shards", "partition_rows": "shards", "max_rows_per_process": "shards",
    "EmbedderSpec": "embedding", "embed_file": "embedding",
    "greedi_select": "greedi", "pool_objective_traces": "objective",
    "sharded_coverage": "metrics", "sharded_cluster_entropy": "metrics",
    "sample_centroids": "metrics",
    "embed_workspace": "workspace", "select_workspace": "workspace",
    "rerun_distributed_selection": "workspace", "is_distributed": "workspace",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'core.distributed' has no attribute {name!r}")
    return getattr(importlib.import_module(f"core.distributed.{module}"), name)
