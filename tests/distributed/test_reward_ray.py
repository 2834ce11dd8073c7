"""Reward scoring on a local Ray actor pool equals the in-process run and resumes from the
same chunk files."""

from __future__ import annotations

import numpy as np

from core.quality.reward_job import (
    chunk_plan,
    compute_reward,
    part_name,
    reward_key,
    reward_pairs,
)
from core.workspace.atomic import atomic_save_npy
from tests.quality.test_reward import build_tiny_reward_model


def test_ray_reward_scores_equal_local_and_skip_finished_chunks(tiny_workspace, tmp_path,
                                                                ray_executor):
    from core.quality.reward import RewardModel

    ws = tiny_workspace
    model = str(build_tiny_reward_model(tmp_path / "rm", ws.texts("both")))
    local, _ = compute_reward(ws, model, chunk_rows=10)
    for path in ws.cache_dir.glob("reward-*"):
        path.unlink()
    # chunk 0 already finished by an earlier (killed) run: Ray scores the other 4
    pairs = reward_pairs(ws)
    first = chunk_plan(pairs, 10)[0]
    scorer = RewardModel(model)
    values = scorer.score([pairs[0][i] for i in first], [pairs[1][i] for i in first])
    parts = ws.cache_dir / f"reward-{reward_key(ws, model)}.parts-10"
    parts.mkdir(parents=True)
    atomic_save_npy(parts / part_name(0), values)
    distributed, meta = compute_reward(ws, model, chunk_rows=10, executor=ray_executor)
    assert meta["executor"] == "ray" and meta["computed_chunks"] == 4
    assert meta["format"] == "pair"
    np.testing.assert_allclose(distributed, local, atol=1e-5)


def test_quality_cli_computes_a_reward_on_ray(tiny_workspace, tmp_path, ray_address, run_cli):
    import json

    from core.quality.reward_job import cached_reward

    ws = tiny_workspace
    model = str(build_tiny_reward_model(tmp_path / "rm", ws.texts("both")))
    code, out, err = run_cli("quality", "--workspace", ws.root, "--compute", f"reward:{model}",
                             "--executor", "ray", "--shards", "3", "--json")
    assert code == 0, err
    assert json.loads(out)["computed"]["spec"] == f"reward:{model}"
    sidecar = json.loads(next(ws.cache_dir.glob("reward-*.json")).read_text())
    assert sidecar["executor"] == "ray" and sidecar["chunk_rows"] == 16
    assert cached_reward(ws, model).shape == (48,)
