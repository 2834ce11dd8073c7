"""Fixtures for the distributed engine: one local Ray per session, synthetic pools."""

from __future__ import annotations

import numpy as np
import pytest

from tests.synthetic import clustered_unit_vectors, exact_traces


@pytest.fixture(scope="session")
def ray_address():
    """Start one local Ray (2 CPUs, no dashboard) for the session; yield its address."""
    ray = pytest.importorskip("ray", reason="ray is not installed: the Ray tests need "
                              "`pip install -r requirements-ray.txt`")
    from core.distributed.executor import local_ray_init_kwargs

    started = not ray.is_initialized()
    if started:
        ray.init(**local_ray_init_kwargs(2))
    yield ray.get_runtime_context().gcs_address
    if started:
        ray.shutdown()


@pytest.fixture(scope="session")
def ray_executor(ray_address):
    from core.distributed.executor import RayExecutor

    return RayExecutor()


def _npy_pool(tmp_path_factory, name: str, n: int, d: int, centres: int, seed: int,
              noise: float):
    """Clustered unit vectors on disk as .npy (a MatrixSource), the array, a quality score."""
    from core.distributed.shards import MatrixSource

    x = clustered_unit_vectors(n, d, centres, seed=seed, noise=noise)
    path = tmp_path_factory.mktemp(name) / "x.npy"
    np.save(path, x)
    quality = np.random.default_rng(seed + 1).random(len(x))
    return MatrixSource.from_npy(path), x, quality


@pytest.fixture(scope="session")
def pool20k(tmp_path_factory):
    """20,000 clustered unit vectors (d = 64) on disk as .npy, and a quality score."""
    return _npy_pool(tmp_path_factory, "pool20k", 20_000, 64, 50, seed=0, noise=1.0)


@pytest.fixture(scope="session")
def pool2k(tmp_path_factory):
    return _npy_pool(tmp_path_factory, "pool2k", 2_000, 16, 12, seed=3, noise=0.6)


@pytest.fixture(scope="session")
def single_fl(pool20k):
    """Whole-pool objective of the single-machine engine's facility-location greedy
    (qdit alpha = 0, k = 200) on the 20,000-row pool."""
    from core.select import SelectionContext, get_strategy

    source, x, _ = pool20k
    result = get_strategy("qdit", alpha=0.0).select(SelectionContext(embeddings=x), 200)
    return exact_traces(source, "qdit", {"alpha": 0.0}, [result.indices])[0][-1]


@pytest.fixture(scope="session")
def distributed_fl(pool20k):
    """The same selection by in-process GreeDi over 4 shards."""
    from core.distributed.greedi import greedi_select

    source, _, _ = pool20k
    return greedi_select(source, "qdit", 200, {"alpha": 0.0}, shards=4, seed=0)
