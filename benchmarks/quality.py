"""Which quality score agrees with a judge, and what it buys a qdit selection.

    python benchmarks/quality.py                      # MiniLM embeddings (slow on CPU)
    python benchmarks/quality.py --model tfidf        # TF-IDF + SVD, about 2 minutes
    python benchmarks/quality.py --reward-cost MODEL --rows 200   # CPU cost of a reward model

Pool: the Alpaca union in ../shared/data (alpaca_5000 + AlpaGasus random 9k + the two
AlpaGasus filtered sets), 18,669 distinct (instruction, input) pairs. Judge: AlpaGasus's
helpfulness filter, a row is approved (1) when it is in ``alpagasus_helpfulness_t45.json``
(2,022 rows), else 0 (see ../shared/data/README.md for why that reading holds).

The judge's verdict is revealed on 1,000 random rows (seed 0), the column ``judge``; the
other 17,669 rows are held out. Printed:

1. each score's AUC and Spearman against the judge on the held-out rows: heuristic,
   length, learned:judge (fitted on the 1,000 rows only), and its 5-fold CV AUC on them;
2. qdit k=1,000 at alpha 0.3 / 0.5 / 0.7 with each score, and random (5 seeds): the
   judge-approved share of the picks (all rows, the truth) and the facility-location
   coverage FL = mean over the pool of max(0, cos to the nearest pick);
3. the time to fit on 1,000 judged rows and predict 50,000 rows, and to fit and predict
   with all 50,000 judged, on features of the cached embeddings (the union's rows resampled
   to 50,000), target < 5 s.

Every figure depends on the embedding model (printed) and on machine load (printed).
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np
import pandas as pd
from _common import cpu_note, shared_data

FILES = ["alpaca_5000.json", "alpagasus_random_9k.json", "alpagasus_claude_t45.json",
         "alpagasus_helpfulness_t45.json"]
JUDGE_FILE = "alpagasus_helpfulness_t45.json"


def union_records() -> tuple[list[dict], np.ndarray]:
    """(records, approved (n,) float) of the Alpaca union, first copy of each pair kept."""
    seen: dict[tuple[str, str], int] = {}
    records = []
    for name in FILES:
        for rec in json.loads(shared_data(f"alpaca/{name}").read_text(encoding="utf-8")):
            key = (rec["instruction"], rec.get("input", ""))
            if key not in seen:
                seen[key] = len(records)
                records.append(rec)
    judged = json.loads(shared_data(f"alpaca/{JUDGE_FILE}").read_text(encoding="utf-8"))
    approved = np.zeros(len(records))
    approved[[seen[(r["instruction"], r.get("input", ""))] for r in judged]] = 1.0
    return records, approved


def build_workspace(out: Path, model: str):
    from core.embed import create_embedder
    from core.pool import load_pool
    from core.workspace import Workspace

    records, approved = union_records()
    out.mkdir(parents=True, exist_ok=True)
    pool_file = out / "alpaca_union.json"
    pool_file.write_text(json.dumps(records), encoding="utf-8")
    loaded = load_pool(pool_file, keep_duplicates=True)
    ws = Workspace.create(out / f"ws-{model.replace('/', '_')}", loaded)
    if ws.n_rows != len(records) or ws.pool_frame()["instruction"].iloc[-1] != \
            records[-1]["instruction"]:
        raise SystemExit("the loaded pool's rows do not line up with the union's records")
    started = time.perf_counter()
    ws.embed(create_embedder(model), "both")
    print(f"pool: {ws.n_rows:,} rows ({int(approved.sum()):,} approved by the judge); "
          f"embedded with {ws.embedding_info()['model']} (both sides) in "
          f"{time.perf_counter() - started:.1f}s (cached after the first run)")
    return ws, approved


def held_out_agreement(ws, approved: np.ndarray, judged: np.ndarray) -> dict[str, np.ndarray]:
    """Each score's AUC/Spearman on the rows the model never saw; returns the scores."""
    from core.quality import workspace_quality
    from core.quality.agreement import score_agreement
    from core.quality.learned_workspace import workspace_learned

    held = np.ones(ws.n_rows, dtype=bool)
    held[judged] = False
    scores = {spec: workspace_quality(ws, spec) for spec in ("heuristic", "length")}
    started = time.perf_counter()
    learned = workspace_learned(ws, "judge")
    scores["learned:judge"] = workspace_quality(ws, "learned:judge")
    fit_s = time.perf_counter() - started
    print(f"\n1. agreement with the judge on the {held.sum():,} held-out rows")
    print(f"{'score':<16} {'AUC':>6} {'Spearman':>9}")
    for spec, q in scores.items():
        verdict = np.where(held, approved, np.nan)
        row = score_agreement(q, verdict, True)
        print(f"{spec:<16} {row['auc']:>6.3f} {row['spearman']:>9.3f}")
    print(f"{learned.summary()} ({fit_s:.1f}s: fit, CV and predict, or a read of the "
          "workspace cache on a second run)")
    return scores


