"""Closing a round's clock room is a signal to every process (``room_index.IndexedRooms.basic_close_room``): from
this process and from the message queue alike the listeners hear it, and the attempt cache forgets the round; a
copy read before the signal is not kept after it (``AttemptCache.epoch``)."""

from __future__ import annotations

import os
import time
import uuid
from datetime import UTC, datetime

import pytest
import socketio

from contest.attempts.state import AttemptCache, AttemptState
from contest.realtime.notifier import clock_room, holder_room
from contest.realtime.room_index import IndexedManager, IndexedRedisManager


def test_closing_a_clock_room_reaches_the_listeners_of_this_process():
    heard: list[str] = []
    local = IndexedManager()
    local.set_server(socketio.Server(async_mode="threading"))
    local.signal_listeners.append(heard.append)
    local.close_room(clock_room(7), "/play")
    local.close_room(holder_room(7, "dev"), "/play")  # an ordinary room: no signal
    assert heard == ["clock:7"]


@pytest.mark.postgres  # the PostgreSQL + Redis stage (.ci/run b): the cluster's path
def test_closing_a_clock_room_reaches_another_process_through_the_message_queue():
    assert os.environ.get("REDIS_URL"), "needs Redis: set REDIS_URL"
    url = os.environ["REDIS_URL"]
    channel = f"test-clock-{uuid.uuid4().hex[:12]}"
    heard: list[str] = []
    there = IndexedRedisManager(url, channel=channel)
    there.set_server(socketio.Server(async_mode="threading"))
    there.signal_listeners.append(heard.append)
    there.initialize()  # listens on the channel in a thread of its own
    here = IndexedRedisManager(url, channel=channel, write_only=True)
    here.set_server(socketio.Server(async_mode="threading"))
    deadline = time.monotonic() + 10
    while not heard and time.monotonic() < deadline:  # until the listener has subscribed
        here.close_room(clock_room(9), "/play")
        time.sleep(0.1)
    assert heard and set(heard) == {"clock:9"}


def state(attempt_id: int, round_id: int) -> AttemptState:
    return AttemptState(attempt_id, 1, round_id, datetime(2026, 12, 4, tzinfo=UTC), 5, ())


def test_the_cache_forgets_a_round_and_keeps_no_copy_read_before():
    cache = AttemptCache()
    cache.put(state(1, 10))
    cache.put(state(2, 11))
    epoch = cache.epoch
    cache.forget_round(10)
    assert cache.get(1) is None and cache.get(2) is not None
    cache.put(state(3, 10), epoch=epoch)  # read from the database before the round changed
    assert cache.get(3) is None
    cache.put(state(3, 10), epoch=cache.epoch)
    assert cache.get(3) is not None
