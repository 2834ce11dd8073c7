"""Where the dashboard may read and write, from the environment.

QDX_WORKSPACE_ROOT  folder for workspaces (default ./workspaces)
QDX_DATA_ROOTS      os.pathsep-separated folders a user may open server-side paths from
                    (default: the working directory and the workspace root)
QDX_DEMO_MODEL      embedding model used for the demo pool (default all-MiniLM-L6-v2)
QDX_DEMO_POOL       the demo pool file (default assets/demo_pool.jsonl)
QDX_PREFETCH        0 (or off, false, no) stops the Select page from computing the dpp
                    slider's neighbouring values in the background (default on); a shared
                    server may want its cores, and benchmarks measure cold releases with it
QDX_PROGRESSIVE_K   the smallest budget k whose run the Select page shows in two stages:
                    the first quarter of the picks (fewer for dpp on a large pool) as soon as
                    they are made, then the whole run (default 500; 0 turns it off)
QDX_WARMUP          0 (or off, false, no) stops a fresh server from importing the strategies
                    and loading the greedy's compiled loops in the background after its first
                    page (ui.warmup; default on)
"""

from __future__ import annotations

import os
from pathlib import Path

from core.errors import InputError

APP_DIR = Path(__file__).resolve().parent.parent


def workspace_root() -> Path:
    return Path(os.environ.get("QDX_WORKSPACE_ROOT", "workspaces")).expanduser().resolve()


def data_roots() -> list[Path]:
    env = os.environ.get("QDX_DATA_ROOTS")
    roots = [Path(p) for p in env.split(os.pathsep) if p] if env else [Path.cwd()]
    roots.append(workspace_root())
    return [r.expanduser().resolve() for r in roots]


def demo_pool_path() -> Path:
    return Path(os.environ.get("QDX_DEMO_POOL", APP_DIR / "assets" / "demo_pool.jsonl"))


def demo_model() -> str:
    return os.environ.get("QDX_DEMO_MODEL", "all-MiniLM-L6-v2")


def prefetch_enabled() -> bool:
    return os.environ.get("QDX_PREFETCH", "1").strip().lower() not in ("0", "off", "false", "no")


def confine_path(user_path: str) -> Path:
    """Resolve a server-side path a user typed; refuse anything outside the data roots."""
    if not user_path or not user_path.strip():
        raise InputError("no path given", field="path")
    path = Path(user_path.strip()).expanduser()
    if not path.is_absolute():
        path = Path.cwd() / path
    path = path.resolve()
    roots = data_roots()
    if not any(path == r or r in path.parents for r in roots):
        allowed = ", ".join(str(r) for r in roots)
        raise InputError(f"is outside the folders this dashboard may read ({allowed}); set "
                         "QDX_DATA_ROOTS to allow more", file=str(path))
    return path


def workspace_for(name: str) -> Path:
    """A workspace folder under the workspace root for a pool name (sanitised)."""
    safe = "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in name).strip("._")
    return workspace_root() / (safe[:80] or "pool")


def warmup_enabled() -> bool:
    return os.environ.get("QDX_WARMUP", "1").strip().lower() not in ("0", "off", "false", "no")


def progressive_min_k() -> int:
    """QDX_PROGRESSIVE_K (default 500): the smallest k shown in stages; 0 turns it off."""
    try:
        return max(0, int(os.environ.get("QDX_PROGRESSIVE_K", "500")))
    except ValueError:
        return 500
