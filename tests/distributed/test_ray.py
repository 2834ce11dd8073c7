"""The Ray executor: same answers as in-process, Ray Data embedding, kill and resume, CLI.

One local Ray (``ray.init(num_cpus=2)``) for the whole session (conftest ``ray_address``),
shut down at the end. The embedding actor pool takes CPUs - 1 actors, so a 2-CPU Ray runs
one actor and keeps a CPU for the read tasks (a pool as large as the CPUs can deadlock).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from core.cli import main
from core.distributed.embedding import EmbedderSpec, embed_file
from core.distributed.executor import InProcessExecutor, checkout_root
from core.distributed.greedi import greedi_select
from core.distributed.metrics import sharded_cluster_entropy, sharded_coverage
from core.distributed.shards import MatrixSource
from core.embed import HashingEmbedder
from tests.synthetic import instruction_records, write_jsonl

# The core modules above never import ray; skip the whole file when the optional extra is
# missing (`make install` installs it; `make install RAY=0` does not).
pytest.importorskip("ray", reason="ray is not installed: the Ray tests need the optional "
                    "extra, pip install -r requirements-ray.txt")
pytestmark = pytest.mark.ray
HASHING = EmbedderSpec("hashing")


def test_ray_qdit_on_20k_rows_equals_in_process_and_is_within_2_percent(
        pool20k, ray_executor, distributed_fl, single_fl):
    source, _, _ = pool20k
    on_ray = greedi_select(source, "qdit", 200, {"alpha": 0.0}, shards=4, seed=0,
                           executor=ray_executor)
    assert on_ray.objective / single_fl >= 0.98
    assert on_ray.indices.tolist() == distributed_fl.indices.tolist()
    # Same picks; the evaluation blocks differ (one per worker), so sums differ in round-off.
    np.testing.assert_allclose(on_ray.objective_trace, distributed_fl.objective_trace,
                               rtol=1e-6)
    assert on_ray.config["executor"]["name"] == "ray"
    assert on_ray.config["executor"]["cpus"] == 2.0


def test_ray_kcenter_dpp_and_metrics_equal_in_process(pool2k, ray_executor):
    source, _, q = pool2k
    for strategy, params in (("kcenter", {"quality_weight": 0.3}), ("dpp", {"lam": 0.4})):
        a = greedi_select(source, strategy, 40, params, quality=q, shards=3,
                          executor=ray_executor)
        b = greedi_select(source, strategy, 40, params, quality=q, shards=3)
        assert a.indices.tolist() == b.indices.tolist(), strategy
    picks = a.indices
    assert sharded_coverage(source, picks, executor=ray_executor) == pytest.approx(
        sharded_coverage(source, picks, executor=InProcessExecutor()))
    labels = np.arange(source.n) % 7
    assert sharded_cluster_entropy(source, picks, executor=ray_executor, labels=labels) == \
        pytest.approx(sharded_cluster_entropy(source, picks, executor=InProcessExecutor(),
                                              labels=labels))


def test_ray_input_errors_surface_as_input_errors(pool2k, ray_executor):
    from core.errors import InputError

    source, _, _ = pool2k
    with pytest.raises(InputError, match="must-include row"):
        greedi_select(source, "qdit", 10, {}, must_include=[source.n + 5],
                      executor=ray_executor)


@pytest.fixture(scope="module")
def sources(tmp_path_factory):
    root = tmp_path_factory.mktemp("ray-embed")
    records = instruction_records(2500, seed=5)
    jsonl = write_jsonl(root / "pool.jsonl", records)
    parquet = root / "pool.parquet"
    pq.write_table(pa.Table.from_pylist(records), parquet, row_group_size=700)
    from core.text import prompt_text

    texts = [prompt_text(r["instruction"], r["input"]) for r in records]
    return {"jsonl": jsonl, "parquet": parquet, "want": HashingEmbedder().embed(texts)}


@pytest.mark.parametrize("kind", ["jsonl", "parquet"])
def test_ray_data_embedding_equals_a_single_run(sources, tmp_path, ray_executor, kind):
    m = embed_file(sources[kind], tmp_path, spec=HASHING, executor=ray_executor,
                   shard_rows=600)
    assert len(m["shards"]) == 5 and m["rows"] == 2500
    x = MatrixSource.from_shard_dir(m["folder"])
    np.testing.assert_array_equal(x.block(0, x.n), sources["want"])


KILLED_DRIVER = """
import sys
import ray
ray.init(address=sys.argv[1], log_to_driver=False)
from core.distributed.embedding import EmbedderSpec, embed_file
from core.distributed.executor import RayExecutor
embed_file(sys.argv[2], sys.argv[3], spec=EmbedderSpec("hashing"), executor=RayExecutor(),
           shard_rows=int(sys.argv[4]))
