"""The login throttle's arithmetic, on the limiter's in-memory storage with the clock passed in."""

from __future__ import annotations

from limits.storage import MemoryStorage

from contest.accounts.throttle import LoginThrottle, account_key

T0 = 1_900_000_000.0


def make(**kwargs) -> LoginThrottle:
    return LoginThrottle(MemoryStorage(), **{"free": 5, "max_delay_s": 60, "window_s": 3600, **kwargs})


def test_the_first_failures_are_free_then_the_wait_doubles_up_to_the_cap():
    throttle = make()
    delays = []
    for n in range(12):
        now = T0 + 1000 * n  # far apart: each try is allowed
        assert throttle.wait_s("0912345678", "198.51.100.1", now=now) == 0
        delays.append(throttle.failed("0912345678", "198.51.100.1", now=now).delay_s)
    assert delays == [0, 0, 0, 0, 1, 2, 4, 8, 16, 32, 60, 60]


def test_the_wait_runs_down_with_the_clock():
    throttle = make(free=1)
    throttle.failed("a@b.vn", "198.51.100.1", now=T0)
    failure = throttle.failed("a@b.vn", "198.51.100.1", now=T0 + 0.5)
    assert failure.delay_s == 2 and not failure.burst_started
    assert throttle.wait_s("a@b.vn", "198.51.100.1", now=T0 + 0.5) == 2
    assert throttle.wait_s("a@b.vn", "198.51.100.1", now=T0 + 1.6) == 1
    assert throttle.wait_s("a@b.vn", "198.51.100.1", now=T0 + 3) == 0


def test_only_the_failing_address_waits_and_only_for_that_account():
    throttle = make(free=1)
    assert throttle.failed("0912345678", "198.51.100.1", now=T0).burst_started
    assert throttle.wait_s("0912345678", "198.51.100.1", now=T0) == 1
    assert throttle.wait_s("0912345678", "203.0.113.9", now=T0) == 0  # the owner, at home
    assert throttle.wait_s("0912000000", "198.51.100.1", now=T0) == 0  # another account, same school NAT


def test_a_success_forgets_the_failures():
    throttle = make(free=2)
    for _ in range(3):
        throttle.failed("0912345678", "198.51.100.1", now=T0)
    throttle.succeeded("0912345678", "198.51.100.1")
    assert throttle.wait_s("0912345678", "198.51.100.1", now=T0) == 0
    assert throttle.failed("0912345678", "198.51.100.1", now=T0).count == 1


def test_one_account_however_it_is_written():
    assert account_key("+84 912 345 678") == account_key("0912345678") == account_key("０９１２３４５６７８")
    assert account_key(" A@B.vn ") == "a@b.vn"
