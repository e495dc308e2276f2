"""A cluster's memory and CPU are the sums over its answering processes: per connection is per connection of the
whole cluster, not of the one process that was watched while the others held half the entrants."""

from __future__ import annotations

import os

from bench.servers import PeakSampler, cpu_s, pids_of, rss_kib, total


def test_one_pid_or_several():
    assert pids_of(None) == () and pids_of(7) == (7,) and pids_of([7, 8]) == (7, 8)


def test_figures_are_summed_over_the_processes():
    me = os.getpid()
    assert total(rss_kib, [me, me]) >= 2 * rss_kib(me) - 1024  # two reads a moment apart
    assert total(cpu_s, [me, me]) >= 2 * cpu_s(me) - 0.5
    assert total(rss_kib, [me, 2**22 + 1]) is None  # a process that is gone makes the sum unknown, not smaller


def test_the_peak_of_two_processes_is_the_peak_of_their_sum():
    me = os.getpid()
    with PeakSampler([me, me], every_s=0.01) as sampler:
        pass
    assert sampler.peak_kib >= 2 * rss_kib(me) - 1024
