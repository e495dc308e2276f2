"""Where the machine's CPU went during a run, by kind of process: the app, the load client, PostgreSQL, Redis,
nginx and everything else. The per-kind costs are what the sizing table in bench/RESULTS.md is computed from,
and "everything else" says how much other work shared the machine.

Processes that start and end inside the run (short-lived PostgreSQL backends, test runs) are counted from their
first sample; sampling every second keeps what is missed small.
"""

from __future__ import annotations

import os
import threading
from collections import Counter
from pathlib import Path

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def family(comm: str, cmdline: str) -> str:
    """The kind of process, from its command name and command line."""
    if comm.startswith("postgres") or "postgres:" in cmdline:
        return "postgresql"
    if comm.startswith("redis-server"):
        return "redis"
    if comm.startswith("nginx"):
        return "nginx"
    if "wsgi.py" in cmdline or "bench.bare_server" in cmdline:
        return "app"
    if "bench." in cmdline:
        return "client"
    return "other"


def snapshot() -> dict[int, tuple[str, float]]:
    """pid -> (family, CPU seconds so far) for every process that can be read."""
    seen = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        comm = stat[stat.index("(") + 1 : stat.rindex(")")]
        fields = stat[stat.rindex(")") + 2 :].split()
        seen[int(entry.name)] = (family(comm, cmdline), (int(fields[11]) + int(fields[12])) / CLOCK_TICKS)
    return seen


def used_between(first: dict[int, tuple[str, float]], later: dict[int, tuple[str, float]]) -> Counter:
    """CPU seconds per family between two snapshots; a process new in ``later`` counts from zero."""
    used: Counter = Counter()
    for pid, (kind, total) in later.items():
        before = first.get(pid)
        used[kind] += total - (before[1] if before and before[0] == kind else 0.0)
    return used


class MachineCPU:
    """Samples every ``every_s`` on a thread; ``figures()`` gives CPU seconds per family over the whole span."""

    def __init__(self, every_s: float = 1.0):
        self.every_s = every_s
        self.used: Counter = Counter()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> MachineCPU:
        self._last = snapshot()
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()
        self._take()

    def _run(self) -> None:
        while not self._stop.wait(self.every_s):
            self._take()

    def _take(self) -> None:
        now = snapshot()
        self.used.update(used_between(self._last, now))
        self._last = {**self._last, **now}

    def figures(self) -> dict[str, float]:
        return {kind: round(seconds, 1) for kind, seconds in sorted(self.used.items())}
