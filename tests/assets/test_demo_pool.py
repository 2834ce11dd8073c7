"""The committed demo pool: reproducible from its script, varied, and honest about its defects."""

from __future__ import annotations

import ast
import collections
import difflib
import json
import os
import re
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from assets.demo_pool import (
    RESPONSE_DEFECTS,
    build_pool,
    planned_counts,
)
from assets.demo_pool.sql_tasks import SCHEMAS
from core.pool import load_pool

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "assets" / "make_demo_pool.py"
POOL = ROOT / "assets" / "demo_pool.jsonl"
FIELDS = {"instruction", "input", "output", "category", "quality_score", "planted",
          "duplicate_of_line"}
KINDS = {"", "near_duplicate", "exact_duplicate", *RESPONSE_DEFECTS}
REFUSAL = re.compile(r"^(As an AI|I'm sorry|I apologize|Unfortunately, I am not able)")
LOOKS_INTACT = ("", "near_duplicate", "exact_duplicate")


@pytest.fixture(scope="module")
def rows() -> list[dict]:
    with POOL.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh]


def _generate(out: Path, *args: str) -> bytes:
    env = {**os.environ, "PYTHONHASHSEED": "12345"}   # set order must not leak into the file
    subprocess.run([sys.executable, str(SCRIPT), "--out", str(out), *args], check=True,
                   env=env, cwd=out.parent, capture_output=True)
    return out.read_bytes()


def test_committed_file_equals_a_fresh_generation(tmp_path):
    assert _generate(tmp_path / "fresh.jsonl") == POOL.read_bytes()


def test_seed_and_size_are_honoured(tmp_path):
    a = _generate(tmp_path / "a.jsonl", "--n", "400", "--seed", "1")
    b = _generate(tmp_path / "b.jsonl", "--n", "400", "--seed", "2")
    assert a != b
    assert len(a.decode("utf-8").splitlines()) == 400
    assert build_pool(400, 1) == build_pool(400, 1)


def test_rejects_a_pool_too_small_for_every_domain(tmp_path):
    proc = subprocess.run([sys.executable, str(SCRIPT), "--out", str(tmp_path / "x.jsonl"),
                           "--n", "50"], capture_output=True, text=True)
    assert proc.returncode == 2 and "--n must be at least" in proc.stderr


def test_file_is_utf8_json_lines_under_2mb():
    data = POOL.read_bytes()
    assert len(data) < 2_000_000
    text = data.decode("utf-8")                      # strict: raises on bad bytes
    assert text.endswith("\n") and "\r" not in text
    for number, line in enumerate(text.splitlines(), 1):
        record = json.loads(line)
        assert set(record) == FIELDS, f"line {number}"
        for key in ("instruction", "input", "output", "category", "planted"):
            assert isinstance(record[key], str), f"line {number} {key}"
            assert not re.search(r"[\x00-\x08\x0b-\x1f\x7f]", record[key]), f"line {number}"


def test_row_count_scores_and_labels(rows):
    assert len(rows) == 3000
    assert {r["planted"] for r in rows} == KINDS
    assert all(isinstance(r["quality_score"], float) and 1.0 <= r["quality_score"] <= 5.0
               for r in rows)
    assert all(r["instruction"].strip() for r in rows)


def test_many_clearly_different_domains_with_realistic_imbalance(rows):
    counts = collections.Counter(r["category"] for r in rows)
    assert len(counts) >= 12
    assert min(counts.values()) >= 30
    assert max(counts.values()) >= 5 * min(counts.values())
    # domains differ in vocabulary: each one's 15 commonest content words are mostly its own
    top = {c: _top_words([r for r in rows if r["category"] == c], 15) for c in counts}
    for c, words in top.items():
        others = set().union(*(w for d, w in top.items() if d != c))
        assert len(words - others) >= 5, (c, words & others)


def _top_words(rows: list[dict], k: int) -> set[str]:
    stop = set("the a an and or of to in is it for on with this that be are as by at your "
               "you i my me what how can from it's its was not".split())
    words = collections.Counter(w for r in rows for w in re.findall(r"[a-z]{3,}",
                                (r["instruction"] + " " + r["output"]).lower())
                                if w not in stop)
    return {w for w, _ in words.most_common(k)}


def test_prompts_are_unique_apart_from_planted_duplicates(rows):
    # a near-duplicate may keep its original's prompt and only touch the response
    prompts = collections.Counter((r["instruction"], r["input"]) for r in rows
                                  if r["planted"] != "near_duplicate")
    repeated = sum(c - 1 for c in prompts.values())
    assert repeated == planned_counts(3000)["exact_duplicate"] == 10


def test_planted_defects_in_the_stated_proportions(rows):
    counts = collections.Counter(r["planted"] for r in rows)
    targets = {**RESPONSE_DEFECTS, "near_duplicate": 0.05}
    for kind, share in targets.items():
        assert abs(counts[kind] / len(rows) - share) <= 0.005, (kind, counts[kind])
    assert counts["exact_duplicate"] == 10


