"""The organiser's live view: counts of a seeded round, connected entrants, and the Redis presence."""

from __future__ import annotations

import os
from datetime import timedelta

import pytest

from contest.attempts.models import Answer, Attempt, Status
from contest.db import utcnow
from contest.presence import LocalPresence, RedisPresence
from tests.factories import make_tree, make_user
from tests.integration.attempts.conftest import make_bank, make_round
from tests.integration.rounds.conftest import log_in


def seed(db_session):
    """A round with 3 attempts in progress, 2 submitted and 1 expired (5 entrants; one has two attempts), 7
    answers in the last 10 s, 4 older ones, and a busy other round that must not count."""
    tree = make_tree(db_session)
    make_bank(db_session)
    round_, other = make_round(db_session), make_round(db_session)
    now = utcnow()
    people = [make_user(db_session, unit=tree["s1"]) for _ in range(6)]
    plan = [(round_, people[0], 1, Status.SUBMITTED), (round_, people[0], 2, Status.IN_PROGRESS),
            (round_, people[1], 1, Status.IN_PROGRESS), (round_, people[2], 1, Status.IN_PROGRESS),
            (round_, people[3], 1, Status.SUBMITTED), (round_, people[4], 1, Status.EXPIRED),
            (other, people[5], 1, Status.IN_PROGRESS)]
    attempts = []
    for rnd, user, number, status in plan:
        attempt = Attempt(round_id=rnd.id, user_id=user.id, number=number, status=status, paper=[], started_at=now,
                          deadline=now + timedelta(minutes=10), max_score=5)
        db_session.add(attempt)
        attempts.append(attempt)
    db_session.flush()
    recent = [(attempts[1], 3), (attempts[2], 2), (attempts[3], 1), (attempts[4], 1)]  # 7 in the last 10 s
    old = [(attempts[0], 4)]
    for attempt, count in recent + old + [(attempts[6], 5)]:
        age = timedelta(seconds=60) if (attempt, count) in old else timedelta(seconds=3)
        for slot in range(count):
            db_session.add(Answer(attempt_id=attempt.id, slot=slot, choice=["A"], seq=1, answered_at=now - age))
    db_session.commit()
    return round_


def test_live_counts_of_a_seeded_round(client, db_session, organiser):
    round_ = seed(db_session)
    log_in(client, organiser)
    counts = client.get(f"/organiser/rounds/{round_.id}/live.json").json
    assert {key: counts[key] for key in ("in_progress", "submitted", "expired", "entrants", "answers_per_s")} \
        == {"in_progress": 3, "submitted": 2, "expired": 1, "entrants": 5, "answers_per_s": 0.7}
    assert counts["round_id"] == round_.id and counts["status"] == "open"
    page = client.get(f"/organiser/rounds/{round_.id}/live")
    assert page.status_code == 200 and "organiser-live.js" in page.text and "live.json" in page.text


def test_connected_entrants_are_counted(app, client, socket_client, db_session, organiser):
    round_ = make_round(db_session)
    entrant = make_user(db_session, unit=make_tree(db_session)["s1"], commit=True)
    log_in(client, organiser)
    before = client.get(f"/organiser/rounds/{round_.id}/live.json").json["connected"]
    log_in(client, entrant)
    sock = socket_client()
    assert sock.connected()
    app.extensions.pop("olympiad.live_counts", None)  # the one-second memo
    log_in(client, organiser)
    assert client.get(f"/organiser/rounds/{round_.id}/live.json").json["connected"] == before + 1
    sock.close()
    app.extensions.pop("olympiad.live_counts", None)
    assert client.get(f"/organiser/rounds/{round_.id}/live.json").json["connected"] == before


def test_counts_are_memoised_for_a_second(client, db_session, organiser):
    round_ = seed(db_session)
    log_in(client, organiser)
    first = client.get(f"/organiser/rounds/{round_.id}/live.json").json
    db_session.query(Attempt).filter(Attempt.round_id == round_.id).update({"status": Status.SUBMITTED})
    db_session.commit()
    assert client.get(f"/organiser/rounds/{round_.id}/live.json").json == first


def test_local_presence_never_goes_negative():
    presence = LocalPresence()
    presence.connected()
    presence.disconnected()
    presence.disconnected()
    assert presence.total() == 0


@pytest.fixture
def redis_client():
    redis = pytest.importorskip("redis")
    client = redis.Redis.from_url(os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/15", decode_responses=True)
    try:
        client.ping()
    except redis.RedisError:
        pytest.skip("no Redis on this machine")
    yield client
    client.close()


def test_redis_presence_adds_up_fresh_processes(redis_client):
    key = f"test:presence:{os.getpid()}:{id(redis_client)}"
    one, two, dead = (RedisPresence("", client=redis_client, stale_after_s=15) for _ in range(3))
    for presence, count in ((one, 3), (two, 4), (dead, 50)):
        presence.KEY = key
        presence.count = count
    try:
        one.publish(now=1000.0)
        two.publish(now=1004.0)
        dead.publish(now=980.0)  # a process that stopped beating 25 s ago
        assert one.total(now=1005.0) == 7
        assert redis_client.hlen(key) == 2  # the stale field is gone
        assert two.total(now=1030.0) == 0
    finally:
        redis_client.delete(key)


def test_redis_presence_unreachable_is_unknown():
    class Down:
        def hgetall(self, key):
            raise ConnectionError("down")

    assert RedisPresence("", client=Down()).total() is None
