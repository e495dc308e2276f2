"""Disqualification (``results/disqualify.py``): the entrant leaves every board at once, in memory and in Redis;
neither the reconciliation, a rebuild nor a late submit puts them back; a published round gets a new version with
the reason in its changelog; a reinstatement undoes it all; every action is audited and scoped."""

from __future__ import annotations

import random
from datetime import timedelta

import pytest
from sqlalchemy import select

from contest.access.permissions import OPERATOR
from contest.accounts.models import Role, StaffRole
from contest.attempts import service
from contest.attempts.models import Attempt
from contest.db import utcnow
from contest.errors import DomainError
from contest.leaderboards import reads
from contest.leaderboards.models import PublishedResult, PublishedRow
from contest.leaderboards.reconcile import reconcile_live_rounds
from contest.leaderboards.results.disqualify import disqualify, reinstate
from contest.leaderboards.results.freeze import freeze
from contest.leaderboards.results.publish import publish
from contest.leaderboards.stores.families import family_of_contest, family_of_round, frozen_family, public_family
from contest.rounds.models import OrganiserContest, Round
from tests.factories import make_tree, make_user
from tests.integration.attempts.conftest import make_bank, make_round
from tests.integration.leaderboards.test_results import audit_of, closed_round, take  # noqa: F401  (fixture)


def on(boards, family: str, user) -> bool:
    return boards.store.rank(family, None, user.id) is not None


@pytest.fixture
def open_round(db_session, boards, rt):
    """Three entrants took an open round of a contest with a second, open round; An also took the second."""
    tree = make_tree(db_session)
    make_bank(db_session)
    round_ = make_round(db_session, questions=5, attempts=2)
    second = Round(contest=round_.contest, title="Tuần 2", opens_at=round_.opens_at, closes_at=round_.closes_at,
                   time_limit_s=600, question_count=5, attempts_allowed=1, grace_s=5, created_at=utcnow())
    db_session.add(second)
    db_session.commit()
    people = {name: make_user(db_session, unit=tree[school], full_name=name)
              for name, school in [("An", "s1"), ("Bình", "s2"), ("Cường", "s3")]}
    for name, right in [("An", 5), ("Bình", 4), ("Cường", 3)]:
        take(db_session, rt, people[name], round_, right=right)
    take(db_session, rt, people["An"], second, right=2)
    boards.ensure_round(db_session, round_.id)
    boards.ensure_contest(db_session, round_.contest_id)
    return tree, round_, second, people


def contest_organiser(session, contest_id: int | None = None, **kwargs):
    user = make_user(session, role=Role.ORGANISER, staff_role=kwargs.pop("staff_role", StaffRole.CONTEST), **kwargs)
    if contest_id is not None:
        session.add(OrganiserContest(user_id=user.id, contest_id=contest_id))
        session.commit()
    return user


