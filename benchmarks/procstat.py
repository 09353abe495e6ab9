"""Server CPU and memory from /proc (Linux; psutil is not installed): the helpers every
benchmark uses to measure what the *server* spends, apart from the browsers that drive it.

CPU of a process tree = utime + stime of every live process in it, plus cutime + cstime (the
CPU of children it has already reaped): kaleido's Chromium helpers, started and ended during a
render, are counted even after they exit.
"""

from __future__ import annotations

import os
from pathlib import Path

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def _stat_fields(pid: int) -> list[str] | None:
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    # The command name (field 2) is in parentheses and may contain spaces: split after it.
    return text.rsplit(")", 1)[1].split()


def descendants(pid: int) -> list[int]:
    """The process and all its descendants (from the parent ids in /proc/*/stat)."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        fields = _stat_fields(int(entry))
        if fields is None or len(fields) < 2:
            continue
        children.setdefault(int(fields[1]), []).append(int(entry))
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        todo.extend(children.get(p, []))
    return out


def process_cpu_s(pid: int) -> float:
    """CPU seconds of one process and the children it has reaped."""
    fields = _stat_fields(pid)
    if fields is None or len(fields) < 15:
        return 0.0
    # After the ")" split: utime, stime, cutime, cstime are fields 12..15 (0-based 11..14).
    return sum(int(x) for x in fields[11:15]) / CLOCK_TICKS


def tree_cpu_s(pid: int) -> float:
    """CPU seconds used so far by a process and all its descendants, live or reaped."""
    return sum(process_cpu_s(p) for p in descendants(pid))


def status_kb(pid: int, name: str) -> int:
    """A field of /proc/<pid>/status in kB (VmRSS, VmHWM), 0 if unreadable."""
    try:
        with open(f"/proc/{pid}/status") as fh:
            for line in fh:
                if line.startswith(name + ":"):
                    return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


def tree_rss_mb(pid: int) -> float:
    return sum(status_kb(p, "VmRSS") for p in descendants(pid)) / 1024


class MemoryWatch:
    """Peak memory of a process tree: the largest sampled sum of VmRSS, and VmHWM (the kernel's
    own high-water mark) of every process seen."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.peak_rss_kb = 0
        self.hwm_kb: dict[int, int] = {}

    def sample(self) -> None:
        pids = descendants(self.pid)
        self.peak_rss_kb = max(self.peak_rss_kb, sum(status_kb(p, "VmRSS") for p in pids))
        for p in pids:
            self.hwm_kb[p] = max(self.hwm_kb.get(p, 0), status_kb(p, "VmHWM"))

    @property
    def main_hwm_mb(self) -> float:
        return self.hwm_kb.get(self.pid, 0) / 1024

    @property
    def tree_peak_mb(self) -> float:
        return self.peak_rss_kb / 1024
