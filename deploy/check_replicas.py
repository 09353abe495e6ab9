"""Three cthb replicas behind nginx on this machine, checked end to end (issue #16).

    bash deploy/check_replicas.sh            # installs nginx if missing, then runs this
    .venv/bin/python deploy/check_replicas.py [--sessions 12] [--duration 15]

1. Copies data/ to build/replicas/data (the one data/ every replica reads) and starts three
   replicas (`python -m cthb serve`), each with its own DuckDB file, all sharing the import lock
   (the lock inside data/, data/.cthb.lock), on free ports of 127.0.0.1; then nginx in front.
2. Static files: a bundle file through nginx comes compressed and cacheable, from nginx itself.
3. The load test (benchmarks/load_test.py) through nginx: every session marked with a cookie,
   so nginx's access log shows which replica served each of its requests. Checks: 0 errors,
   every session stays on one replica, each replica serves at least a quarter of the sessions.
4. Server CPU per view per replica: each view opened in fresh sessions pinned to one replica
   (its route cookie), the replica's CPU read from /proc.
5. An import (`python -m cthb import` on the shared data/, as the one writer), then every
   replica is asked, through nginx, for the map page until it shows the new data version;
   all must within 10 s.

Exit 0 only if every check passes. Everything is stopped at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gzip
import os
import re
import shutil
import statistics
import subprocess
import sys
import time
import urllib.request
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.load_test import report, run_phases  # noqa: E402
from benchmarks.procstat import tree_cpu_s, tree_rss_mb  # noqa: E402
from benchmarks.servers import wait_healthy, wait_idle  # noqa: E402
from cthb import store  # noqa: E402
from deploy import render_nginx  # noqa: E402
from tests.browser_support import free_port, launch_browser, stop, wait_for_app  # noqa: E402

REPLICAS = 3
NEW_VERSION_WITHIN_S = 10.0
VERSION_RE = re.compile(r"Data version ([0-9a-f]{16})")
LOG_LINE = re.compile(r'"(?P<method>\S+) (?P<uri>\S+) [^"]*" (?P<status>\d+) .* up=(?P<up>\S+) '
                      r'.* session="(?P<session>[^"]*)"')
PINNED_VIEWS = {"map": "/", "gaps": "/gaps", "profile": "/profile?state=KAZ"}
IMPORT_ROW = ("replica-check-src,official,Replica check: a source added by an import,"
              "deploy/check_replicas.py,2026,,,,,,\n")

failures: list[str] = []


def check(ok: bool, what: str) -> None:
    print(f"  [{'PASS' if ok else 'FAIL'}] {what}", flush=True)
    if not ok:
        failures.append(what)


@contextlib.contextmanager
def started(cmd: list[str], log: Path, env: dict[str, str]) -> Iterator[subprocess.Popen[bytes]]:
    with open(log, "w") as fh:
        proc = subprocess.Popen(cmd, cwd=ROOT, env={**os.environ, **env}, stdout=fh,
                                stderr=subprocess.STDOUT)
        try:
            yield proc
        finally:
            stop(proc)


def fetch(url: str, headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
    req = urllib.request.Request(url, headers=headers or {})
    with urllib.request.urlopen(req, timeout=30) as r:
        return r.status, {k.lower(): v for k, v in r.headers.items()}, r.read()


def check_static(base: str) -> None:
    status, _headers, body = fetch(base + "/")
    page = body.decode("utf-8", "replace")
    scripts = re.findall(r'src="\./(static/js/[^"]+\.js)"', page)
    check(status == 200 and bool(scripts), "nginx serves the app page (from a replica)")
    if not scripts:
        return
    status, headers, body = fetch(f"{base}/{scripts[0]}", {"Accept-Encoding": "gzip"})
    plain = gzip.decompress(body) if headers.get("content-encoding") == "gzip" else body
    bundle, _version = render_nginx.streamlit_bundle()
    original = (bundle / scripts[0].removeprefix("static/")).read_bytes()
    check(status == 200 and headers.get("content-encoding") == "gzip"
          and "immutable" in headers.get("cache-control", "")
          and "x-cthb-replica" not in headers and plain == original,
          f"Streamlit's bundle comes from nginx, gzip-compressed ({len(body) // 1024} kB for "
          f"{len(original) // 1024} kB) and cacheable for a year, not from a replica")
    status, headers, _body = fetch(base + "/app/static/topojson/world_110m.json",
                                   {"Accept-Encoding": "gzip"})
    check(status == 200 and headers.get("content-encoding") == "gzip"
          and "x-cthb-replica" not in headers,
          "the base map (static/topojson) comes from nginx, compressed")


def sessions_by_replica(access_log: Path) -> dict[str, set[str]]:
    """session cookie -> the replicas (upstream addresses) that served its requests."""
    seen: dict[str, set[str]] = defaultdict(set)
    for line in access_log.read_text(encoding="utf-8", errors="replace").splitlines():
        m = LOG_LINE.search(line)
        if m and m["session"] and m["session"] != "-" and m["up"] != "-":
            seen[m["session"]].add(m["up"].rstrip(","))
    return seen


def pinned_page(browser: Any, base: str, path: str, replica: str) -> Any:
    ctx = browser.new_context(viewport={"width": 1400, "height": 1000})
    ctx.add_cookies([{"name": "cthb_route", "value": replica, "domain": "127.0.0.1",
                      "path": "/"}])
    page = ctx.new_page()
    page.goto(base + path)
    wait_for_app(page, timeout_ms=120000)
    return ctx, page


def cpu_per_view(browser: Any, base: str, replicas: dict[str, int], reps: int) -> None:
    print("\nserver CPU per view per replica (fresh sessions pinned to each replica; "
          "CPU-seconds of that replica's process tree, median of "
          f"{reps}; static files come from nginx):")
    header = "".join(f"{v:>10}" for v in PINNED_VIEWS)
    print(f"  {'replica':<18}{header}{'RSS MB':>10}")
    for addr, pid in replicas.items():
        cells = []
        for path in PINNED_VIEWS.values():
            runs = []
            for _ in range(reps + 1):
                before = wait_idle(pid)
                ctx, _page = pinned_page(browser, base, path, addr)
                runs.append(wait_idle(pid) - before)
                ctx.close()
            cells.append(statistics.median(runs[1:]))  # the first may build this setting
        print(f"  {addr:<18}" + "".join(f"{c:>10.3f}" for c in cells)
              + f"{tree_rss_mb(pid):>10.0f}", flush=True)


def version_shown(browser: Any, base: str, replica: str) -> str | None:
    ctx, page = pinned_page(browser, base, "/", replica)
    try:
        found = VERSION_RE.search(page.locator("[data-testid='stMain']").inner_text())
        return found[1] if found else None
    finally:
        ctx.close()


async def first_new_version(base: str, addrs: list[str],
                            apply: Callable[[], str | None],
                            give_up_s: float) -> tuple[str | None, dict[str, float]]:
    """Run `apply` (the import; it returns the new data version, or None if it failed), then
    ask all replicas at once, again and again (a new session pinned to each, the map page, its
    "Data version" line) until each shows the new version: seconds after the import, when
    that line had arrived in the browser. The browser is started before the import."""
    from playwright.async_api import async_playwright

    from tests.browser_support import CHROMIUM, CHROMIUM_ARGS

    when: dict[str, float] = {}
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        new = apply()
        since = time.monotonic()
        if new is None:
            await browser.close()
            return None, when

        async def poll(addr: str) -> None:
            while time.monotonic() - since < give_up_s:
                ctx = await browser.new_context()
                await ctx.add_cookies([{"name": "cthb_route", "value": addr,
                                        "domain": "127.0.0.1", "path": "/"}])
                page = await ctx.new_page()
                try:
                    # The server's answer is the line it sends; the browser need not finish
                    # drawing the map first.
                    await page.goto(base + "/", wait_until="commit")
                    await page.wait_for_function(
                        "() => /Data version [0-9a-f]{16}/.test(document.body.innerText)",
                        timeout=120000)
                    text = await page.locator("body").inner_text()
                finally:
                    await ctx.close()
                found = VERSION_RE.search(text)
                if found and found[1] == new:
                    when[addr] = time.monotonic() - since
                    return
                await asyncio.sleep(0.3)

        try:
            await asyncio.gather(*(poll(a) for a in addrs))
        finally:
            await browser.close()
    return new, when


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sessions", type=int, default=12)
    parser.add_argument("--duration", type=float, default=15.0, help="seconds per view")
    parser.add_argument("--cpu-reps", type=int, default=3)
    args = parser.parse_args()
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    work = ROOT / "build" / "replicas"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    data = work / "data"
    shutil.copytree(ROOT / "data", data)

    ports = [free_port() for _ in range(REPLICAS)]
    addrs = [f"127.0.0.1:{p}" for p in ports]
    nginx_port = free_port()
    base = f"http://127.0.0.1:{nginx_port}"
    print(f"cthb replicas check: {REPLICAS} replicas {', '.join(addrs)} behind nginx on "
          f"{base}, one data/ at {data} ({os.cpu_count()} CPUs)", flush=True)

    with contextlib.ExitStack() as stack:
        pids: dict[str, int] = {}
        for i, (port, addr) in enumerate(zip(ports, addrs, strict=True), start=1):
            env = {"CTHB_DATA_DIR": str(data), "CTHB_DB": str(work / f"replica-{i}.duckdb"),
                   "CTHB_EXPORT_CACHE": str(work / f"cache-{i}"),
                   "CTHB_WATCH_S": "1"}
            proc = stack.enter_context(started(
                [sys.executable, "-m", "cthb", "serve", "--port", str(port),
                 "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none"],
                work / f"replica-{i}.log", env))
            pids[addr] = proc.pid
        for addr in pids:
            wait_healthy(f"http://{addr}", None, 120)
        started_at = time.monotonic()
        for pid in pids.values():
            wait_idle(pid, quiet_s=1.5)
        print(f"  replicas up and warmed ({time.monotonic() - started_at:.0f} s after health); "
              + ", ".join(f"{a}: {tree_rss_mb(p):.0f} MB" for a, p in pids.items()),
              flush=True)

        prefix = work / "nginx"
        render_nginx.main(["--listen", f"127.0.0.1:{nginx_port}", "--standalone", str(prefix),
                           *[x for a in addrs for x in ("--replica", a)]])
        stack.enter_context(started([nginx, "-p", str(prefix), "-c", str(prefix / "nginx.conf"),
                                     "-g", "daemon off;"], work / "nginx.out", {}))
        wait_healthy(base, None, 30)

        print("\nstatic files:")
        check_static(base)

        print(f"\nload test through nginx: {args.sessions} sessions, {args.duration:.0f} s "
              "per view:", flush=True)
        phases = asyncio.run(run_phases(base, args.sessions, args.duration,
                                        list(pids.values())))
        report(phases)
        errors = [e for ph in phases for e in ph.errors]
        for err in errors[:10]:
            print(f"    {err}")
        check(not errors, f"{len(errors)} errors (exception boxes, console errors, timeouts) "
                          "in the load test through nginx")
        seen = sessions_by_replica(prefix / "logs" / "access.log")
        ours = {s: r for s, r in seen.items() if s.startswith("s0-")}
        check(len(ours) == args.sessions,
              f"nginx logged requests of {len(ours)} of the {args.sessions} sessions")
        moved = {s: sorted(r) for s, r in ours.items() if len(r) != 1}
        check(not moved, "every session stayed on one replica"
              + (f" (moved: {moved})" if moved else ""))
        per_replica = Counter(next(iter(r)) for r in ours.values() if len(r) == 1)
        share = ", ".join(f"{a}: {per_replica.get(a, 0)}" for a in addrs)
        check(all(per_replica.get(a, 0) * 4 >= args.sessions for a in addrs),
              f"each replica served at least a quarter of the sessions ({share})")
        for ph in phases:
            cpu = ", ".join(f"{a} {ph.server_cpu_by_pid[p]:.1f}" for a, p in pids.items())
            print(f"  server CPU-s during the {ph.view} phase, by replica: {cpu}")

        with launch_browser() as browser:
            cpu_per_view(browser, base, pids, args.cpu_reps)

            print("\nimport on the shared data/ (the one writer), then each replica:",
                  flush=True)
            before = {a: version_shown(browser, base, a) for a in addrs}
            old = store.data_version(data)
            check(all(v == old for v in before.values()),
                  f"before the import every replica shows data version {old}")
            csv_file = work / "new-source.csv"
            header = (data / "sources.csv").read_text(encoding="utf-8").splitlines()[0]
            csv_file.write_text(header + "\n" + IMPORT_ROW, encoding="utf-8")

        def apply() -> str | None:
            env = {**os.environ, "CTHB_DATA_DIR": str(data),
                   "CTHB_DB": str(work / "writer.duckdb")}
            done = subprocess.run([sys.executable, "-m", "cthb", "import", str(csv_file)],
                                  cwd=ROOT, env=env, capture_output=True, text=True)
            print(f"  {datetime.now():%H:%M:%S} "
                  + (done.stdout.strip().splitlines() or [done.stderr.strip()])[-1])
            version = store.data_version(data)
            check(done.returncode == 0 and version != old,
                  f"the import applied (data version {old} -> {version})")
            return version if done.returncode == 0 else None

        new, when = asyncio.run(first_new_version(base, addrs, apply,
                                                  NEW_VERSION_WITHIN_S + 20))
        for i, addr in enumerate(addrs, start=1):
            # The replica's own log: when its watcher had the new database and facts.
            log = (work / f"replica-{i}.log").read_text(encoding="utf-8", errors="replace")
            ready = [line for line in log.splitlines() if f"serving data version {new}" in line]
            print(f"  {addr} log: {ready[0] if ready else 'no line for the new version'}")
            seconds = when.get(addr)
            check(seconds is not None and seconds <= NEW_VERSION_WITHIN_S,
                  f"{addr} shows data version {new} on a page loaded "
                  + (f"{seconds:.1f} s after the import" if seconds is not None
                     else f"not even {NEW_VERSION_WITHIN_S + 20:.0f} s after the import"))
        print("\nserver CPU-s used by each replica over the whole check: "
              + ", ".join(f"{a} {tree_cpu_s(p):.1f}" for a, p in pids.items()))

    print(f"\n{'ALL CHECKS PASSED' if not failures else f'{len(failures)} CHECK(S) FAILED'}")
    return 0 if not failures else 1


if __name__ == "__main__":
    raise SystemExit(main())