def test_a_round_disqualification_takes_them_off_at_once_and_nothing_puts_them_back(db_session, boards, rt,
                                                                                    open_round):
    _tree, round_, second, people = open_round
    an, binh = people["An"], people["Bình"]
    organiser = contest_organiser(db_session, round_.contest_id)
    assert on(boards, family_of_round(round_.id), an) and on(boards, family_of_contest(round_.contest_id), an)

    row = disqualify(db_session, actor=organiser, entrant_id=an.id, round_id=round_.id, reason="  Dùng  hai tài khoản ",
                     now=utcnow(), boards=boards)

    assert row.reason == "Dùng hai tài khoản" and row.round_id == round_.id
    assert not on(boards, family_of_round(round_.id), an)
    assert on(boards, family_of_round(second.id), an)  # only this round
    assert boards.store.rank(family_of_round(round_.id), None, binh.id).rank == 1
    # The contest board counts An's other round only (best: 2 of 5, below Bình's 4 and Cường's 3).
    assert boards.store.rank(family_of_contest(round_.contest_id), None, an.id).rank == 3
    [entry] = audit_of(db_session, "entrant.disqualified")
    assert entry.actor_id == organiser.id and entry.target_id == str(an.id)
    assert entry.details["reason"] == "Dùng hai tài khoản" and entry.details["round_id"] == round_.id

    # The reconciliation counts the database without them: nothing to rebuild; a rebuild leaves them out too.
    assert reads.ranked_in_database(db_session, round_.id) == 2
    assert reconcile_live_rounds(db_session, boards, utcnow()) == []
    assert boards.rebuild_round(db_session, round_.id) == 2
    boards.rebuild_contest(db_session, round_.contest_id)
    assert not on(boards, family_of_round(round_.id), an)
    assert boards.store.rank(family_of_contest(round_.contest_id), None, an.id).rank == 3

    # A later attempt (the round allows two) is scored but placed nowhere.
    take(db_session, rt, an, round_, right=5)
    assert not on(boards, family_of_round(round_.id), an)
    assert boards.store.count(family_of_round(round_.id), None) == 2

    reinstate(db_session, actor=organiser, entrant_id=an.id, round_id=round_.id, reason="Đã xác minh",
              now=utcnow(), boards=boards)
    assert boards.store.rank(family_of_round(round_.id), None, an.id).rank == 1
    assert boards.store.rank(family_of_contest(round_.contest_id), None, an.id).rank == 1
    assert reads.ranked_in_database(db_session, round_.id) == 3
    [back] = audit_of(db_session, "entrant.reinstated")
    assert back.details["reason"] == "Đã xác minh"


def test_a_contest_disqualification_covers_every_round_and_the_public_board(db_session, boards, open_round):
    _tree, round_, second, people = open_round
    an = people["An"]
    freeze(db_session, boards, round_id=round_.id, actor_id=None, now=utcnow())
    assert on(boards, frozen_family(round_.id), an) and on(boards, public_family(round_.contest_id), an)

    disqualify(db_session, actor=OPERATOR, entrant_id=an.id, contest_id=round_.contest_id, reason="Gian lận",
               now=utcnow(), boards=boards)

    for family in (family_of_round(round_.id), family_of_round(second.id), frozen_family(round_.id),
                   family_of_contest(round_.contest_id), public_family(round_.contest_id)):
        assert not on(boards, family, an), family
    with pytest.raises(DomainError) as error:  # already out of the whole contest, so of each round too
        disqualify(db_session, actor=OPERATOR, entrant_id=an.id, round_id=second.id, reason="x", now=utcnow(),
                   boards=boards)
    assert error.value.code == "conflict"
    with pytest.raises(DomainError) as error:  # lifted where it was given
        reinstate(db_session, actor=OPERATOR, entrant_id=an.id, round_id=round_.id, reason="x", now=utcnow(),
                  boards=boards)
    assert error.value.code == "conflict"
    boards.rebuild_public_contest(db_session, round_.contest_id, reads.public_cuts(db_session,
                                                                                   contest_id=round_.contest_id))
    assert not on(boards, public_family(round_.contest_id), an)

    reinstate(db_session, actor=OPERATOR, entrant_id=an.id, contest_id=round_.contest_id, reason="Nhầm",
              now=utcnow(), boards=boards)
    for family in (family_of_round(round_.id), family_of_round(second.id), frozen_family(round_.id),
                   family_of_contest(round_.contest_id), public_family(round_.contest_id)):
        assert on(boards, family, an), family


