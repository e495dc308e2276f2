"""The ranking settings organisers choose: a round's tie-break order and a contest's aggregate. Validation, the
audit entry, the boards re-ranked at once (live, frozen and the contest's), when the order is fixed, and a change
reaching another process's recording; on the in-process store and, with ``REDIS_URL``, on Redis."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from contest.attempts.models import Attempt
from contest.audit.models import AuditEntry
from contest.db import utcnow
from contest.errors import DomainError
from contest.leaderboards.keys.encoding import decode
from contest.leaderboards.keys.ranking import LIVE
from contest.leaderboards.models import Aggregate, ContestBoard, RankingRule
from contest.leaderboards.recording import Leaderboards
from contest.leaderboards.results import settings
from contest.leaderboards.results.freeze import freeze
from contest.leaderboards.results.publish import publish
from contest.leaderboards.stores.families import family_of_contest
from tests.factories import make_tree, make_user
from tests.integration.attempts.conftest import make_round
from tests.integration.leaderboards.conftest import make_attempt
from tests.integration.leaderboards.test_contest_boards import two_rounds

SUBMITTED_FIRST = ["submitted", "duration", "prediction"]


def closed_league(session):
    """Three entrants with full marks in a round that closed five minutes ago. An's two attempts tie on score:
    the quicker one came later, so which one is An's best depends on the order."""
    tree = make_tree(session)
    round_ = make_round(session)
    now = utcnow()
    round_.opens_at, round_.closes_at = now - timedelta(days=1), now - timedelta(minutes=5)
    base = now - timedelta(hours=2)
    people = {}
    for name, school, taken in [("An", "s1", [(40_000, 3), (20_000, 20)]), ("Bình", "s1", [(30_000, 9)]),
                                ("Dung", "s3", [(30_000, 2)])]:
        people[name] = user = make_user(session, unit=tree[school], full_name=name)
        for number, (duration, offset) in enumerate(taken, start=1):
            make_attempt(session, round_, user, score=5, duration_ms=duration, number=number,
                         finished_at=base + timedelta(seconds=offset))
    session.commit()
    return round_, people


def board(client, path: str) -> list[tuple[str, int]]:
    return [(row["name"], row["duration_ms"]) for row in client.get(path).json["rows"]]


def audit_of(session, action: str) -> list[AuditEntry]:
    return list(session.scalars(select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)))


def test_a_new_tie_break_order_reranks_the_round_and_contest_boards_at_once(client, db_session, boards):
    round_, people = closed_league(db_session)
    round_url, contest_url = f"/api/rounds/{round_.id}/leaderboard", f"/api/contests/{round_.contest_id}/leaderboard"
    # The default order: duration, then submission time. An's quicker attempt represents them.
    assert board(client, round_url) == [("An", 20_000), ("Dung", 30_000), ("Bình", 30_000)]
    assert board(client, contest_url) == [("An", 20_000), ("Dung", 30_000), ("Bình", 30_000)]

    organiser = make_user(db_session, full_name="Tổ chức", email="org@example.vn", commit=True)
    assert settings.set_tie_breaks(db_session, boards, round_id=round_.id, tie_breaks=SUBMITTED_FIRST,
                                   actor_id=organiser.id, now=utcnow())

    assert db_session.get(RankingRule, round_.id).tie_breaks == SUBMITTED_FIRST
    # Earliest submission first: Dung (2 s), then An's first attempt (3 s), then Bình (9 s); the times shown are
    # read with the new order (the cached settings were dropped).
    assert board(client, round_url) == [("Dung", 30_000), ("An", 40_000), ("Bình", 30_000)]
    # The contest's board takes An's best of the round by the round's order, then ranks by the live order.
    assert board(client, contest_url) == [("Dung", 30_000), ("Bình", 30_000), ("An", 40_000)]
    entry = audit_of(db_session, "round.tie_breaks")[-1]
    assert (entry.actor_id, entry.target_type, entry.target_id) == (organiser.id, "round", str(round_.id))
    assert entry.details == {"round": round_.title, "from": ["prediction", "duration", "submitted"],
                             "to": SUBMITTED_FIRST}

    # The same order again changes nothing and is not audited; a partial order is completed in the default order.
    assert not settings.set_tie_breaks(db_session, boards, round_id=round_.id, tie_breaks=["submitted", "duration"],
                                       actor_id=organiser.id, now=utcnow())
    assert len(audit_of(db_session, "round.tie_breaks")) == 1


