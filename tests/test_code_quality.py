"""Lint and type check as tests, so the README's single test command (and CI) runs them too."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", *args], cwd=ROOT, capture_output=True,
                          text=True, timeout=600)


def test_ruff_is_clean() -> None:
    proc = _run("ruff", "check", ".", "--output-format", "concise")
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_mypy_is_clean_on_cthb() -> None:
    # Files and options come from [tool.mypy] in pyproject.toml (files = ["cthb"]).
    proc = _run("mypy")
    assert proc.returncode == 0, proc.stdout + proc.stderr