def _max_trigram_count(text: str) -> int:
    words = re.findall(r"\w+", text.lower())
    grams = collections.Counter(zip(words, words[1:], words[2:], strict=False))
    return max(grams.values(), default=0)


def test_each_planted_response_shows_its_defect(rows):
    for r in rows:
        out, kind = r["output"], r["planted"]
        if kind == "empty":
            assert out.strip() == ""
        elif kind == "truncated":
            assert len(out) >= 20 and out[-1].isalnum(), out
        elif kind == "repetitive":
            assert _max_trigram_count(out) >= 8, out
        elif kind == "refusal":
            assert REFUSAL.match(out), out
        elif kind == "copied_instruction":
            assert out.startswith(r["instruction"]) and len(out) <= len(r["instruction"]) + \
                len(r["input"]) + 2


def test_normal_rows_carry_none_of_the_defects(rows):
    for r in rows:
        if r["planted"] not in LOOKS_INTACT:
            continue
        out = r["output"]
        assert out.strip(), r
        assert out.strip() != r["instruction"].strip(), r
        assert _max_trigram_count(out) < 8, r
        assert not REFUSAL.match(out), r


def _edit_size(a: str, b: str) -> int:
    """Characters inserted, deleted or replaced to turn ``a`` into ``b`` (difflib opcodes)."""
    ops = difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes()
    return sum(max(i2 - i1, j2 - j1) for tag, i1, i2, j1, j2 in ops if tag != "equal")


def test_every_duplicate_points_at_its_clean_original(rows):
    def folded(r: dict) -> tuple[str, ...]:      # what the pool loader hashes
        return tuple(" ".join(r[k].split()) for k in ("instruction", "input", "output"))

    def lowered(r: dict) -> str:
        return " ".join(folded(r)).lower()

    for line, r in enumerate(rows, 1):
        target = r["duplicate_of_line"]
        if r["planted"] not in ("near_duplicate", "exact_duplicate"):
            assert target is None
            continue
        original = rows[target - 1]
        assert original["planted"] == "" and original["category"] == r["category"]
        assert original["input"] == r["input"]
        if r["planted"] == "exact_duplicate":
            assert target < line
            assert (original["instruction"], original["output"]) == (r["instruction"],
                                                                      r["output"])
        else:
            # visibly different (so the loader keeps both), yet only a few characters apart
            assert folded(original) != folded(r)
            assert _edit_size(lowered(original), lowered(r)) <= 25, (original, r)


def test_quality_score_tracks_the_defects(rows):
    by_kind = collections.defaultdict(list)
    for r in rows:
        by_kind[r["planted"]].append(r["quality_score"])
    clean = by_kind[""]
    assert sum(clean) / len(clean) >= 3.9
    assert sum(3.5 <= s <= 5.0 for s in clean) / len(clean) >= 0.9
    for kind in RESPONSE_DEFECTS:
        scores = by_kind[kind]
        assert max(scores) < 3.0 and sum(scores) / len(scores) < 2.5, kind


def test_loads_through_the_pool_loader():
    lp = load_pool(str(POOL))
    assert lp.info.shape == "alpaca"
    assert lp.info.records_read == 3000
    assert lp.info.duplicates == 10
    assert lp.info.rows == 3000 - 10
    for col in ("category", "quality_score", "planted"):
        assert col in lp.frame.columns
    assert lp.frame["quality_score"].notna().all()


def test_code_answers_parse_and_sql_answers_run_on_their_schema(rows):
    con = sqlite3.connect(":memory:")
    for schema in SCHEMAS.values():
        for table in schema.splitlines():
            con.execute(f"CREATE TABLE {table}")
    checked = collections.Counter()
    for r in rows:
        if r["planted"] not in LOOKS_INTACT:
            continue
        for block in re.findall(r"```python\n(.*?)\n```", r["output"], re.S):
            ast.parse(block)
            checked["python"] += 1
        for query in re.findall(r"```sql\n(.*?)\n```", r["output"], re.S):
            con.execute("EXPLAIN " + query)
            checked["sql"] += 1
    assert checked["python"] >= 150 and checked["sql"] >= 50


_NUM = r"\$?(\d[\d,]*(?:\.\d+)?)"
_STEP = re.compile(rf"{_NUM} ([x+-]) {_NUM} = {_NUM}(?![\d(])")


def test_worked_arithmetic_is_correct(rows):
    checked = 0
    for r in rows:
        if r["category"] not in ("math", "unit_conversion") or r["planted"] not in LOOKS_INTACT:
            continue
        for m in _STEP.finditer(r["output"]):
            before = r["output"][:m.start()].rstrip()
            if before.endswith(("+", "-", "x", "(", "/")) or before[-1:].isdigit():
                continue                             # part of a longer expression
            a, op, b, c = (m.group(1), m.group(2), m.group(3), m.group(4))
            a, b, c = (float(v.replace(",", "")) for v in (a, b, c))
            value = {"x": a * b, "+": a + b, "-": a - b}[op]
            assert abs(value - c) <= 0.01 + 1e-3 * abs(c), (m.group(0), r["output"])
            checked += 1
    assert checked >= 300
