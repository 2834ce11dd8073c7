"""Errors a user can act on.

``InputError`` is raised for anything wrong with what the user gave us (a file, a column,
a parameter). Its ``str`` is one line that names the file, the line or field, and what was
expected; the CLI prints it and exits 2, the dashboard shows it in an error box. Anything
else that escapes is a bug: the CLI logs its traceback to a file and exits 1.
"""

from __future__ import annotations


class InputError(ValueError):
    """Bad user input, reported as one line: ``<where>: <problem>``."""

    def __init__(self, problem: str, *, file: str | None = None, line: int | None = None,
                 field: str | None = None) -> None:
        self.problem = " ".join(str(problem).split())
        self.file = file
        self.line = line
        self.field = field
        super().__init__(self.one_line())

    def one_line(self) -> str:
        where = []
        if self.file:
            where.append(str(self.file) + (f":{self.line}" if self.line is not None else ""))
        elif self.line is not None:
            where.append(f"line {self.line}")
        if self.field:
            where.append(f"field '{self.field}'")
        prefix = ", ".join(where)
        return f"{prefix}: {self.problem}" if prefix else self.problem


class CancelledError(RuntimeError):
    """A long run was cancelled through its progress callback."""