def test_frozen_copies_are_reranked_as_of_the_freeze(client, db_session, boards):
    round_, people = closed_league(db_session)
    url, contest_url = f"/api/rounds/{round_.id}/leaderboard", f"/api/contests/{round_.contest_id}/leaderboard"
    freeze(db_session, boards, round_id=round_.id, actor_id=None, now=utcnow())
    late = make_attempt(db_session, round_, make_user(db_session, full_name="Muộn"), score=5, duration_ms=1_000,
                        finished_at=utcnow() + timedelta(seconds=1))  # after the freeze: on no frozen board
    db_session.commit()
    boards.attempt_finalised(db_session, db_session.get(Attempt, late.id))
    assert board(client, url) == [("An", 20_000), ("Dung", 30_000), ("Bình", 30_000)]
    assert board(client, contest_url) == [("An", 20_000), ("Dung", 30_000), ("Bình", 30_000)]

    settings.set_tie_breaks(db_session, boards, round_id=round_.id, tie_breaks=SUBMITTED_FIRST, actor_id=None,
                            now=utcnow())
    assert client.get(url).json["state"] == client.get(contest_url).json["state"] == "frozen"
    assert board(client, url) == [("Dung", 30_000), ("An", 40_000), ("Bình", 30_000)]
    assert board(client, contest_url) == [("Dung", 30_000), ("Bình", 30_000), ("An", 40_000)]


@pytest.mark.parametrize(("given", "words"), [
    (["score", "duration"], "score always ranks first"),
    (["duration", "luck"], "no tie-break named luck"),
    (["duration", "submitted", "duration"], "only once"),
])
def test_invalid_orders_are_refused_and_nothing_is_written(app, db_session, boards, given, words):
    round_, _ = closed_league(db_session)
    with app.test_request_context(headers={"Cookie": "lang=en"}):
        with pytest.raises(DomainError) as refused:
            settings.set_tie_breaks(db_session, boards, round_id=round_.id, tie_breaks=given, actor_id=None,
                                    now=utcnow())
        assert refused.value.code == "validation" and words in str(refused.value.fields["tie_breaks"])
    db_session.rollback()
    assert db_session.get(RankingRule, round_.id) is None and not audit_of(db_session, "round.tie_breaks")


def test_when_the_order_may_change(app, db_session, boards):
    round_, _ = closed_league(db_session)
    now = utcnow()

    def change(order, at):
        return settings.set_tie_breaks(db_session, boards, round_id=round_.id, tie_breaks=order, actor_id=None,
                                       now=at)

    def refused(at, words):
        with app.test_request_context(headers={"Cookie": "lang=en"}):
            with pytest.raises(DomainError) as error:
                change(SUBMITTED_FIRST, at)
            assert error.value.code == "conflict" and words in str(error.value.message)
        db_session.rollback()

    refused(round_.opens_at - timedelta(seconds=30), "a minute before the round opens until it closes")
    refused(round_.opens_at + timedelta(hours=1), "a minute before the round opens until it closes")
    refused(round_.closes_at + timedelta(seconds=round_.grace_s + 30), "just closed")
    assert db_session.get(RankingRule, round_.id) is None
    assert change(SUBMITTED_FIRST, round_.opens_at - timedelta(minutes=2))  # well before it opens
    assert change(["duration", "prediction"], now)  # after the close, before any publication

    published = publish(db_session, boards, None, round_id=round_.id, actor_id=None, reason="", now=now)
    assert published.tie_breaks == ["duration", "prediction", "submitted"]
    refused(now, "published with this tie-break order")
    assert db_session.get(RankingRule, round_.id).tie_breaks == ["duration", "prediction", "submitted"]
    with pytest.raises(DomainError) as missing:
        settings.set_tie_breaks(db_session, boards, round_id=10**9, tie_breaks=[], actor_id=None, now=now)
    assert missing.value.code == "not_found"


