"""Warm a process before its first visitor, and keep it warm when the data change.

The first view in a fresh process used to cost about a second of CPU (imports, the facts,
the geometry, the first figures): whoever came first paid for everyone. `warm()` builds the
default views (the pages as they open: today's date, the default indicator and view, in every
interface language) into the shared caches of cthb.viewcache, the same entries the pages read.

`start_background()` runs it in a daemon thread once per process, then keeps watching: every
CTHB_WATCH_S seconds (default 2) it checks whether data/ changed (a cheap stat; an import on
another replica or process changes the files), and if so rebuilds this process's database and
warms the new version, so every replica serves new data within seconds without a visitor
paying for the rebuild. `python -m cthb serve` starts this before the web server; a plain
`streamlit run app.py` starts it with the first session (cthb.webapp.get_facts).
"""

from __future__ import annotations

import contextlib
import logging
import os
import threading
import time
from datetime import date

from cthb import viewcache
from cthb.facts import Facts
from cthb.i18n import available_languages

log = logging.getLogger("cthb.warmup")

_started = threading.Event()
_warmed: set[tuple[str, date]] = set()  # (data version, date) already warmed
_warmed_lock = threading.Lock()
last_warm_s: float | None = None  # wall seconds of the last warm-up, for benchmarks


def warm(facts: Facts, on: date | None = None) -> list[str]:
    """Build the default views of every page for `on` (today) in every language. Returns what
    was built, for logs and tests. Heavy modules are imported here too."""
    from cthb import views
    from cthb.charts.gaps import GAP_QUESTIONS

    on = on or date.today()
    done = []
    for lang in available_languages():
        chart = viewcache.chart(facts, "map", views.map_params(on, lang))
        views.map_tables(facts, chart)
        done.append(f"map/{lang}")
        for chart_id, params in views.gaps_chart_params(on, lang, None, None, on).items():
            viewcache.chart(facts, chart_id, params)
        views.gap_table(facts, GAP_QUESTIONS[0].id, on, lang, None, None)
        done.append(f"gaps/{lang}")
    # The modules a profile and a brief need, so their first use does not pay the imports.
    import cthb.export.brief
    import cthb.export.tables
    import cthb.profile  # noqa: F401
    return done


def warm_current() -> bool:
    """Warm the current data version for today, once per (version, day). True if it warmed."""
    global last_warm_s
    facts = viewcache.shared_facts()
    key = (facts.data_version, date.today())
    with _warmed_lock:
        if key in _warmed:
            return False
        _warmed.add(key)
    started = time.perf_counter()
    log.info("serving data version %s; warming its default views", key[0])
    try:
        built = warm(facts, key[1])
    except Exception:
        with _warmed_lock:
            _warmed.discard(key)
        raise
    last_warm_s = time.perf_counter() - started
    log.info("warmed %s for data version %s in %.1f s", ", ".join(built), key[0], last_warm_s)
    return True


def _watch(interval: float) -> None:
    # Lower this thread's CPU priority (Linux schedules threads as tasks): pre-building views
    # must not slow the sessions being served at the same moment.
    with contextlib.suppress(OSError, AttributeError):
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), 10)
    while True:
        try:
            warm_current()
        except Exception:
            log.exception("warm-up failed; the pages build on demand")
        if interval <= 0:
            return
        time.sleep(interval)


def start_background(interval: float | None = None) -> bool:
    """Start the warm-up and data watcher thread, once per process. False if already started
    or switched off (CTHB_WARMUP=0)."""
    if os.environ.get("CTHB_WARMUP", "1") == "0" or _started.is_set():
        return False
    with _warmed_lock:
        if _started.is_set():
            return False
        _started.set()
    if not log.handlers:  # say in the server's log when each version is ready
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(asctime)s %(name)s: %(message)s"))
        log.addHandler(handler)
        log.setLevel(logging.INFO)
    every = interval if interval is not None else float(os.environ.get("CTHB_WATCH_S", "2"))
    threading.Thread(target=_watch, args=(every,), name="cthb-warmup", daemon=True).start()
    return True
