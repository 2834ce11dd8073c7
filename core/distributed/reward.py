"""Reward scoring on a Ray actor pool: every actor loads the reward model once and scores
chunk after chunk, writing ``<parts_dir>/NNNNNN.npy`` atomically, the same chunk files the
single-machine job (core.quality.reward_job) writes and resumes from. One actor per GPU when
the cluster has GPUs, else CPU actors as for embedding (core.distributed.embedding
.actor_plan). The parts folder must be on storage every worker can reach (one machine, or
a shared file system), as for distributed embedding's output folder.
"""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np

from core.distributed.embedding import actor_plan
from core.errors import CancelledError
from core.workspace.atomic import atomic_save_npy


class ChunkRewardScorer:
    """Ray Data actor: builds the reward model once, scores the chunks it is given."""

    def __init__(self, name: str, parts_dir: str, max_length: int, batch_size: int,
                 device: str | None = None, threads: int | None = None) -> None:
        from core.quality.reward import RewardModel

        if threads:
            import torch

            torch.set_num_threads(int(threads))
        self.model = RewardModel(name, max_length=max_length, batch_size=batch_size,
                                 device=device or "cpu")
        self.parts_dir = Path(parts_dir)

    def __call__(self, batch: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        chunks = [int(c) for c in batch["chunk"]]
        for c, prompts, responses in zip(chunks, batch["prompts"], batch["responses"],
                                         strict=True):
            values = self.model.score(list(prompts), list(responses))
            atomic_save_npy(self.parts_dir / f"{c:06d}.npy", values)
        return {"chunk": np.array(chunks, dtype=np.int64),
                "format": np.array([self.model.format] * len(chunks))}


def score_chunks_on_ray(executor, name: str, pairs: tuple[list[str], list[str]],
                        chunks: list[np.ndarray], todo: list[int], parts_dir: Path, *,
                        max_length: int, batch_size: int, actors: int | None = None,
                        progress=None) -> str | None:
    """Score chunks ``todo`` on the cluster; progress(rows done, n) after each chunk.
    Returns the model's input format ("chat_template" or "pair"), None when nothing ran."""
    import ray.data

    if not todo:
        return None
    logging.getLogger("ray.data").setLevel(logging.WARNING)
    ray.data.DataContext.get_current().enable_progress_bars = False
    plan = actor_plan(executor.cluster_resources(), actors)
    items = [{"chunk": c, "prompts": [pairs[0][i] for i in chunks[c]],
              "responses": [pairs[1][i] for i in chunks[c]]} for c in todo]
    ds = ray.data.from_items(items).map_batches(
        ChunkRewardScorer, fn_constructor_args=(name, str(parts_dir), max_length, batch_size,
                                                plan["device"], plan["threads"]),
        compute=ray.data.ActorPoolStrategy(size=min(plan["size"], len(todo))), batch_size=1,
        num_cpus=plan["num_cpus"], num_gpus=plan["num_gpus"])
    n = len(pairs[0])
    done = n - sum(len(chunks[c]) for c in todo)
    fmt = None
    for row in ds.iter_rows():
        done += len(chunks[int(row["chunk"])])
        fmt = str(row["format"])
        if progress is not None and progress(done, n) is False:
            raise CancelledError(f"reward scoring cancelled after {done:,} of {n:,} rows")
    return fmt
