"""The ``/board`` namespace: watch validation, a snapshot in the acknowledgement, and the ticker pushing a changed
board once to its room (never when nothing changed, never after unwatch)."""

from __future__ import annotations

import pytest

from contest.realtime.board import board_watch
from tests.factories import make_user
from tests.integration.leaderboards.conftest import make_attempt
from tests.integration.leaderboards.test_boards_api import league


@pytest.fixture
def watch(app, boards):
    """This process's watchers, snapshots and ticker, emptied; ``tick()`` runs one pass of the ticker."""
    state = board_watch(app)
    state.watchers.clear()
    state.snapshots.clear()
    state.ticker.pushed.clear()
    yield state
    state.watchers.clear()
    state.snapshots.clear()
    state.ticker.pushed.clear()


def boards_received(sock) -> list[dict]:
    return [event["args"][0] for event in sock.received() if event["name"] == "board"]


def test_watch_validates_and_answers_with_the_snapshot(socket_client, db_session, watch):
    tree, round_, _ = league(db_session)
    sock = socket_client("/board")
    for payload, code in [({}, "bad_request"), ({"round_id": "1"}, "bad_request"), ([1], "bad_request"),
                          ({"round_id": 999_999}, "not_found"),
                          ({"round_id": round_.id, "unit_id": 999_999}, "not_found"),
                          ({"round_id": round_.id, "level": "Huyện"}, "bad_request"),
                          ({"round_id": round_.id, "level": "Tỉnh", "unit_id": tree["d1"].id}, "bad_request"),
                          ({"round_id": round_.id, "level": 5}, "bad_request")]:
        reply = sock.call("watch", payload)
        assert reply["ok"] is False and reply["error"]["code"] == code, payload
    assert sock.connected()
    reply = sock.call("watch", {"round_id": round_.id})
    assert reply["ok"] and reply["board"]["total"] == 5 and reply["board"]["state"] == "live"
    assert set(reply["board"]) >= {"round_id", "level", "unit_id", "generated_at", "total", "rows"}
    assert reply["board"]["rows"][0] == {"rank": 1, "name": "Phạm Dung", "unit": "THPT Phú Lương", "score": 5,
                                         "duration_ms": 30_000}
    district = sock.call("watch", {"round_id": round_.id, "level": "Huyện", "unit_id": tree["d1"].id})
    assert district["board"]["total"] == 3 and district["board"]["unit_id"] == tree["d1"].id
    assert watch.watchers.count() == 1  # a new watch replaces the old one
    assert sock.call("unwatch", {})["ok"] and watch.watchers.count() == 0


def test_a_submit_is_pushed_once_by_the_ticker_and_only_when_changed(socket_client, db_session, boards, watch):
    tree, round_, people = league(db_session)
    fan, other = socket_client("/board"), socket_client("/board")
    assert fan.call("watch", {"round_id": round_.id})["ok"]
    assert other.call("watch", {"round_id": round_.id, "unit_id": tree["s3"].id})["ok"]
    fan.received(), other.received()
    # what the watchers were given in their acks is not pushed again; nothing changed: nothing pushed
    assert watch.ticker.tick() == 0 and boards_received(fan) == [] and boards_received(other) == []

    newcomer = make_user(db_session, unit=tree["s2"], full_name="Vũ Giang")
    attempt = make_attempt(db_session, round_, newcomer, score=5, duration_ms=1_000)
    db_session.commit()
    boards.attempt_finalised(db_session, attempt)
    assert watch.ticker.tick() == 1  # the whole board changed; the S3 board did not
    pushed = boards_received(fan)
    assert len(pushed) == 1 and pushed[0]["rows"][0]["name"] == "Vũ Giang" and pushed[0]["total"] == 6
    assert boards_received(other) == []
    assert watch.ticker.tick() == 0 and boards_received(fan) == []

    assert fan.call("unwatch", {})["ok"]
    late = make_attempt(db_session, round_, people["Hoàng Em"], score=5, duration_ms=500, number=2)
    db_session.commit()
    boards.attempt_finalised(db_session, late)
    watch.ticker.tick()
    assert boards_received(fan) == []


def test_a_disconnect_forgets_the_watcher(socket_client, db_session, watch):
    _, round_, _ = league(db_session)
    sock = socket_client("/board")
    assert sock.call("watch", {"round_id": round_.id})["ok"] and watch.watchers.count() == 1
    sock.close()
    assert watch.watchers.count() == 0 and watch.watchers.boards() == []
