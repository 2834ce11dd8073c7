"""Generate the QD Explorer demo pool: many task domains, planted duplicates and bad rows.

All text comes from templates and tables written for this project. ``build_pool(n, seed)``
returns the rows; ``write_pool`` writes them as JSON Lines in the Alpaca shape with extra
columns: ``category``; ``quality_score`` (a 1-5 human-like rating, low for the planted
defects); ``planted`` ("" for a normal row, else the defect kind); and ``duplicate_of_line``
(for a planted near or exact duplicate, the 1-based line of its original, which is the pool
loader's ``source_row``; null otherwise).
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from pathlib import Path

from .brainstorm import make_brainstorm
from .classify import make_classification
from .cooking import make_cooking
from .creative import make_creative
from .defects import add_duplicates, plant_response_defects
from .fitness import make_fitness
from .letters import make_letter
from .math_problems import make_math_problem
from .open_qa import make_open_qa
from .python_tasks import make_python_task
from .records import Example, prompt_key
from .rewrite import make_rewrite
from .sql_tasks import make_sql_task
from .summaries import make_summary
from .translation import make_translation
from .units import make_unit_conversion

# category -> (generator, share weight); deliberately imbalanced, as real pools are
DOMAINS: dict[str, tuple[Callable[[random.Random], Example], float]] = {
    "open_qa": (make_open_qa, 20),
    "math": (make_math_problem, 12),
    "brainstorming": (make_brainstorm, 10),
    "code_python": (make_python_task, 9),
    "creative_writing": (make_creative, 8),
    "classification": (make_classification, 8),
    "summarization": (make_summary, 7),
    "email": (make_letter, 6),
    "translation": (make_translation, 5),
    "rewrite": (make_rewrite, 5),
    "cooking": (make_cooking, 4),
    "unit_conversion": (make_unit_conversion, 3.5),
    "health_fitness": (make_fitness, 3),
    "sql": (make_sql_task, 2.7),
}
# share of all rows per planted response defect (overwrites a clean row's output)
RESPONSE_DEFECTS = {"empty": 0.03, "truncated": 0.04, "repetitive": 0.03, "refusal": 0.02,
                    "copied_instruction": 0.01}
NEAR_DUPLICATE_SHARE = 0.05
EXACT_DUPLICATES_PER_1000 = 10 / 3
# (low, high) rating range per defect: a rater would mark these clearly down
DEFECT_SCORES = {"empty": (1.0, 1.3), "truncated": (1.6, 2.8), "repetitive": (1.2, 2.3),
                 "refusal": (1.0, 2.0), "copied_instruction": (1.0, 1.7)}
LONG_FORM = {"creative_writing", "email", "summarization", "code_python", "health_fitness",
             "cooking", "brainstorming"}
MIN_ROWS = 300


def planned_counts(n: int) -> dict[str, int]:
    """How many rows of each planted kind a pool of ``n`` rows gets."""
    counts = {kind: round(share * n) for kind, share in RESPONSE_DEFECTS.items()}
    counts["near_duplicate"] = round(NEAR_DUPLICATE_SHARE * n)
    counts["exact_duplicate"] = max(1, round(EXACT_DUPLICATES_PER_1000 * n / 1000))
    return counts


def domain_counts(n_base: int) -> dict[str, int]:
    """Split ``n_base`` rows over the domains by weight (largest remainder, stable order)."""
    total = sum(w for _, w in DOMAINS.values())
    exact = {name: n_base * w / total for name, (_, w) in DOMAINS.items()}
    counts = {name: int(v) for name, v in exact.items()}
    by_remainder = sorted(exact, key=lambda name: (counts[name] - exact[name], name))
    for name in by_remainder[:n_base - sum(counts.values())]:
        counts[name] += 1
    return counts


def generate_domain(name: str, count: int, seed: int, seen: set[str]) -> list[Example]:
    """``count`` examples with prompts unseen so far; the domain has its own seeded stream."""
    make = DOMAINS[name][0]
    rng = random.Random(f"{seed}:{name}")
    rows: list[Example] = []
    for _ in range(count * 200):
        if len(rows) == count:
            return rows
        ex = make(rng)
        key = prompt_key(ex.instruction, ex.input)
        if key in seen:
            continue
        seen.add(key)
        rows.append(ex)
    if len(rows) < count:
        raise ValueError(f"domain {name} ran out of distinct prompts at {len(rows)}/{count}")
    return rows


def clean_score(rng: random.Random, ex: Example) -> float:
    """A rating for a normal row: mostly 3.5-5, a little higher for fuller long-form answers,
    lower for terse ones, and about 4% rated low for no visible reason (raters disagree)."""
    if rng.random() < 0.04:
        return round(rng.uniform(2.0, 3.4), 1)
    score = 4.2 + rng.gauss(0, 0.35)
    if ex.category in LONG_FORM and len(ex.output) < 60:
        score -= 0.4
    if len(ex.output) > 400:
        score += 0.15
    return round(min(5.0, max(3.0, score)), 1)


def build_pool(n: int = 3000, seed: int = 0) -> list[Example]:
    """The demo pool: ``n`` rows, deterministic for a given ``seed``."""
    if n < MIN_ROWS:
        raise ValueError(f"n must be at least {MIN_ROWS}, got {n}")
    planned = planned_counts(n)
    n_base = n - planned["near_duplicate"] - planned["exact_duplicate"]
    seen: set[str] = set()
    rows: list[Example] = []
    for name, count in domain_counts(n_base).items():
        rows.extend(generate_domain(name, count, seed, seen))
    rng = random.Random(f"{seed}:assemble")
    rng.shuffle(rows)
    for ex in rows:
        ex.quality_score = clean_score(rng, ex)
    plant_response_defects(rng, rows, {k: planned[k] for k in RESPONSE_DEFECTS})
    for ex in rows:
        if ex.planted:
            ex.quality_score = round(rng.uniform(*DEFECT_SCORES[ex.planted]), 1)
    return add_duplicates(rng, rows, planned["near_duplicate"], planned["exact_duplicate"])


def write_pool(rows: list[Example], path: str | Path) -> None:
    """One JSON object per line, UTF-8, ``\\n`` line ends: byte-identical for identical rows."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    line_of = {id(ex): line for line, ex in enumerate(rows, 1)}
    with path.open("w", encoding="utf-8", newline="\n") as fh:
        for ex in rows:
            original = line_of[id(ex.original)] if ex.original is not None else None
            fh.write(json.dumps(ex.as_record(original), ensure_ascii=False) + "\n")
