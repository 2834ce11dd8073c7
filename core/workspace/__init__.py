"""The workspace: one directory per pool, the single source of truth for CLI and dashboard.

Layout (stable; other tools may read the top-level files)::

    workspace.json    what was loaded (PoolInfo) and which pool file is current
    pool.parquet      the canonical pool, row i = pool row i
    embeddings.npy    float32 (n, d), L2-normalised, row i = pool row i
    embeddings.json   model, text field, dim, key, sha256 of the matrix
    knn.npz           indices (n, K) int32 (column 0 = the row itself), sims (n, K) float32
    map.parquet       id, x, y of the UMAP map (map.json says how it was made)
    qdx.duckdb        selections, their rows, metrics and runs
    cache/            every artifact under a key made of its inputs' keys and its config

Commit protocol: an artifact is first written whole to ``cache/<kind>-<key>.<ext>``
(temp file + rename), then its ``<kind>.json`` pointer is replaced atomically, then the
top-level convenience name is re-linked. The pointer is the commit point: a process killed
at any moment leaves the previous state readable, and an artifact whose recorded input key
no longer matches (a new pool, another model or text field) is treated as absent, so
nothing stale is shown.
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from core.errors import InputError
from core.neighbors import DEFAULT_K, KnnGraph, build_knn_graph
from core.progress import ProgressFn
from core.workspace import selections as sel_store
from core.workspace.atomic import (
    atomic_link,
    atomic_save_npy,
    atomic_save_npz,
    atomic_write_json,
    atomic_write_with,
    read_json,
)
from core.workspace.columns import (
    added_columns_file,
    read_added_columns,
    write_added_columns,
)
from core.workspace.embedding import EmbeddingJob
from core.workspace.filters import candidate_mask
from core.workspace.keys import config_key, file_sha256

FORMAT_VERSION = 1


class Workspace:
    """Open with ``Workspace.open(dir)``; create with ``Workspace.create(dir, loaded_pool)``."""

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root).expanduser().resolve()
        self.cache_dir = self.root / "cache"
        self.db_path = self.root / "qdx.duckdb"
        self._frame: pd.DataFrame | None = None
        self._frame_key: tuple | None = None
        self._pool: pd.DataFrame | None = None
        self._pool_key: str | None = None

    # ---------------------------------------------------------------- pool
    @classmethod
    def create(cls, root: str | Path, loaded) -> Workspace:
        """Write a validated pool (``core.pool.LoadedPool``) as the workspace's current pool."""
        ws = cls(root)
        if ws.root.exists() and not ws.root.is_dir():
            raise InputError("exists and is not a directory", file=str(root))
        if ws.root.is_dir() and any(ws.root.iterdir()) and not cls.is_workspace(ws.root):
            raise InputError("is a non-empty directory that is not a QD Explorer workspace; "
                             "choose a new or empty directory", file=str(root))
        key = loaded.info.pool_key
        pool_file = ws.cache_dir / f"pool-{key}.parquet"
        if not pool_file.exists():
            atomic_write_with(pool_file, lambda tmp: loaded.frame.to_parquet(tmp, index=False),
                              ".parquet")
        meta = {"version": FORMAT_VERSION, "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
                "pool": {**loaded.info.to_dict(), "file": pool_file.name}}
        atomic_write_json(ws.root / "workspace.json", meta)
        atomic_link(pool_file, ws.root / "pool.parquet")
        if ws.embedding_info() is None:  # made for another pool: nothing derived is current
            ws._unlink_top_level("embeddings", "knn", "map")
        return ws

    @classmethod
    def open(cls, root: str | Path) -> Workspace:
        ws = cls(root)
        if not cls.is_workspace(ws.root):
            raise InputError("is not a QD Explorer workspace (no workspace.json); run "
                             "`python -m core load FILE --workspace DIR` first", file=str(root))
        return ws

    @staticmethod
    def is_workspace(root: str | Path) -> bool:
        return (Path(root) / "workspace.json").is_file()

    @property
    def meta(self) -> dict[str, Any]:
        meta = read_json(self.root / "workspace.json")
        if not meta or "pool" not in meta:
            raise InputError("workspace.json is unreadable; load the pool again",
                             file=str(self.root))
        return meta

    @property
    def pool_info(self) -> dict[str, Any]:
        return self.meta["pool"]

    @property
    def pool_key(self) -> str:
        return self.pool_info["pool_key"]

    @property
    def n_rows(self) -> int:
        return int(self.pool_info["rows"])

    def pool_frame(self, columns: list[str] | None = None) -> pd.DataFrame:
        """The canonical pool joined with the added columns (core.workspace.columns), cached
        per Workspace object until the pool or an added column changes."""
        info = self.pool_info
        frame_key = (info["pool_key"], added_columns_file(self))
        if self._frame is None or self._frame_key != frame_key:
            frame = self._loaded_pool()
            added = read_added_columns(self)
            if added is not None and len(added.columns):
                frame = pd.concat([frame, added.set_index(frame.index)], axis=1)
            self._frame, self._frame_key = frame, frame_key
        return self._frame if columns is None else self._frame[columns]

    def _loaded_pool(self) -> pd.DataFrame:
        info = self.pool_info
        if self._pool is None or self._pool_key != info["pool_key"]:
            self._pool = pd.read_parquet(self.cache_dir / info["file"])
            self._pool_key = info["pool_key"]
        return self._pool

    def pool_columns(self) -> list[str]:
        """The columns of the loaded pool file (not the added ones)."""
        return list(self._loaded_pool().columns)

    def added_columns(self) -> list[str]:
        """Names of the columns added after loading (imported scores, labels)."""
        added = read_added_columns(self)
        return [] if added is None else list(added.columns)

    def set_columns(self, updates: dict[str, np.ndarray]) -> None:
        """Add or replace added columns (float64, NaN = no value), atomically."""
        write_added_columns(self, updates)

    def texts(self, field: str) -> list[str]:
        """The text that is embedded for ``field``: instruction (+ input), response or both."""
        from core.text import prompt_text

        frame = self.pool_frame(["instruction", "input", "response"])
        if field == "response":
            return frame["response"].fillna("").tolist()
        prompts = [prompt_text(i, x) for i, x in zip(frame["instruction"].fillna(""),
                                                     frame["input"].fillna(""), strict=True)]
        if field == "instruction":
            return prompts
        if field == "both":
            return [f"{p}\n\n{r}" for p, r in zip(prompts, frame["response"].fillna(""),
                                                  strict=True)]
        raise InputError(f"unknown text field {field!r}; expected instruction, response or both",
                         field="field")

    def candidate_mask(self, where: str | None) -> np.ndarray:
        return candidate_mask(self.pool_frame(), where)

    def drop_filter(self) -> dict[str, Any] | None:
        """The active near-duplicate drop (method, threshold, dropped_ids), or None."""
        from core.workspace.near_duplicates import drop_filter_config, drop_record

        return drop_filter_config(drop_record(self))

    def apply_drop_filter(self, candidates: np.ndarray | None, drop: dict[str, Any] | None
                          ) -> np.ndarray | None:
        """``candidates`` without the rows ``drop`` lists (None: all rows, unchanged)."""
        from core.workspace.near_duplicates import apply_drop_filter

        return apply_drop_filter(self, candidates, drop)

    # ---------------------------------------------------------- embeddings
    def embedding_info(self) -> dict[str, Any] | None:
        """The current embedding's record, or None when absent or made for another pool."""
        meta = read_json(self.root / "embeddings.json")
        if not meta or meta.get("pool_key") != self.pool_key:
            return None
        if not (self.cache_dir / meta["file"]).exists():
            return None
        return meta

    def embeddings(self) -> np.ndarray:
        """float32 (n, d) L2-normalised, memory-mapped read-only."""
        meta = self.embedding_info()
        if meta is None:
            raise InputError("the pool is not embedded yet; run `python -m core embed "
                             f"--workspace {self.root}`", file=str(self.root))
        return np.load(self.cache_dir / meta["file"], mmap_mode="r")

    def embed(self, embedder, field: str = "instruction", *, progress: ProgressFn | None = None,
              chunk_rows: int = 2048, status: Callable[[str], None] | None = None
              ) -> dict[str, Any]:
        """Embed ``field`` with ``embedder`` (resumable) and make it current; cached by key.
        ``status(message)`` hears about model loading before the first chunk."""
        job = EmbeddingJob(self, embedder, field, chunk_rows)
        return self._activate_embedding(job.run(progress, status))

    def use_vectors(self, vectors: np.ndarray, source: str) -> dict[str, Any]:
        """Make user-supplied (already validated, normalised) vectors the current embedding."""
        sha = _array_sha(vectors)
        key = config_key("npy", self.pool_key, sha)
        path = self.cache_dir / f"embeddings-{key}.npy"
        if not path.exists():
            atomic_save_npy(path, np.ascontiguousarray(vectors, dtype=np.float32))
        return self._activate_embedding({
            "key": key, "file": path.name, "model": f"vectors:{Path(source).name}",
            "field": "external", "dim": int(vectors.shape[1]), "rows": int(vectors.shape[0]),
            "config": {"backend": "npy", "source": str(source)}, "sha256": file_sha256(path),
            "seconds": 0.0})

    def _activate_embedding(self, meta: dict[str, Any]) -> dict[str, Any]:
        meta = {**meta, "pool_key": self.pool_key}
        atomic_write_json(self.root / "embeddings.json", meta)
        atomic_link(self.cache_dir / meta["file"], self.root / "embeddings.npy")
        self._refresh_derived_top_level()
        return meta

    def _refresh_derived_top_level(self) -> None:
        """Point knn.npz and map.parquet at the current embedding's cached artifacts, or
        remove them, so no top-level file describes another embedding."""
        knn_file = self.cache_dir / f"knn-{self.knn_key()}.npz"
        if knn_file.exists():
            with np.load(knn_file) as data:
                graph = KnnGraph(data["indices"], data["sims"], bool(data["exact"]))
            self._publish_knn(knn_file, graph)
        else:
            self._unlink_top_level("knn")
        coords = self.map_coords("umap")
        if coords is not None:
            self._publish_map(coords)
        else:
            self._unlink_top_level("map")

    def _unlink_top_level(self, *kinds: str) -> None:
        names = {"embeddings": ("embeddings.json", "embeddings.npy"),
                 "knn": ("knn.json", "knn.npz"), "map": ("map.json", "map.parquet")}
        for kind in kinds:
            for name in names[kind]:  # the pointer first: it is what readers trust
                (self.root / name).unlink(missing_ok=True)

    # ----------------------------------------------------------- kNN graph
    def knn_key(self, k: int = DEFAULT_K) -> str:
        return config_key("knn", self._require_embedding()["key"], min(k, self.n_rows))

    def knn(self, k: int = DEFAULT_K, *, progress: ProgressFn | None = None) -> KnnGraph:
        """The cosine kNN graph of the current embeddings, built and cached if missing."""
        key = self.knn_key(k)
        path = self.cache_dir / f"knn-{key}.npz"
        if not path.exists():
            graph = build_knn_graph(self.embeddings(), k, progress=progress)
            atomic_save_npz(path, indices=graph.indices, sims=graph.sims,
                            exact=np.array(graph.exact))
            self._publish_knn(path, graph)
            return graph
        with np.load(path) as data:
            return KnnGraph(data["indices"], data["sims"], bool(data["exact"]))

    def has_knn(self, k: int = DEFAULT_K) -> bool:
        return self.embedding_info() is not None and \
            (self.cache_dir / f"knn-{self.knn_key(k)}.npz").exists()

    # ----------------------------------------------------------------- map
    def map_key(self, method: str = "umap") -> str:
        emb = self._require_embedding()["key"]
        if method == "pca":
            return config_key("pca", emb)
        from core import projection

        return config_key("umap", self.knn_key(), *projection.UMAP.key_parts())

    def map_coords(self, method: str = "umap") -> np.ndarray | None:
        """(n, 2) float32 map of the current embeddings, or None if not built yet."""
        if self.embedding_info() is None:
            return None
        path = self.cache_dir / f"{method}-{self.map_key(method)}.npy"
        return np.load(path) if path.exists() else None

    def build_map(self, method: str = "umap", *, progress: ProgressFn | None = None
                  ) -> np.ndarray:
        """Compute (or return the cached) UMAP or PCA map and make it current."""
        from core import projection

        if method not in ("umap", "pca"):
            raise InputError(f"unknown map method {method!r}; expected umap or pca",
                             field="method")
        cached = self.map_coords(method)
        if cached is not None:
            return cached
        key = self.map_key(method)
        if method == "pca":
            coords = projection.pca_projection(self.embeddings())
        else:
            coords = projection.umap_projection(self.embeddings(), self.knn(), projection.UMAP,
                                             progress=progress)
        path = self.cache_dir / f"{method}-{key}.npy"
        atomic_save_npy(path, coords)
        if method == "umap":
            self._publish_map(coords)
        return coords

    def _publish_knn(self, path: Path, graph: KnnGraph) -> None:
        atomic_write_json(self.root / "knn.json", {
            "key": path.stem.split("-", 1)[1], "file": path.name, "k": graph.k,
            "exact": graph.exact, "embedding_key": self.embedding_info()["key"]})
        atomic_link(path, self.root / "knn.npz")

    def _publish_map(self, coords: np.ndarray) -> None:
        ids = self.pool_frame(["id"])["id"]
        table = pd.DataFrame({"id": ids, "x": coords[:, 0], "y": coords[:, 1]})
        atomic_write_with(self.root / "map.parquet",
                          lambda tmp: table.to_parquet(tmp, index=False), ".parquet")
        from core import projection

        atomic_write_json(self.root / "map.json", {
            "key": self.map_key("umap"), "method": "umap", **projection.UMAP.as_dict(),
            "embedding_key": self.embedding_info()["key"]})

    # ------------------------------------------------------------ clusters
    def clusters(self, n_clusters: int | None = None, seed: int = 0
                 ) -> tuple[np.ndarray, np.ndarray]:
        """k-means (labels (n,) int32, centroids (c, d)) of the current embeddings, cached."""
        from core.clusters import default_n_clusters, kmeans_labels

        c = default_n_clusters(self.n_rows) if n_clusters is None else int(n_clusters)
        key = config_key("kmeans", self._require_embedding()["key"], c, seed)
        path = self.cache_dir / f"kmeans-{key}.npz"
        if path.exists():
            with np.load(path) as data:
                return data["labels"], data["centroids"]
        labels, centroids = kmeans_labels(np.asarray(self.embeddings()), c, seed=seed)
        atomic_save_npz(path, labels=labels, centroids=centroids)
        return labels, centroids

    def cluster_names(self, n_terms: int = 3) -> dict[int, str]:
        """A short name per k-means cluster (:meth:`clusters`): its top class-based TF-IDF
        terms of the instructions (core.clusters.cluster_top_terms), cached: 3.6 s on a
        50,000-row pool, paid on the first visit of the Map page otherwise."""
        from core.clusters import cluster_top_terms

        labels, _ = self.clusters()
        ids = np.unique(labels)

        def compute() -> np.ndarray:
            names = cluster_top_terms(self.pool_frame(["instruction"])["instruction"].tolist(),
                                      labels, n_terms=n_terms)
            return np.array([names[int(c)] for c in ids], dtype=str)

        names = self.cached_array("cluster_names", {
            "embedding": self._require_embedding()["key"], "clusters": ids.size,
            "n_terms": n_terms, "version": 1}, compute)
        return {int(c): str(name) for c, name in zip(ids, names, strict=True)}

    def cached_array(self, kind: str, key_parts: dict[str, Any],
                     compute: Callable[[], np.ndarray]) -> np.ndarray:
        """A derived array cached under ``kind`` and a key of the pool plus ``key_parts``."""
        safe_kind = "".join(ch for ch in kind if ch.isalnum() or ch in "_-") or "array"
        key = config_key(safe_kind, self.pool_key, key_parts)
        path = self.cache_dir / f"array-{safe_kind}-{key}.npy"
        if path.exists():
            return np.load(path, allow_pickle=False)
        value = np.asarray(compute())
        atomic_save_npy(path, value)
        return value

    # ---------------------------------------------------------- selections
    def save_selection(self, name: str, result, *, quality_spec: str | None = None,
                       replace: bool = True) -> None:
        """Save ``result`` as ``name``; with ``replace=False`` an existing ``name`` is refused
        (InputError naming its strategy and time) and nothing is written."""
        if quality_spec is not None:
            result.config = {**result.config, "quality": quality_spec}
        ids = self.pool_frame(["id"])["id"].to_numpy()[result.indices].tolist()
        sel_store.save_selection(self.db_path, self.pool_key, name, result, ids,
                                 replace=replace)

    def existing_selection(self, name: str) -> dict[str, Any] | None:
        """Strategy, k and save time of the selection ``name``, or None when there is none."""
        return sel_store.existing_selection(self.db_path, name)

    def load_selection(self, name: str):
        return sel_store.load_selection(self.db_path, self.pool_key, name)

    def list_selections(self) -> list[dict[str, Any]]:
        return sel_store.list_selections(self.db_path, self.pool_key)

    def delete_selection(self, name: str) -> None:
        sel_store.delete_selection(self.db_path, name)

    def save_metrics(self, selection: str, metrics: dict[str, Any],
                     options: dict[str, Any] | None = None) -> None:
        """Store a metrics report with the options it was measured with
        (``core.metrics.stored.metrics_options``)."""
        sel_store.save_metrics(self.db_path, self.pool_key, selection, metrics, options)

    def load_metrics(self, selection: str) -> dict[str, Any] | None:
        return sel_store.load_metrics(self.db_path, self.pool_key, selection)

    def load_metrics_record(self, selection: str
                            ) -> tuple[dict[str, Any], dict[str, Any] | None] | None:
        """(report, options or None) stored for ``selection``, or None."""
        return sel_store.load_metrics_record(self.db_path, self.pool_key, selection)

    # ---------------------------------------------------------------- info
    def info(self) -> dict[str, Any]:
        """Summary for ``python -m core info --json`` and the dashboard."""
        pool = self.pool_info
        emb = self.embedding_info()
        mapped = emb is not None and self.map_coords("umap") is not None
        return {
            "workspace": str(self.root), "source": pool["source"], "rows": pool["rows"],
            "format": pool["shape"], "container": pool["container"],
            "records_read": pool["records_read"], "duplicates": pool["duplicates"],
            "duplicates_dropped": pool["duplicates_dropped"],
            "bad_lines_skipped": pool["bad_lines_skipped"],
            "bad_records_skipped": pool["bad_records_skipped"],
            "long_fields": pool["long_fields"], "extra_columns": pool["extra_columns"],
            "pool_key": pool["pool_key"], "embedded": emb is not None,
            "model": emb["model"] if emb else None, "field": emb["field"] if emb else None,
            "dim": emb["dim"] if emb else None, "embedding_key": emb["key"] if emb else None,
            "knn": self.has_knn() if emb else False, "mapped": mapped,
            "selections": [s["name"] for s in self.list_selections()],
        }

    def remove_stale_parts(self) -> None:
        """Drop unfinished embedding chunk folders (kept otherwise so a run can resume)."""
        for part in self.cache_dir.glob("embeddings-*.parts-*"):
            shutil.rmtree(part, ignore_errors=True)

    def _require_embedding(self) -> dict[str, Any]:
        meta = self.embedding_info()
        if meta is None:
            self.embeddings()  # raises the user-facing error
        return meta


def _array_sha(x: np.ndarray) -> str:
    import hashlib

    return hashlib.sha256(np.ascontiguousarray(x, dtype=np.float32).tobytes()).hexdigest()
