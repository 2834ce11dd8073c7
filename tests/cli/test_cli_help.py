"""Every option of every command says what it does in --help."""

from __future__ import annotations

import argparse

from core.cli import build_parser


def test_every_option_has_help_text():
    parser = build_parser()
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    missing = [f"{name} {'/'.join(action.option_strings) or action.dest}"
               for name, command in sub.choices.items() for action in command._actions
               if not isinstance(action, argparse._HelpAction) and not action.help]
    assert not missing, f"options without help text: {', '.join(missing)}"
    assert {"load", "embed", "map", "info", "select", "metrics", "export",
            "reproduce"} <= set(sub.choices)
