"""One load run against one server: split the entrants over worker processes, watch the server, merge the tallies."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from bench.machine_cpu import MachineCPU
from bench.servers import REPO, PeakSampler, cpu_s, pids_of, rss_kib, total
from bench.stats import Tally, load_figures, rss_per_connection_kib

# Time for the workers to import gevent and websocket-client before the first entrant is due.
WORKER_STARTUP_S = 2.0
# Past the deadline, how long a worker may take to close its sockets and report.
WORKER_GRACE_S = 30.0


@dataclass(frozen=True)
class LoadSpec:
    url: str
    round_id: int | str
    cookies: list[str | None]  # one per entrant; None connects without a session (the bare server's case)
    think_s: float
    ramp_per_s: float
    duration_s: float
    procs: int
    ack_timeout_s: float = 30.0
    seed: int = 1
    record_acks: bool = False  # the figures then carry ``acked_answers``: [attempt id, slot, seq] of each ack
    pace: str = "fixed"  # bench.pacing: how long each entrant takes over a question


def shares(spec: LoadSpec, start_at: float) -> list[dict]:
    """Each worker's part: entrants dealt round-robin, so together they ramp at the global rate."""
    common = {"url": spec.url, "round_id": spec.round_id, "think_s": spec.think_s, "ramp_per_s": spec.ramp_per_s,
              "start_at": start_at, "deadline": start_at + spec.duration_s, "ack_timeout_s": spec.ack_timeout_s,
              "seed": spec.seed, "record_acks": spec.record_acks, "pace": spec.pace}
    procs = max(1, min(spec.procs, len(spec.cookies)))
    return [{**common, "entrants": [[index, spec.cookies[index]] for index in range(worker, len(spec.cookies), procs)]}
            for worker in range(procs)]


def run_load(spec: LoadSpec, server_pid: int | Sequence[int] | None) -> dict:
    """Run the load and return its figures, with the server's memory and CPU when its pid is known (summed over
    its processes when it has several: per connection is then per connection of the whole cluster)."""
    load_before = os.getloadavg()[0]
    pids = pids_of(server_pid)
    rss_before = total(rss_kib, pids) if pids else None
    cpu_before = total(cpu_s, pids) if pids else None
    start_at = time.time() + WORKER_STARTUP_S
    with tempfile.TemporaryDirectory(prefix="bench-") as scratch:
        workers = []
        for number, share in enumerate(shares(spec, start_at)):
            path = Path(scratch) / f"share-{number}.json"
            path.write_text(json.dumps(share))
            workers.append(subprocess.Popen([sys.executable, "-m", "bench.worker", str(path)], cwd=REPO,
                                            stdout=subprocess.PIPE, stdin=subprocess.DEVNULL))
        with PeakSampler(pids) if pids else _NoSampler() as sampler, MachineCPU() as machine_cpu:
            parts, failures = _collect(workers, start_at + spec.duration_s + WORKER_GRACE_S)
    wall = time.time() - start_at
    tally = Tally.merge(parts)
    tally.errors.update({"worker_failed": failures} if failures else {})
    # Other work on the machine skews absolute figures; the load average says how much there was.
    machine = {"loadavg_1m_before": round(load_before, 2), "loadavg_1m_after": round(os.getloadavg()[0], 2),
               "cpu_s_by_kind": machine_cpu.figures()}
    figures = {"wall_s": round(wall, 1), **load_figures(tally, spec.think_s), "machine": machine}
    figures["server"] = _server_figures(pids, rss_before, sampler.peak_kib, cpu_before, wall, tally)
    if spec.record_acks:
        figures["acked_answers"] = tally.acked_answers
        figures["answer_acked_at"] = tally.answer_acked_at
    return figures


def _collect(workers: list[subprocess.Popen], give_up_at: float) -> tuple[list[dict], int]:
    parts, failures = [], 0
    for worker in workers:
        try:
            out, _ = worker.communicate(timeout=max(1.0, give_up_at - time.time()))
            parts.append(json.loads(out.decode().strip().splitlines()[-1]))
        except (subprocess.TimeoutExpired, ValueError, IndexError):
            worker.kill()
            worker.communicate()
            failures += 1
    return parts, failures


def _server_figures(pids: tuple[int, ...], rss_before, rss_peak, cpu_before, wall_s: float, tally: Tally) -> dict:
    if not pids:
        return {}
    cpu_after = total(cpu_s, pids)
    used = None if cpu_before is None or cpu_after is None else cpu_after - cpu_before
    return {
        "pid": pids[0] if len(pids) == 1 else list(pids),
        "rss_before_kib": rss_before,
        "rss_peak_kib": rss_peak,
        "rss_per_connection_kib": rss_per_connection_kib(rss_before, rss_peak, tally.connected),
        "cpu_s": None if used is None else round(used, 2),
        "cpu_pct": None if used is None or wall_s <= 0 else round(100 * used / wall_s, 1),
        "cpu_ms_per_answer": None if used is None or not tally.answers_acked
        else round(1000 * used / tally.answers_acked, 3),
    }


class _NoSampler:
    peak_kib = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return None