def selections(ws, approved: np.ndarray, scores: dict[str, np.ndarray], k: int) -> None:
    from core.metrics.embedding import facility_location_coverage, max_similarity_to_selection
    from core.select.request import SelectionRequest
    from core.select.run import run_selection

    x = np.asarray(ws.embeddings())

    def line(label: str, idx: np.ndarray) -> str:
        fl = facility_location_coverage(max_similarity_to_selection(x, idx, knn=ws.knn()))
        return f"{label:<28} {approved[idx].mean():>9.3f} {fl:>9.4f}"

    print(f"\n2. qdit k={k:,}: judge-approved share of the picks (pool: {approved.mean():.3f}) "
          "and facility-location coverage")
    print(f"{'selection':<28} {'approved':>9} {'FL cover':>9}")
    rng_rows = [np.random.default_rng(s).choice(ws.n_rows, k, replace=False) for s in range(5)]
    shares = [approved[r].mean() for r in rng_rows]
    fls = [facility_location_coverage(max_similarity_to_selection(x, r, knn=ws.knn()))
           for r in rng_rows]
    print(f"{'random (5 seeds, mean)':<28} {np.mean(shares):>9.3f} {np.mean(fls):>9.4f}")
    for spec in scores:
        for alpha in (0.3, 0.5, 0.7):
            result = run_selection(ws, SelectionRequest("qdit", k, {"alpha": alpha},
                                                        quality=spec))
            print(line(f"qdit {spec} a={alpha}", np.asarray(result.indices)))


def fit_timing(ws, n: int = 50_000) -> None:
    from core.quality.learned import JudgedLabels, fit_and_score
    from core.quality.learned_workspace import workspace_features

    x_pool = workspace_features(ws)
    rows = np.random.default_rng(1).integers(0, ws.n_rows, n)
    x = x_pool[rows]
    y = (np.random.default_rng(2).random(n) < 0.11).astype(np.float64)
    print(f"\n3. fit + predict on {n:,} rows ({x.shape[1]} features, cached embeddings)")
    for m in (1_000, n):
        labels = JudgedLabels("judge", np.arange(m), y[:m], "binary")
        started = time.perf_counter()
        fit_and_score(x, labels)
        print(f"   {m:>6,} judged rows: {time.perf_counter() - started:.2f}s")


def reward_cost(model: str, rows: int, batch_size: int) -> None:
    """Seconds per 1,000 rows of a reward model on this machine's CPU (first ``rows`` pairs
    of the union, max_length 512)."""
    import torch

    from core.quality.reward import RewardModel
    from core.text import prompt_text

    records, _ = union_records()
    prompts = [prompt_text(r["instruction"], r.get("input", "")) for r in records[:rows]]
    responses = [r["output"] for r in records[:rows]]
    scorer = RewardModel(model, batch_size=batch_size, device="cpu")
    params = sum(p.numel() for p in scorer.model.parameters())
    started = time.perf_counter()
    scorer.score(prompts, responses)
    seconds = time.perf_counter() - started
    print(f"reward model {model} ({params / 1e6:.1f}M parameters, format {scorer.format}, "
          f"{torch.get_num_threads()} torch threads): {rows:,} rows in {seconds:.1f}s = "
          f"{seconds * 1000 / rows:.0f}s per 1,000 rows")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", default="all-MiniLM-L6-v2",
                        help="embedding model (tfidf for a quick run)")
    parser.add_argument("--out", default="bench-out/quality", help="scratch folder")
    parser.add_argument("--judged", type=int, default=1000)
    parser.add_argument("--k", type=int, default=1000)
    parser.add_argument("--reward-cost", metavar="MODEL", help="only time a reward model "
                        "(a hub name or local folder) on the first --rows pairs, on CPU")
    parser.add_argument("--rows", type=int, default=1000)
    parser.add_argument("--batch-size", type=int, default=8)
    args = parser.parse_args()
    print(f"benchmarks/quality.py ({cpu_note()})")
    if args.reward_cost:
        reward_cost(args.reward_cost, args.rows, args.batch_size)
        return
    ws, approved = build_workspace(Path(args.out), args.model)
    judged = np.random.default_rng(0).choice(ws.n_rows, args.judged, replace=False)
    judge = np.full(ws.n_rows, np.nan)
    judge[judged] = approved[judged]
    ws.set_columns({"judge": judge})
    verdicts = Path(args.out) / "judge.csv"  # the same verdicts as a file to import
    ids = ws.pool_frame(["id"])["id"].to_numpy()
    pd.DataFrame({"id": ids[judged], "helpful": approved[judged].astype(int)}).to_csv(
        verdicts, index=False)
    print(f"workspace: {ws.root}; the judged rows' verdicts: {verdicts}")
    scores = held_out_agreement(ws, approved, judged)
    selections(ws, approved, scores, args.k)
    fit_timing(ws)


if __name__ == "__main__":
    main()
