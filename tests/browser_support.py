"""Running the real app and a real browser for end-to-end tests, screenshots and benchmarks.

The browser is Debian's /usr/bin/chromium driven by Playwright (no downloaded browser). It runs
with background networking off, and `block_external` makes any request that leaves 127.0.0.1
fail, so a test proves the app works offline.
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = os.environ.get("CTHB_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-dev-shm-usage",
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.contextmanager
def running_app(env: dict[str, str] | None = None, script: str = "app.py",
                timeout: float = 60.0) -> Iterator[str]:
    """Start `streamlit run` on a free port of 127.0.0.1; yield its base URL."""
    port = free_port()
    cmd = [sys.executable, "-m", "streamlit", "run", script,
           "--server.port", str(port), "--server.address", "127.0.0.1",
           "--server.headless", "true", "--browser.gatherUsageStats", "false",
           "--server.fileWatcherType", "none"]
    log_dir = ROOT / "build" / "logs"
    log_dir.mkdir(parents=True, exist_ok=True)
    with open(log_dir / f"streamlit-{port}.log", "w") as log:
        proc = subprocess.Popen(cmd, cwd=ROOT, env={**os.environ, **(env or {})},
                                stdout=log, stderr=subprocess.STDOUT)
        yield from _serve(proc, f"http://127.0.0.1:{port}", timeout)


def wait_healthy(base: str, proc: subprocess.Popen[bytes] | None, timeout: float) -> None:
    """Wait until the server at `base` answers /_stcore/health (nginx passes it on too)."""
    deadline = time.monotonic() + timeout
    while True:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"the server exited with code {proc.returncode}")
        try:
            with urllib.request.urlopen(base + "/_stcore/health", timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            pass
        if time.monotonic() > deadline:
            raise TimeoutError(f"{base} did not answer within {timeout:.0f} s")
        time.sleep(0.3)


def stop(proc: subprocess.Popen[bytes], grace: float = 15.0) -> None:
    """Ask a server to stop; kill it if it has not within `grace` seconds."""
    proc.terminate()
    try:
        proc.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        proc.kill()


def _serve(proc: subprocess.Popen[bytes], base: str, timeout: float) -> Iterator[str]:
    try:
        wait_healthy(base, proc, timeout)
        yield base
    finally:
        stop(proc)


@contextlib.contextmanager
def launch_browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def block_external(page: Any, blocked: list[str]) -> None:
    """Abort every request that is not to the local app; record what was tried."""
    def route(r: Any) -> None:
        url = r.request.url
        if url.startswith(("http://127.0.0.1", "ws://127.0.0.1", "data:", "blob:")):
            r.continue_()
        else:
            blocked.append(url)
            r.abort()
    page.route("**/*", route)


def wait_for_app(page: Any, timeout_ms: int = 30000) -> None:
    """Wait until Streamlit has rendered and finished running the page script."""
    page.wait_for_selector("[data-testid='stApp']", timeout=timeout_ms)
    page.wait_for_selector("[data-testid='stMain']", timeout=timeout_ms)
    # The status widget shows "Running..." while the script runs; wait until it has gone.
    deadline = time.monotonic() + timeout_ms / 1000
    quiet_since = None
    while time.monotonic() < deadline:
        # stApp's data-test-script-state is "notRunning" once a run has finished; before the
        # first run it is "initial", and the status widget only appears after a delay, so a
        # slow first run looked finished to the checks below alone.
        state = page.locator("[data-testid='stApp']").get_attribute("data-test-script-state")
        running = (state != "notRunning"
                   or page.locator("[data-testid='stStatusWidget']").count() > 0)
        skeleton = page.locator("[data-testid='stSkeleton']").count() > 0
        if running or skeleton:
            quiet_since = None
        elif quiet_since is None:
            quiet_since = time.monotonic()
        elif time.monotonic() - quiet_since > 0.6:
            return
        page.wait_for_timeout(100)
    raise TimeoutError("the app kept running")


def exception_texts(page: Any) -> list[str]:
    """Texts of Streamlit exception boxes on the page (a test fails on any)."""
    return [e.inner_text() for e in page.locator("[data-testid='stException']").all()]


@contextlib.contextmanager
def launch_browser_with_devices() -> Iterator[tuple[Any, dict[str, Any]]]:
    """The browser and Playwright's device descriptors ("iPhone 12": 390x844, a phone's user
    agent, touch; "iPad Mini": 768x1024), to open pages as those devices do."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser, dict(p.devices)
        finally:
            browser.close()
