"""Where distributed work runs: in this process (the default) or on a Ray cluster.

Both executors offer the same three calls, so the GreeDi rounds, the map-reduce metrics and
the embedding job are written once:

    with open_executor("ray", address=None) as ex:      # or "local"
        results = ex.map(task_fn, items, shared={"source": src}, progress=cb)

- ``map(fn, items, shared=, progress=)`` runs ``fn(item, **shared)`` for every item and
  returns the results in item order. ``shared`` values are sent once (``ray.put``), not
  once per task. ``fn`` must be a module-level function (Ray pickles it by reference).
- ``parallelism()`` is how many tasks run at once (Ray: the cluster's CPUs).
- ``describe()`` is the JSON-able record that goes into a result's config.

Ray is imported only inside :class:`RayExecutor`; nothing else in the package needs it.
``RayExecutor`` joins an already-initialised Ray, else connects to ``address`` (or the
``RAY_ADDRESS`` environment variable), else starts a local Ray with one logical CPU per core,
no dashboard, and this checkout on the workers' PYTHONPATH; it shuts down only a Ray it
started itself.
"""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any, Protocol

from core.errors import CancelledError, InputError
from core.progress import ProgressFn, check_progress

EXECUTORS = ("local", "ray")


class Executor(Protocol):
    name: str

    def parallelism(self) -> int: ...

    def map(self, fn: Callable[..., Any], items: Sequence[Any], *,
            shared: dict[str, Any] | None = None,
            progress: ProgressFn | None = None) -> list[Any]: ...

    def describe(self) -> dict[str, Any]: ...

    def close(self) -> None: ...


def _report(progress: ProgressFn | None, done: int, total: int, what: str) -> None:
    check_progress(progress, done, total, what, "tasks")


class InProcessExecutor:
    """Runs every task here, one after the other (what the dashboard uses)."""

    name = "local"

    def parallelism(self) -> int:
        return 1

    def map(self, fn, items, *, shared=None, progress=None) -> list[Any]:
        out = []
        for item in items:
            out.append(fn(item, **(shared or {})))
            _report(progress, len(out), len(items), getattr(fn, "__name__", "task"))
        return out

    def describe(self) -> dict[str, Any]:
        return {"name": self.name}

    def close(self) -> None:
        pass


def checkout_root() -> str:
    """The directory holding the ``core`` package (put on the Ray workers' PYTHONPATH)."""
    import core

    return str(Path(core.__file__).resolve().parents[1])


def local_ray_init_kwargs(num_cpus: int | None = None) -> dict[str, Any]:
    """``ray.init`` arguments for a local Ray on this machine (tests use them too).

    One logical CPU per core: a fixed-size actor pool must leave a CPU free, or it can wait
    forever for resources on a 2-core machine.
    """
    path = os.pathsep.join(p for p in (checkout_root(), os.environ.get("PYTHONPATH")) if p)
    return {"num_cpus": int(num_cpus or os.cpu_count() or 1), "include_dashboard": False,
            "log_to_driver": False, "runtime_env": {"env_vars": {"PYTHONPATH": path}}}


class RayExecutor:
    """Tasks as Ray remote functions of ``task_cpus`` logical CPUs each."""

    name = "ray"

    def __init__(self, address: str | None = None, *, num_cpus: int | None = None,
                 task_cpus: float = 1.0) -> None:
        try:
            import ray
        except ImportError:
            raise InputError("--executor ray needs the optional Ray extra: pip install -r "
                             "requirements-ray.txt", field="executor") from None
        self._ray = ray
        self.task_cpus = float(task_cpus)
        self.address = address or os.environ.get("RAY_ADDRESS") or None
        self._started = False
        if not ray.is_initialized():
            if self.address:
                ray.init(address=self.address, log_to_driver=False)
            else:
                ray.init(**local_ray_init_kwargs(num_cpus))
            self._started = True

    def cluster_resources(self) -> dict[str, float]:
        return dict(self._ray.cluster_resources())

    def parallelism(self) -> int:
        cpus = self.cluster_resources().get("CPU", 1.0)
        return max(1, int(cpus // max(self.task_cpus, 1e-9)))

    def map(self, fn, items, *, shared=None, progress=None) -> list[Any]:
        ray = self._ray
        remote = ray.remote(num_cpus=self.task_cpus, max_retries=2)(fn)
        refs_shared = {k: ray.put(v) for k, v in (shared or {}).items()}
        refs = [remote.remote(item, **refs_shared) for item in items]
        pending = list(refs)
        try:
            while pending:
                ready, pending = ray.wait(pending, num_returns=1, timeout=1.0)
                _report(progress, len(refs) - len(pending), len(refs),
                        getattr(fn, "__name__", "task"))
            return ray.get(refs)
        except ray.exceptions.RayTaskError as exc:
            raise unwrap_task_error(exc) from None
        except BaseException:
            for ref in pending:
                ray.cancel(ref)
            raise

    def describe(self) -> dict[str, Any]:
        res = self.cluster_resources()
        return {"name": self.name, "address": self.address or "local",
                "nodes": len(self._ray.nodes()), "cpus": res.get("CPU", 0.0),
                "gpus": res.get("GPU", 0.0)}

    def close(self) -> None:
        if self._started and self._ray.is_initialized():
            self._ray.shutdown()
        self._started = False


def unwrap_task_error(exc: BaseException) -> BaseException:
    """The user-facing exception inside a Ray task error (InputError, CancelledError)."""
    cause = getattr(exc, "cause", None)
    if isinstance(cause, (InputError, CancelledError)):
        return cause
    return exc


def create_executor(name: str = "local", *, address: str | None = None,
                    num_cpus: int | None = None) -> Executor:
    """An executor by name: "local" (in-process) or "ray"."""
    if name == "local":
        if address:
            raise InputError("--address needs --executor ray", field="address")
        return InProcessExecutor()
    if name == "ray":
        return RayExecutor(address, num_cpus=num_cpus)
    raise InputError(f"unknown executor {name!r}; expected one of {', '.join(EXECUTORS)}",
                     field="executor")


@contextlib.contextmanager
def open_executor(name: str = "local", *, address: str | None = None,
                  num_cpus: int | None = None) -> Iterator[Executor]:
    """``create_executor`` as a context manager that closes what it started."""
    ex = create_executor(name, address=address, num_cpus=num_cpus)
    try:
        yield ex
    finally:
        ex.close()


def timed(fn: Callable[[], Any]) -> tuple[Any, float]:
    """(fn(), seconds) - the rounds record their wall time in the result's timings."""
    start = time.perf_counter()
    return fn(), time.perf_counter() - start
