"""``daar``: DaaR's diversity reward (arXiv 2502.04380), offline.

1. Domains: the context's labels (a user label column, or the workspace's k-means clusters)
   or k-means on the embeddings with ``n_domains`` clusters; centroids C_k are the
   normalised mean embeddings of each domain (the paper synthesises seed examples with the
   LLM instead).
2. Pseudo-labels: every row's nearest centroid, argmax_k cos(x, C_k).
3. Probe: a small MLP (d -> ``hidden`` ReLU -> K) trained on the frozen embeddings of up to
   ``train_size`` rows drawn from the whole pool, cross-entropy on the pseudo-labels, Adam
   (``lr``), ``steps`` mini-batches of 256 (reshuffled every pass over the sample, so small
   and large pools get the same amount of training). Deterministic under the seed:
   torch.manual_seed, one torch thread during the run.
4. Reward: the entropy of the probe's domain distribution, H(x) = -sum_k p_k log p_k,
   divided by ln K so it lies in [0, 1]. With ``target_domain`` (a label value or a label
   name) and ``target_weight`` w: reward = (1 - w) * H / ln K + w * p(target | x).
5. Selection: top-k candidates by reward, ties to the lower row.

gains: each pick's reward; objective_trace: the running sum. Caution (METHODS.md): the top
of H sits on domain boundaries, so small domains can end up with fewer rows than random
sampling gives them; show the domain composition beside the reward.
"""

from __future__ import annotations

import numpy as np

from core.clusters import label_centroids
from core.errors import InputError
from core.select.base import (
    Picks,
    ProgressReporter,
    SelectionContext,
    SelectionPlan,
    Strategy,
)
from core.select.cluster_balanced import label_params, resolve_labels
from core.select.params import Param

BATCH = 256


class DaarStrategy(Strategy):
    """Top-k by the entropy of a domain probe's prediction (optionally target-weighted)."""

    name = "daar"
    needs = frozenset({"embeddings", "labels"})
    greedy = True
    resumable = True
    order = 70
    summary = "DaaR: entropy of a probe's domain prediction as the reward."
    params = (
        *label_params("n_domains", "domains"),
        Param("hidden", "int", 64, "the probe's hidden units", low=1, ui=False),
        Param("steps", "int", 300, "the probe's training steps", low=1, ui=False),
        Param("train_size", "int", 5000, "rows the probe trains on", low=1, ui=False),
        Param("lr", "float", 3e-3, "the probe's learning rate", low=0.0, low_open=True,
              ui=False),
        Param("target_domain", "any", None, "a domain (label value or name) to favour",
              optional=True, ui=False),
        Param("target_weight", "float", 0.0, "weight of the target domain's probability in "
              "the reward", low=0.0, high=1.0, ui=False),
    )

    def check_params(self) -> None:
        super().check_params()
        if float(self.target_weight) > 0 and self.target_domain is None:
            raise InputError("target_weight > 0 needs a target_domain", field="target_domain")

    def _select(self, ctx: SelectionContext, plan: SelectionPlan, seed: int,
                report: ProgressReporter) -> Picks:
        x = np.asarray(ctx.require("embeddings", self.name), dtype=np.float32)
        labels, source = resolve_labels(ctx, self.name, self.n_domains, self.label_column, seed)
        n_dom = int(labels.max()) + 1
        if len(np.unique(labels)) < 2:
            raise InputError("daar needs at least 2 domains", field="n_domains")
        centroids = label_centroids(x, labels, n_dom)
        pseudo = np.argmax(x @ centroids.T, axis=1)
        probs, accuracy = train_probe(x, pseudo, n_dom, hidden=int(self.hidden),
                                      steps=int(self.steps), train_size=int(self.train_size),
                                      lr=float(self.lr), seed=seed)
        reward = self._reward(probs, n_dom, ctx.label_names)
        cand = plan.candidates
        free = cand[np.lexsort((cand, -reward[cand]))][:plan.n_free]
        rows = np.concatenate([plan.must, free])
        gains = reward[rows]
        info = {"label_source": source, "n_domains": n_dom,
                "probe_train_accuracy": accuracy}
        return Picks(rows, gains, np.cumsum(gains), info=info)

    def _reward(self, probs: np.ndarray, n_dom: int, names: list[str] | None) -> np.ndarray:
        p = np.clip(probs, 1e-12, 1.0)
        entropy = -(p * np.log(p)).sum(axis=1) / np.log(n_dom)
        w = float(self.target_weight)
        if self.target_domain is None or w == 0.0:
            return entropy
        target = self._target_index(n_dom, names)
        return (1.0 - w) * entropy + w * probs[:, target]

    def _target_index(self, n_dom: int, names: list[str] | None) -> int:
        t = self.target_domain
        if isinstance(t, str) and not t.lstrip("-").isdigit():
            if not names or t not in names:
                raise InputError(f"unknown target_domain {t!r}; domains: "
                                 f"{', '.join(names) if names else f'0..{n_dom - 1}'}",
                                 field="target_domain")
            return names.index(t)
        idx = int(t)
        if not 0 <= idx < n_dom:
            raise InputError(f"target_domain must be in 0..{n_dom - 1}, got {t!r}",
                             field="target_domain")
        return idx


def train_probe(x: np.ndarray, y: np.ndarray, n_classes: int, *, hidden: int, steps: int,
                train_size: int, lr: float, seed: int) -> tuple[np.ndarray, float]:
    """Train the MLP probe on a sample of (x, y); return (p(domain | x) for every row, float64
    (n, n_classes), accuracy on the training sample). O(steps * 256 * d * hidden)."""
    import torch

    previous_threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        torch.manual_seed(seed)
        rng = np.random.default_rng(seed)
        n = x.shape[0]
        sample = np.sort(rng.choice(n, size=min(train_size, n), replace=False))
        xt = torch.from_numpy(np.ascontiguousarray(x[sample]))
        yt = torch.from_numpy(y[sample].astype(np.int64))
        model = torch.nn.Sequential(torch.nn.Linear(x.shape[1], hidden), torch.nn.ReLU(),
                                    torch.nn.Linear(hidden, n_classes))
        opt = torch.optim.Adam(model.parameters(), lr=lr)
        gen = torch.Generator().manual_seed(seed)
        done = 0
        while done < steps:
            order = torch.randperm(len(sample), generator=gen)
            for start in range(0, len(sample), BATCH):
                idx = order[start:start + BATCH]
                opt.zero_grad()
                loss = torch.nn.functional.cross_entropy(model(xt[idx]), yt[idx])
                loss.backward()
                opt.step()
                done += 1
                if done >= steps:
                    break
        with torch.no_grad():
            accuracy = float((model(xt).argmax(dim=1) == yt).float().mean())
            probs = np.empty((n, n_classes), dtype=np.float64)
            for start in range(0, n, 8192):
                chunk = torch.from_numpy(np.array(x[start:start + 8192], dtype=np.float32))
                probs[start:start + 8192] = torch.softmax(model(chunk), dim=1).double().numpy()
        return probs, accuracy
    finally:
        torch.set_num_threads(previous_threads)
