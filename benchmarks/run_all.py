"""Run every benchmark script in this folder and print its figures.

    .venv/bin/python benchmarks/run_all.py --quick

Each `bench_*.py` (export, map, views: server CPU per view against the floor, directly and
behind nginx; gc: `runner.postScriptGC` on and off) and the load test, each in its quick mode,
runs in its own process with the same interpreter; their output is printed as it comes. The
replica check (deploy/check_replicas.sh, about 8 minutes) is not run here. Times are reported,
never judged: there is no pass/fail on speed (the machine CI runs on varies). The exit code is
non-zero only if a script crashed, so a broken benchmark does not go unnoticed.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent


def scripts(include_load: bool) -> list[Path]:
    found = sorted(HERE.glob("bench_*.py"))
    if include_load and (HERE / "load_test.py").exists():
        found.append(HERE / "load_test.py")
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="pass --quick to every script")
    parser.add_argument("--no-load", action="store_true", help="skip the browser load test")
    parser.add_argument("--timeout", type=float, default=600.0,
                        help="seconds before a script is stopped (default 600)")
    args = parser.parse_args()

    failed: list[str] = []
    for script in scripts(include_load=not args.no_load):
        cmd = [sys.executable, str(script), *(["--quick"] if args.quick else [])]
        print(f"\n=== {script.relative_to(ROOT)} {'--quick' if args.quick else ''}", flush=True)
        start = time.monotonic()
        try:
            proc = subprocess.run(cmd, cwd=ROOT, timeout=args.timeout)
            code = proc.returncode
        except subprocess.TimeoutExpired:
            code = -1
            print(f"stopped after {args.timeout:.0f} s", flush=True)
        print(f"=== {script.name}: exit {code}, {time.monotonic() - start:.1f} s wall", flush=True)
        if code != 0:
            failed.append(script.name)
    if failed:
        print(f"\nbenchmarks that failed to run: {', '.join(failed)}")
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
