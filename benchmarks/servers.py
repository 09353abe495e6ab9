"""Starting Streamlit servers for benchmarks: the app, or the minimal floor page, on a free port
of 127.0.0.1, with the process id so /proc can be read (benchmarks/procstat.py)."""

from __future__ import annotations

import contextlib
import io
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.procstat import CLOCK_TICKS, tree_cpu_s  # noqa: E402
from tests.browser_support import free_port, stop, wait_healthy  # noqa: E402


def minimal_app_dir() -> str:
    """A copy of the minimal page beside a copy of static/: Streamlit serves /app/static from
    the main script's folder, and plotly.js needs the topojson from there."""
    target = ROOT / "build" / "bench" / "minimal"
    shutil.rmtree(target, ignore_errors=True)
    shutil.copytree(ROOT / "static", target / "static")
    shutil.copy(ROOT / "benchmarks" / "minimal_page.py", target / "minimal_page.py")
    return str(target / "minimal_page.py")


@contextlib.contextmanager
def streamlit_server(script: str = "app.py", env: dict[str, str] | None = None,
                     port: int | None = None, cwd: Path = ROOT,
                     timeout: float = 90.0) -> Iterator[tuple[str, int]]:
    """`streamlit run <script>`, or `python -m cthb serve` for script "serve" (the app warmed
    at start, as deployed); yields (base URL, pid) once /_stcore/health answers."""
    port = port or free_port()
    options = ["--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none"]
    if script == "serve":
        cmd = [sys.executable, "-m", "cthb", "serve", "--port", str(port), *options]
    else:
        cmd = [sys.executable, "-m", "streamlit", "run", script, "--server.port", str(port),
               "--server.address", "127.0.0.1", "--server.headless", "true", *options]
    log_dir = ROOT / "build" / "logs"
    log_dir.mkdir(parents=True, exist_ok=True)
    with open(log_dir / f"bench-{port}.log", "w") as log:
        proc = subprocess.Popen(cmd, cwd=cwd, stdout=log, stderr=subprocess.STDOUT,
                                env={**os.environ, "CTHB_PROJECT_ROOT": str(ROOT),
                                     **(env or {})})
        base = f"http://127.0.0.1:{port}"
        try:
            wait_healthy(base, proc, timeout)
            yield base, proc.pid
        finally:
            stop(proc)


def wait_idle(pid: int, quiet_s: float = 0.6, timeout: float = 120.0) -> float:
    """Wait until the server tree has used at most one clock tick (10 ms) per 0.2 s for
    `quiet_s` seconds (its start-up warm-up, or the tail of a view, is over). Returns the
    tree's CPU seconds at that moment."""
    deadline = time.monotonic() + timeout
    step = 0.2
    last = tree_cpu_s(pid)
    quiet = 0.0
    while time.monotonic() < deadline:
        time.sleep(step)
        now = tree_cpu_s(pid)
        quiet = quiet + step if now - last <= 1.5 / CLOCK_TICKS else 0.0
        last = now
        if quiet >= quiet_s:
            return now
    return last


def nginx_available() -> str | None:
    return shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists()
                                      else None)


@contextlib.contextmanager
def nginx_in_front(replicas: list[str], prefix: Path) -> Iterator[str]:
    """nginx as deployed (deploy/render_nginx.py: static files from nginx, sticky sessions) in
    front of `replicas` (host:port), on a free port; yields its base URL."""
    from deploy import render_nginx

    nginx = nginx_available()
    if nginx is None:
        raise RuntimeError("nginx is not installed (apt-get install nginx)")
    port = free_port()
    args = ["--listen", f"127.0.0.1:{port}", "--standalone", str(prefix),
            "--bundle-dir", str(ROOT / "build" / "nginx" / "bundle")]
    for replica in replicas:
        args += ["--replica", replica]
    with contextlib.redirect_stdout(io.StringIO()):
        render_nginx.main(args)
    with open(prefix / "nginx.out", "w") as log:
        proc = subprocess.Popen([nginx, "-p", str(prefix), "-c", str(prefix / "nginx.conf"),
                                 "-g", "daemon off;"], stdout=log, stderr=subprocess.STDOUT)
        base = f"http://127.0.0.1:{port}"
        try:
            wait_healthy(base, proc, 30)
            yield base
        finally:
            stop(proc)
