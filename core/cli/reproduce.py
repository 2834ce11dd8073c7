"""``python -m core reproduce MANIFEST --workspace DIR``: re-run a selection from its
manifest and say whether the ids match exactly.

Exit codes: 0 the ids match in rank order; 3 they differ; 2 refused (the source file or
the embedding differs from the manifest, or bad input), as one line on stderr.
"""

from __future__ import annotations

import json

MISMATCH_EXIT = 3


def add_parser(sub) -> None:
    p = sub.add_parser("reproduce", help="re-run a selection from its manifest and compare ids",
                       description="Re-run the selection a manifest.json describes on the "
                       "workspace and report whether the ids match exactly, in rank order. "
                       "Refuses when the workspace's source file or embedding differs from the "
                       "manifest's. Exit 0 on a match, 3 on a mismatch, 2 when refused.")
    p.add_argument("manifest", metavar="MANIFEST", help="a bundle's manifest.json (or folder)")
    p.add_argument("--workspace", required=True, help="the workspace to re-run on")
    p.add_argument("--json", action="store_true",
                   help="print one JSON object (match, ids, expected_ids, first_difference, "
                   "overlap, checks, warnings, seconds); when refused, {match: null, "
                   "refused: true, error} and exit 2")
    p.set_defaults(func=run)


def run(args) -> int:
    from core.cli.progress import progress_bar
    from core.errors import InputError
    from core.export import reproduce_manifest
    from core.workspace import Workspace

    update, close = progress_bar("re-running", unit="picks")
    try:
        report = reproduce_manifest(args.manifest, Workspace.open(args.workspace),
                                    progress=update)
    except InputError as exc:
        if args.json:  # a refusal is still one JSON object on stdout (and one line on stderr)
            print(json.dumps({"match": None, "refused": True, "error": exc.one_line()}))
        raise
    finally:
        close()
    if args.json:
        print(json.dumps(report.to_dict()))
    else:
        n = len(report.expected_ids)
        if report.match:
            print(f"match: the re-run picked the same {n:,} ids in the same order "
                  f"({report.seconds:.2f}s)")
        else:
            print(f"MISMATCH: first difference at rank {report.first_difference}; "
                  f"{report.overlap:,} of {n:,} ids in common ({report.seconds:.2f}s)")
        for key, value in report.checks.items():
            print(f"  {key}: {value}")
        for warning in report.warnings:
            print(f"  warning: {warning}")
    return 0 if report.match else MISMATCH_EXIT