"""


def test_a_killed_embedding_job_resumes_with_identical_vectors(ray_address, ray_executor,
                                                               tmp_path):
    records = instruction_records(20_000, seed=9)
    src = write_jsonl(tmp_path / "pool.jsonl", records)
    out = tmp_path / "job"
    script = tmp_path / "driver.py"
    script.write_text(KILLED_DRIVER, encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": checkout_root()}
    proc = subprocess.Popen([sys.executable, str(script), ray_address, str(src), str(out),
                             "1000"], cwd=checkout_root(), env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline and proc.poll() is None:
        if len(list(out.glob("vectors-*/shard-*.npy"))) >= 3:
            break
        time.sleep(0.01)
    assert proc.poll() is None, proc.stderr.read()[-2000:]  # still running: kill it
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    proc.stderr.close()
    at_kill = len(list(out.glob("vectors-*/shard-*.npy")))
    assert 3 <= at_kill < 20, at_kill  # killed mid-way, not before or after the job
    assert not list(out.glob("vectors-*/manifest.json"))
    m = embed_file(src, out, spec=HASHING, executor=ray_executor, shard_rows=1000)
    assert at_kill <= m["resumed_shards"] < 20
    x = MatrixSource.from_shard_dir(m["folder"])
    from core.text import prompt_text

    want = HashingEmbedder().embed([prompt_text(r["instruction"], r["input"]) for r in records])
    np.testing.assert_array_equal(x.block(0, x.n), want)


@pytest.fixture(scope="module")
def ws_dir(tmp_path_factory):
    root = tmp_path_factory.mktemp("ray-cli")
    pool = write_jsonl(root / "p.jsonl", instruction_records(1200, seed=2))
    assert main(["load", str(pool), "--workspace", str(root / "ws")]) == 0
    return str(root / "ws")


def test_cli_embed_and_select_on_ray_print_the_single_machine_json(ws_dir, ray_address,
                                                                   capsys):
    capsys.readouterr()
    assert main(["embed", "--workspace", ws_dir, "--model", "hashing", "--executor", "ray",
                 "--shards", "3", "--json"]) == 0
    dist = json.loads(capsys.readouterr().out)
    assert dist["shards"] == 3 and dist["rows"] == 1200 and dist["executor"]["name"] == "ray"
    assert main(["embed", "--workspace", ws_dir, "--model", "hashing", "--json"]) == 0
    local = json.loads(capsys.readouterr().out)
    assert local["key"] == dist["key"] and local["sha256"] == dist["sha256"]
    common = ["select", "--workspace", ws_dir, "--strategy", "qdit", "--k", "30", "--alpha",
              "0.2", "--quality", "column:rating", "--must-include", "4,2", "--json"]
    assert main([*common, "--name", "local"]) == 0
    out_local = json.loads(capsys.readouterr().out)
    assert main([*common, "--name", "ray", "--executor", "ray", "--shards", "3"]) == 0
    out_ray = json.loads(capsys.readouterr().out)
    assert set(out_ray) == set(out_local)
    assert out_ray["indices"][:2] == [4, 2] and len(set(out_ray["indices"])) == 30
    from core.workspace import Workspace

    saved = Workspace.open(ws_dir).load_selection("ray")
    assert saved.config["distributed"]["shards"] == 3
    assert saved.config["executor"]["name"] == "ray" and saved.config["quality"]


def test_cli_refuses_what_cannot_run_distributed(ws_dir, ray_address, capsys):
    assert main(["select", "--workspace", ws_dir, "--strategy", "deita", "--k", "5",
                 "--executor", "ray"]) == 2
    assert "cannot run distributed" in capsys.readouterr().err
    assert main(["embed", "--workspace", ws_dir, "--model", "tfidf", "--executor", "ray"]) == 2
    assert "cannot be sharded" in capsys.readouterr().err


def test_cli_address_connects_to_a_running_cluster(ws_dir, ray_address):
    env = {**os.environ, "PYTHONPATH": checkout_root()}
    env.pop("RAY_ADDRESS", None)
    done = subprocess.run([sys.executable, "-m", "core", "select", "--workspace", ws_dir,
                           "--strategy", "kcenter", "--k", "12", "--executor", "ray",
                           "--address", ray_address, "--name", "remote", "--json"],
                          cwd=checkout_root(), env=env, capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    out = json.loads(done.stdout)
    assert out["k"] == 12
    from core.workspace import Workspace

    config = Workspace.open(ws_dir).load_selection("remote").config
    assert config["executor"]["address"] == ray_address
