"""Why an import or restore was refused: every problem, each one line naming where."""

from __future__ import annotations

from cthb.validate import Problem, format_problems


class ImportFailed(Exception):
    """The import was refused; nothing was changed."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__(f"{len(problems)} problem(s):\n" + format_problems(problems))


def file_problem(name: str, message: str, line: int | None = None) -> Problem:
    return Problem(name, line, None, None, message)


def one_line(exc: BaseException, limit: int = 160) -> str:
    """An exception as a short single line: its type, and its message if it has one."""
    text = " ".join(str(exc).split())
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__
