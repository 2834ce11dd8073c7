"""Executors, row shards, partitions and the per-process row limit (no Ray needed)."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest

from core.distributed.executor import InProcessExecutor, create_executor, local_ray_init_kwargs
from core.distributed.shards import (
    MAX_ROWS_ENV,
    MatrixSource,
    check_rows_fit,
    max_rows_per_process,
    partition_rows,
    row_ranges,
)
from core.errors import CancelledError, InputError


def scaled(item, *, factor):
    return item * factor


def test_in_process_map_keeps_order_passes_shared_and_reports_progress():
    seen = []
    out = InProcessExecutor().map(scaled, [3, 1, 2], shared={"factor": 10},
                                  progress=lambda d, t: seen.append((d, t)))
    assert out == [30, 10, 20]
    assert seen == [(1, 3), (2, 3), (3, 3)]


def test_progress_false_cancels():
    with pytest.raises(CancelledError):
        InProcessExecutor().map(scaled, [1, 2, 3], shared={"factor": 1},
                                progress=lambda d, t: d < 2)


def test_create_executor_checks_its_arguments():
    assert create_executor("local").name == "local"
    with pytest.raises(InputError, match="unknown executor"):
        create_executor("spark")
    with pytest.raises(InputError, match="--address needs --executor ray"):
        create_executor("local", address="10.0.0.1:6379")


def test_local_ray_puts_this_checkout_on_the_workers_path():
    kwargs = local_ray_init_kwargs(2)
    assert kwargs["num_cpus"] == 2 and kwargs["include_dashboard"] is False
    import core

    root = str(__import__("pathlib").Path(core.__file__).resolve().parents[1])
    assert kwargs["runtime_env"]["env_vars"]["PYTHONPATH"].split(":")[0] == root


def test_matrix_source_reads_rows_from_one_file_and_from_shards(tmp_path):
    x = np.random.default_rng(0).random((103, 5)).astype(np.float32)
    np.save(tmp_path / "x.npy", x)
    one = MatrixSource.from_npy(tmp_path / "x.npy")
    folder = tmp_path / "shards"
    folder.mkdir()
    cuts = [0, 40, 41, 90, 103]
    names = []
    for i, (a, b) in enumerate(zip(cuts[:-1], cuts[1:], strict=True)):
        names.append(f"s{i}.npy")
        np.save(folder / names[-1], x[a:b])
    (folder / "manifest.json").write_text(json.dumps(
        {"shards": names, "shard_sizes": np.diff(cuts).tolist(), "dim": 5}))
    sharded = MatrixSource.from_shard_dir(folder)
    rows = np.array([0, 39, 40, 41, 89, 90, 102], dtype=np.int64)
    for src in (one, sharded):
        assert src.n == 103 and src.dim == 5
        np.testing.assert_array_equal(src.take(rows), x[rows])
        np.testing.assert_array_equal(src.block(35, 95), x[35:95])
        with pytest.raises(IndexError):
            src.take(np.array([103]))


def test_shard_dir_without_manifest_is_an_input_error(tmp_path):
    with pytest.raises(InputError, match="manifest.json"):
        MatrixSource.from_shard_dir(tmp_path)


def test_partition_is_a_seeded_balanced_random_cover():
    parts = partition_rows(1001, 4, seed=5)
    allrows = np.concatenate(parts)
    assert sorted(allrows.tolist()) == list(range(1001))
    assert {len(p) for p in parts} <= {250, 251}
    assert all((np.diff(p) > 0).all() for p in parts)
    again = partition_rows(1001, 4, seed=5)
    assert all(np.array_equal(a, b) for a, b in zip(parts, again, strict=True))
    other = partition_rows(1001, 4, seed=6)
    assert not np.array_equal(parts[0], other[0])
    # Not contiguous blocks: a random shard spans the whole pool.
    assert parts[0].min() < 50 and parts[0].max() > 950


def test_row_ranges_cover_without_gaps():
    ranges = row_ranges(10, 3)
    assert ranges[0][0] == 0 and ranges[-1][1] == 10
    assert all(a[1] == b[0] for a, b in zip(ranges, ranges[1:], strict=False))
    assert row_ranges(2, 5) == [(0, 1), (1, 2)]


def test_row_limit_comes_from_the_environment(monkeypatch):
    monkeypatch.delenv(MAX_ROWS_ENV, raising=False)
    assert max_rows_per_process() == 250_000
    monkeypatch.setenv(MAX_ROWS_ENV, "1000")
    assert max_rows_per_process() == 1000
    check_rows_fit(1000, "a shard", "use more shards")
    with pytest.raises(InputError, match=MAX_ROWS_ENV):
        check_rows_fit(1001, "a shard", "use more shards")
    monkeypatch.setenv(MAX_ROWS_ENV, "lots")
    with pytest.raises(InputError, match="whole number"):
        max_rows_per_process()


def test_single_machine_imports_never_load_ray():
    code = ("import sys, core.cli, core.select, core.embed, core.metrics, core.workspace\n"
            "import core.distributed, core.distributed.cli, core.distributed.greedi\n"
            "import core.distributed.workspace, core.distributed.metrics\n"
            "core.cli.build_parser()\n"
            "from core.cli.select import run\n"
            "bad = sorted(m for m in sys.modules if m == 'ray' or m.startswith('ray.'))\n"
            "assert not bad, bad\n")
    from core.distributed.executor import checkout_root

    done = subprocess.run([sys.executable, "-c", code], cwd=checkout_root(),
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
