"""The command line: parse, call the engine, print. No algorithm lives here.

Each command is a module in this package with ``add_parser(subparsers)`` that registers
its arguments and sets ``func`` to a ``run(args) -> int``. Exit codes: 0 success, 2 bad
input or usage (one line on stderr), 1 unexpected error (a short message on stderr and
the traceback in a log file whose path is printed).
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
import tempfile
import time
import traceback

from core.errors import CancelledError, InputError

# Command modules, in the order `--help` lists them.
COMMANDS = ["load", "embed", "map", "info", "scores", "quality", "near_duplicates", "select",
            "explain", "sweep", "compare", "metrics", "export", "reproduce"]


class _Parser(argparse.ArgumentParser):
    """argparse that reports usage errors as one line and exit code 2."""

    def error(self, message: str) -> None:
        self.exit(2, f"{self.prog}: error: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="python -m core", description="QD Explorer: quality-diverse "
                     "selection of instruction data.")
    from core import __version__

    parser.add_argument("--version", action="version", version=f"qdx {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    sub.required = True
    for name in COMMANDS:
        try:
            module = importlib.import_module(f"core.cli.{name}")
        except ModuleNotFoundError as exc:
            if exc.name == f"core.cli.{name}":
                continue  # command not built yet
            raise
        module.add_parser(sub)
    return parser


def _log_unexpected(exc: BaseException) -> str:
    log_dir = os.environ.get("QDX_LOG_DIR") or tempfile.gettempdir()
    path = os.path.join(log_dir, f"qdx-error-{time.strftime('%Y%m%d-%H%M%S')}-{os.getpid()}.log")
    try:
        with open(path, "w", encoding="utf-8") as fh:
            fh.write(" ".join(sys.argv) + "\n\n")
            traceback.print_exception(exc, file=fh)
    except OSError:
        return "(could not write a log file)"
    return path


def _quiet_libraries() -> None:
    """Keep third-party progress bars and warnings off stderr: errors are one line."""
    for name, value in (("TRANSFORMERS_VERBOSITY", "error"), ("HF_HUB_DISABLE_PROGRESS_BARS", "1"),
                        ("TOKENIZERS_PARALLELISM", "false"), ("HF_DATASETS_DISABLE_PROGRESS_BARS",
                                                             "1")):
        os.environ.setdefault(name, value)
    import logging

    for name in ("huggingface_hub", "datasets", "transformers", "sentence_transformers"):
        logging.getLogger(name).setLevel(logging.ERROR)


def _closed_pipe() -> int:
    """The reader of stdout went away (``... | head``): the work is done, so exit 0 without a
    word, as Unix tools do. stdout is pointed at /dev/null so that Python's own flush at exit
    does not raise again (https://docs.python.org/3/library/signal.html#note-on-sigpipe)."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):  # stdout replaced by an object without a file descriptor
        pass
    return 0


def main(argv: list[str] | None = None) -> int:
    _quiet_libraries()
    parser = build_parser()
    # Commands that take strategy parameters accept any declared one as --NAME VALUE (the
    # declarations live with the strategies: core.select.params); the rest stay strict.
    args, extra = parser.parse_known_args(argv)
    if extra and not getattr(args, "accepts_param_flags", False):
        parser.error(f"unrecognized arguments: {' '.join(extra)}")
    args.param_flags = extra
    try:
        code = int(args.func(args) or 0)
        sys.stdout.flush()  # a closed pipe shows here, inside the try, not at exit
        return code
    except BrokenPipeError:
        return _closed_pipe()
    except InputError as exc:
        print(f"error: {exc.one_line()}", file=sys.stderr)
        return 2
    except CancelledError as exc:
        print(f"cancelled: {exc}", file=sys.stderr)
        return 130
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # noqa: BLE001 - the one place that turns bugs into exit 1
        path = _log_unexpected(exc)
        msg = " ".join(str(exc).split())[:300] or type(exc).__name__
        print(f"unexpected error: {type(exc).__name__}: {msg} (details in {path})", file=sys.stderr)
        return 1
