"""Write the QD Explorer demo pool (default: assets/demo_pool.jsonl).

    python assets/make_demo_pool.py [--out PATH] [--n 3000] [--seed 0]

The same ``--n`` and ``--seed`` always give a byte-identical file. The generator lives in the
``demo_pool`` package beside this script (one module per group of task domains).
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from demo_pool import MIN_ROWS, build_pool, write_pool  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=HERE / "demo_pool.jsonl",
                        help="output JSONL path (default: %(default)s)")
    parser.add_argument("--n", type=int, default=3000, help="number of rows (default: 3000)")
    parser.add_argument("--seed", type=int, default=0, help="random seed (default: 0)")
    args = parser.parse_args(argv)
    if args.n < MIN_ROWS:
        parser.error(f"--n must be at least {MIN_ROWS}")
    rows = build_pool(args.n, args.seed)
    write_pool(rows, args.out)
    categories = Counter(ex.category for ex in rows)
    planted = Counter(ex.planted for ex in rows if ex.planted)
    print(f"wrote {len(rows)} rows to {args.out} ({args.out.stat().st_size:,} bytes)")
    print("categories: " + ", ".join(f"{k}={v}" for k, v in categories.most_common()))
    print("planted: " + ", ".join(f"{k}={v}" for k, v in sorted(planted.items())))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
