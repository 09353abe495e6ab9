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


def test_mypy_strict_is_clean() -> None:
    """mypy in strict mode passes on all the Python of the app and its tests: the cthb package,
    the pages, app.py and tests/ (files and options from [tool.mypy] in pyproject.toml)."""
    proc = _run("mypy")
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_the_one_streamlit_internal_we_rely_on_still_exists() -> None:
    """cthb.webapp._ensure_app_shell leaves Streamlit's old multipage mode by flipping
    PagesManager.uses_pages_directory (no public API does this; see its docstring). If an
    upgrade removes the attribute, this fails loudly instead of the app silently misrouting."""
    from streamlit.runtime.pages_manager import PagesManager

    assert isinstance(getattr(PagesManager, "uses_pages_directory", None), bool | None)
    assert hasattr(PagesManager, "uses_pages_directory")
