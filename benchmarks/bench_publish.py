"""The whole static edition: time to write it, its size, and a check that every link in every
page resolves to a written file (the browser test opens a subset: tests/test_browser_publish.py).

    .venv/bin/python benchmarks/bench_publish.py            # every State, with briefs
    .venv/bin/python benchmarks/bench_publish.py --quick    # three States, no briefs (CI)
"""

from __future__ import annotations

import argparse
import re
import shutil
import sys
from pathlib import Path
from urllib.parse import urljoin, urlparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from cthb.facts import current_facts  # noqa: E402
from cthb.publish import publish  # noqa: E402

HREF = re.compile(r'(?:href|src)="([^"]+)"')


def broken_links(site: Path) -> list[str]:
    files = {p.relative_to(site).as_posix() for p in site.rglob("*") if p.is_file()}
    broken = []
    for page in site.rglob("*.html"):
        base = "http://site/" + page.relative_to(site).as_posix()
        for ref in HREF.findall(page.read_text(encoding="utf-8")):
            url = urlparse(urljoin(base, ref))
            if url.netloc == "site" and url.path.lstrip("/") not in files:
                broken.append(f"{page.relative_to(site)} -> {ref}")
    return broken


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="three States, no briefs (CI)")
    parser.add_argument("--out", type=Path, default=ROOT / "build" / "site")
    args = parser.parse_args()
    shutil.rmtree(args.out, ignore_errors=True)
    facts = current_facts()
    states = ["KAZ", "MNG", "USA"] if args.quick else None
    done = publish(facts, args.out, states=states, briefs=not args.quick)
    size = sum(p.stat().st_size for p in args.out.rglob("*") if p.is_file())
    broken = broken_links(args.out)
    what = "3 States, no briefs" if args.quick else f"all {len(facts.states)} States with briefs"
    print(f"static edition ({what}): {len(done.pages)} pages, {len(done.files)} files, "
          f"{size / 2**20:.0f} MB, written in {done.seconds:.0f} s; broken links: {len(broken)} "
          "(target 0)")
    for line in broken[:10]:
        print(f"  {line}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