def test_the_contest_aggregate_rebuilds_its_boards_and_is_audited(client, db_session, boards):
    _, contest, _ = two_rounds(db_session, None)
    url = f"/api/contests/{contest.id}/leaderboard"
    # A frozen round: the public reads the contest's public board (every attempt was before the freeze).
    freeze(db_session, boards, round_id=contest.rounds[0].id, actor_id=None, now=utcnow())

    def rows():
        page = client.get(url).json
        assert page["state"] == "frozen"
        return page["aggregate"], [(row["name"], row["score"], row["duration_ms"]) for row in page["rows"]]

    assert rows() == ("best", [("Lê Cường", 5, 20_000), ("Trần Thị Bình", 5, 30_000), ("Nguyễn Văn An", 5, 40_000),
                               ("Phạm Dung", 2, 5_000)])
    assert settings.set_aggregate(db_session, boards, contest_id=contest.id, aggregate="sum", actor_id=None,
                                  now=utcnow())
    # Each round's best added up: Bình 4 + 5, An 5 + 3, Cường and Dung one round each.
    assert rows() == ("sum", [("Trần Thị Bình", 9, 55_000), ("Nguyễn Văn An", 8, 55_000), ("Lê Cường", 5, 20_000),
                              ("Phạm Dung", 2, 5_000)])
    entry = audit_of(db_session, "contest.aggregate")[-1]
    assert (entry.target_type, entry.target_id) == ("contest", str(contest.id))
    assert entry.details == {"title": contest.title, "from": "best", "to": "sum"}

    assert not settings.set_aggregate(db_session, boards, contest_id=contest.id, aggregate="sum", actor_id=None,
                                      now=utcnow())
    with pytest.raises(DomainError) as refused:
        settings.set_aggregate(db_session, boards, contest_id=contest.id, aggregate="median", actor_id=None,
                               now=utcnow())
    assert refused.value.code == "validation" and "aggregate" in refused.value.fields
    with pytest.raises(DomainError) as missing:
        settings.set_aggregate(db_session, boards, contest_id=10**9, aggregate="sum", actor_id=None, now=utcnow())
    assert missing.value.code == "not_found"
    assert len(audit_of(db_session, "contest.aggregate")) == 1
    assert db_session.scalar(select(func.count()).select_from(ContestBoard)
                             .where(ContestBoard.contest_id == contest.id)) == 1


def test_another_process_records_by_the_new_aggregate_at_once(db_session, boards, store):
    """A second server process shares the store and has the round's settings cached from before the change."""
    tree, contest, people = two_rounds(db_session, Aggregate.BEST)
    first = contest.rounds[0]
    other = Leaderboards(store)
    other.round_info(db_session, first.id)
    settings.set_aggregate(db_session, boards, contest_id=contest.id, aggregate="sum", actor_id=None, now=utcnow())

    dung = people["Phạm Dung"]
    attempt = make_attempt(db_session, contest.rounds[1], dung, score=4, duration_ms=7_000, number=2,
                           finished_at=utcnow())  # number 1 is still in progress
    db_session.commit()
    other.attempt_finalised(db_session, attempt)
    placed = store.rank(family_of_contest(contest.id), None, dung.id)
    # Summed, 2 + 4 = 6 puts Dung above Cường's 5; their best round (4) would have left them last.
    assert placed.rank == 3 and decode(LIVE, placed.key)["score"] == 6
