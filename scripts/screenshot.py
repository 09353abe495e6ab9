"""Screenshot app pages in headless Chromium, to look at what users see.

    .venv/bin/python scripts/screenshot.py /gaps "/profile?state=KAZ&lang=ru" --out artifacts/shots

Starts the app on a free local port (or uses --url of a running one), opens each path, waits
until Streamlit has finished running the script, and writes one PNG per path.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.browser_support import launch_browser, running_app, wait_for_app


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("paths", nargs="+", help="app paths, e.g. / or '/gaps?as_of=2007-11-13'")
    parser.add_argument("--out", default="artifacts/screenshots")
    parser.add_argument("--url", help="base URL of an app already running")
    parser.add_argument("--width", type=int, default=1600)
    parser.add_argument("--height", type=int, default=1000)
    parser.add_argument("--full-page", action="store_true")
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)

    def shoot(base: str) -> None:
        with launch_browser() as browser:
            page = browser.new_page(viewport={"width": args.width, "height": args.height})
            for path in args.paths:
                page.goto(base + path)
                wait_for_app(page)
                name = re.sub(r"[^A-Za-z0-9]+", "_", path).strip("_") or "home"
                target = out / f"{name}.png"
                page.screenshot(path=str(target), full_page=args.full_page)
                print(target)

    if args.url:
        shoot(args.url.rstrip("/"))
    else:
        with running_app() as base:
            shoot(base)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