def test_a_published_round_gets_a_new_version_with_the_reason(db_session, boards, rt, closed_round):  # noqa: F811
    _tree, round_, people = closed_round
    publish(db_session, boards, rt.questions, round_id=round_.id, actor_id=None, reason="", now=utcnow())
    organiser = contest_organiser(db_session)
    an = people["An"]

    disqualify(db_session, actor=organiser, entrant_id=an.user_id, round_id=round_.id, reason="Chép bài",
               now=utcnow(), boards=boards)

    latest = reads.latest_version(db_session, round_.id)
    assert latest.version == 2 and latest.entrants == 3
    assert "Chép bài" in latest.reason and f"#{an.user_id}" in latest.reason
    ranked = list(db_session.scalars(select(PublishedRow.user_id).where(PublishedRow.result_id == latest.id)
                                     .order_by(PublishedRow.rank)))
    assert an.user_id not in ranked and len(ranked) == 3
    view = boards.public_round_view(db_session, round_.id)
    assert view.version == 2 and boards.store.rank(view.family, None, an.user_id) is None
    assert boards.store.count(view.family, None) == 3
    assert [e.details["version"] for e in audit_of(db_session, "results.publish")] == [1, 2]

    reinstate(db_session, actor=organiser, entrant_id=an.user_id, round_id=round_.id, reason="Khiếu nại đúng",
              now=utcnow(), boards=boards)
    latest = reads.latest_version(db_session, round_.id)
    assert latest.version == 3 and latest.entrants == 4 and "Khiếu nại đúng" in latest.reason
    view = boards.public_round_view(db_session, round_.id)
    assert boards.store.rank(view.family, None, an.user_id) is not None
    assert db_session.scalar(select(PublishedResult.reason).where(PublishedResult.version == 1,
                                                                  PublishedResult.round_id == round_.id)) == ""


def test_scope_reason_and_target_are_checked_in_the_service(db_session, boards, open_round):
    tree, round_, _second, people = open_round
    an, cuong = people["An"], people["Cường"]  # schools s1 (district d1) and s3 (district d2)
    other = make_round(db_session)

    def refused(actor, entrant, **where) -> str:
        with pytest.raises(DomainError) as error:
            disqualify(db_session, actor=actor, entrant_id=entrant.id, reason=where.pop("reason", "Gian lận"),
                       now=utcnow(), boards=boards, **where)
        return error.value.code

    limited = contest_organiser(db_session, other.contest_id)
    assert refused(limited, an, round_id=round_.id) == "forbidden"
    manager = contest_organiser(db_session, staff_role=StaffRole.UNIT_MANAGER, scope=tree["d1"])
    assert refused(manager, cuong, round_id=round_.id) == "not_found"  # outside their district
    viewer = contest_organiser(db_session, staff_role=StaffRole.UNIT, scope=tree["province"])
    assert refused(viewer, an, round_id=round_.id) == "forbidden"  # a read-only role
    assert refused(OPERATOR, an, round_id=round_.id, reason="   ") == "validation"
    assert refused(OPERATOR, an, round_id=round_.id, contest_id=round_.contest_id) == "validation"
    assert refused(OPERATOR, an) == "validation"
    assert refused(OPERATOR, an, round_id=999_999) == "not_found"
    assert refused(OPERATOR, make_user(db_session, role=Role.ORGANISER), round_id=round_.id) == "not_found"
    assert audit_of(db_session, "entrant.disqualified") == []
    assert on(boards, family_of_round(round_.id), an)

    disqualify(db_session, actor=manager, entrant_id=an.id, round_id=round_.id, reason="Gian lận", now=utcnow(),
               boards=boards)  # inside their subtree
    assert not on(boards, family_of_round(round_.id), an)
    assert db_session.scalar(select(Attempt.score).where(Attempt.user_id == an.id)) == 5  # the attempt is kept


def test_a_late_submit_after_a_disqualification_is_skipped_even_in_progress(db_session, boards, rt, open_round):
    """An attempt in progress when its entrant is disqualified, submitted afterwards: never placed."""
    _tree, round_, _second, people = open_round
    binh = people["Bình"]
    view = service.start_attempt(db_session, rt, user_id=binh.id, round_id=round_.id, now=utcnow(),
                                 rng=random.Random(3))
    disqualify(db_session, actor=OPERATOR, entrant_id=binh.id, round_id=round_.id, reason="Gian lận",
               now=utcnow(), boards=boards)
    service.submit_attempt(db_session, rt, user_id=binh.id, attempt_id=view["id"], prediction=None,
                           now=utcnow() + timedelta(seconds=1))
    assert not on(boards, family_of_round(round_.id), binh)
    assert not on(boards, family_of_contest(round_.contest_id), binh)
