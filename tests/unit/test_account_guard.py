"""Per-account limits (contest.realtime.guards): the connection cap closes the oldest, the event window is per
account across connections and costs no Redis round trip, and a failing Redis falls back to counting the
connections in the process."""

from __future__ import annotations

import redis

from contest.realtime.flood import flood_guard
from contest.realtime.guards import AccountGuard, AccountLimits, RedisCounts


class DownRedis:
    """A Redis client whose every command fails, as a stopped or hung server's does after its time-out."""

    calls = 0

    def pipeline(self, **kwargs):
        DownRedis.calls += 1
        raise redis.TimeoutError("Timeout reading from socket")

    def zrem(self, *args):
        DownRedis.calls += 1
        raise redis.ConnectionError("Connection refused")


def guard(shared=None, **limits) -> AccountGuard:
    made = AccountGuard()
    made.configure(AccountLimits(**limits), shared)
    return made


def test_a_connection_beyond_the_cap_closes_the_oldest_of_that_account_only():
    accounts = guard(max_connections=3)
    assert [accounts.connected(f"a{n}", 1, 100.0 + n) for n in range(3)] == [[], [], []]
    assert accounts.connected("b0", 2, 104.0) == []
    assert accounts.connected("a3", 1, 105.0) == ["a0"]
    accounts.disconnected("a1", 1, 106.0)
    assert accounts.connected("a4", 1, 107.0) == []  # a1 left: room for a4
    assert accounts.connected("a5", 1, 108.0) == ["a2"]


def test_the_event_window_counts_every_connection_of_the_account_and_spares_the_others():
    accounts = guard(events=10, window_s=10.0)
    flood_guard.buckets.clear()
    allowed = [accounts.allow(f"s{n % 5}", 7, 1000.0 + n / 100) for n in range(30)]
    assert allowed.count(True) == 10 and allowed[:10] == [True] * 10
    assert accounts.allow("other", 8, 1000.5)  # another account is untouched
    assert accounts.allow("s0", 7, 1010.0)  # the next window
    assert accounts.allow("anonymous", None, 1000.5)  # anonymous connections have only their own bucket
    flood_guard.buckets.clear()


def test_a_failing_redis_falls_back_to_the_process_and_is_not_asked_again_at_once():
    DownRedis.calls = 0
    accounts = guard(RedisCounts(DownRedis(), "test:"), max_connections=2, events=5, window_s=10.0)
    flood_guard.buckets.clear()
    assert accounts.connected("a", 1, 500.0) == [] and accounts.connected("b", 1, 500.1) == []
    assert accounts.connected("c", 1, 500.2) == ["a"]
    assert [accounts.allow("b", 1, 500.3) for _ in range(7)].count(True) == 5
    assert DownRedis.calls == 1  # one failure, then the process counts alone for a while
    accounts.connected("d", 1, 506.0)
    assert DownRedis.calls == 2  # and tries Redis again afterwards
    flood_guard.buckets.clear()


def test_events_that_read_the_database_have_a_tighter_window_of_their_own():
    accounts = guard(events=100, heavy_events=3, window_s=10.0)
    flood_guard.buckets.clear()
    starts = [accounts.allow("s", 9, 2000.0 + n / 100, "attempt_start") for n in range(6)]
    assert starts == [True, True, True, False, False, False]
    assert accounts.allow("s", 9, 2000.1, "answer")  # answers go on
    flood_guard.buckets.clear()


def test_an_event_is_counted_without_asking_redis():
    # The per-event path of 10,000 answering entrants: a round trip each was 7.6 % of a process's CPU.
    DownRedis.calls = 0
    accounts = guard(RedisCounts(DownRedis(), "test:"), events=3, window_s=10.0)
    flood_guard.buckets.clear()
    assert [accounts.allow("s", 4, 700.0 + n / 100) for n in range(5)] == [True, True, True, False, False]
    assert DownRedis.calls == 0
    flood_guard.buckets.clear()
