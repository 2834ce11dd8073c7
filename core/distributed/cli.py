"""The ``--executor/--address/--shards`` options of ``python -m core embed|select``.

core.cli.embed and core.cli.select add these options and, when ``--executor ray`` is
given, hand over to the functions below; the output (text or ``--json``) stays the
commands' own. Importing this module does not import Ray.
"""

from __future__ import annotations

import math
from typing import Any

from core.distributed.executor import EXECUTORS, open_executor
from core.errors import InputError


def add_executor_arguments(parser, shards_help: str) -> None:
    group = parser.add_argument_group("distributed run (needs requirements-ray.txt)")
    group.add_argument("--executor", choices=EXECUTORS, default="local",
                       help="local: this process (default); ray: a Ray cluster")
    group.add_argument("--address", help="Ray cluster address (default: $RAY_ADDRESS, else "
                       "a local Ray on this machine's cores)")
    group.add_argument("--shards", type=int, metavar="M", help=shards_help)


def wants_ray(args) -> bool:
    """True for ``--executor ray``; InputError for --address/--shards without it."""
    if args.executor == "ray":
        if args.shards is not None and args.shards < 1:
            raise InputError(f"--shards must be at least 1, got {args.shards}", field="shards")
        return True
    for flag, value in (("--address", args.address), ("--shards", args.shards)):
        if value is not None:
            raise InputError(f"{flag} needs --executor ray", field=flag.lstrip("-"))
    return False


def select_on_ray(ws, args, request, progress):
    """``run_selection`` of ``request`` on Ray, with the select command's --address/--shards."""
    from core.distributed.greedi import GREEDI_STRATEGIES
    from core.distributed.workspace import select_workspace

    if request.strategy not in GREEDI_STRATEGIES:  # before a Ray start that takes seconds
        raise InputError(f"strategy '{request.strategy}' cannot run distributed; choose one of "
                         f"{', '.join(GREEDI_STRATEGIES)} or --executor local",
                         field="strategy")
    with open_executor("ray", address=args.address) as ex:
        return select_workspace(ws, request, executor=ex, shards=args.shards,
                                progress=progress)


def embed_on_ray(ws, args, name: str, options: dict[str, Any], progress) -> dict[str, Any]:
    """``ws.embed`` on Ray for the embed command's arguments (``--shards`` output files)."""
    from core.distributed.embedding import DEFAULT_SHARD_ROWS, EmbedderSpec
    from core.distributed.workspace import embed_workspace

    if args.from_npy:
        raise InputError("--from-npy reads a finished matrix; it takes no --executor ray",
                         field="executor")
    shard_rows = math.ceil(ws.n_rows / args.shards) if args.shards else DEFAULT_SHARD_ROWS
    with open_executor("ray", address=args.address) as ex:
        return embed_workspace(ws, EmbedderSpec(name, options), args.field, executor=ex,
                               shard_rows=shard_rows, progress=progress)
