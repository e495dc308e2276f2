from __future__ import annotations

import time

from bench.machine_cpu import MachineCPU, family, used_between


def test_processes_are_sorted_by_kind():
    assert family("postgres", "postgres: postgres olympiad 127.0.0.1(5) idle") == "postgresql"
    assert family("redis-server", "redis-server 127.0.0.1:6379") == "redis"
    assert family("nginx", "nginx: worker process") == "nginx"
    assert family("python", "/repo/.venv/bin/python wsgi.py") == "app"
    assert family("python", "python -m bench.bare_server --port 5099") == "app"
    assert family("python", "python -m bench.worker /tmp/share-0.json") == "client"
    assert family("python", "python -m pytest -q") == "other"


def test_use_between_snapshots_counts_new_processes_from_zero():
    first = {1: ("app", 10.0), 2: ("postgresql", 5.0)}
    later = {1: ("app", 12.5), 2: ("postgresql", 5.5), 3: ("other", 0.7)}
    assert used_between(first, later) == {"app": 2.5, "postgresql": 0.5, "other": 0.7}


def test_a_busy_process_is_seen():
    with MachineCPU(every_s=0.1) as cpu:
        end = time.process_time() + 0.3
        while time.process_time() < end:
            pass
    assert cpu.figures().get("other", 0) >= 0.2  # this test process itself
