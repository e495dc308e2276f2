"""The fair-play review queue (contest.fairplay.review and its pages): a scan flags the scripted attempts and not
the human ones, the queue shows them strongest first with their evidence in words, a unit organiser sees only
their subtree's and cannot decide, a decision needs a reason and is audited, and thresholds change per contest."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from contest.accounts.models import Role, StaffRole
from contest.attempts.models import Answer, Attempt, AttemptDevice, Status
from contest.audit.models import AuditEntry
from contest.db import utcnow
from contest.errors import DomainError
from contest.fairplay import review
from contest.fairplay.models import FairplayReview, ReviewStatus
from contest.leaderboards import reads
from contest.leaderboards.models import Disqualification, PublishedRow
from contest.leaderboards.results.publish import publish
from question_bank.models import Question
from tests.factories import PASSWORD, make_tree, make_user
from tests.integration.attempts.conftest import make_bank, make_round
from tests.integration.leaderboards.conftest import boards, store  # noqa: F401  (fixtures)
from tests.integration.leaderboards.test_results import closed_round  # noqa: F401  (fixture)


def played(session, round_, user, gaps: list[float], *, device: str, address: str = "10.0.0.1") -> int:
    """A submitted attempt of ``user`` answering one question per gap (seconds after the previous answer)."""
    questions = list(session.scalars(select(Question).order_by(Question.id)))[:len(gaps)]
    start = utcnow() - timedelta(hours=1)
    paper = [{"q": q.id, "rev": q.id, "opts": ["A", "B", "C", "D"]} for q in questions]
    attempt = Attempt(round_id=round_.id, user_id=user.id, number=1, status=Status.SUBMITTED, paper=paper,
                      started_at=start, deadline=start + timedelta(minutes=30), max_score=len(gaps), score=len(gaps),
                      finished_at=start + timedelta(seconds=sum(gaps) + 1), duration_ms=int((sum(gaps) + 1) * 1000),
                      device_id=device, device_changes=0)
    session.add(attempt)
    session.flush()
    at = start
    for slot, gap in enumerate(gaps):
        at += timedelta(seconds=gap)
        session.add(Answer(attempt_id=attempt.id, slot=slot, choice=["B"], seq=slot + 1, answered_at=at))
    session.add(AttemptDevice(attempt_id=attempt.id, device_id=device, at=start, took_over=False,
                              agent="Android Chrome", address=address))
    session.commit()
    return attempt.id


@pytest.fixture
def contest_world(db_session):
    tree = make_tree(db_session)
    make_bank(db_session, single=10, multiple=0)
    round_ = make_round(db_session, questions=10)
    bots = [make_user(db_session, unit=tree["s1"]) for _ in range(3)]
    humans = [make_user(db_session, unit=tree["s3"]) for _ in range(4)]
    ids = {}
    for n, bot in enumerate(bots):  # ten answers in about a second, from one cloned device
        ids[bot.id] = played(db_session, round_, bot, [0.1 + 0.01 * n] * 10, device="emulator-clone-1")
    for n, human in enumerate(humans):
        ids[human.id] = played(db_session, round_, human, [9 + 3 * n, 14, 6, 22, 11, 8, 17, 12, 30, 9],
                               device=f"human-phone-{n}")
    contest_organiser = make_user(db_session, role=Role.ORGANISER, staff_role=StaffRole.CONTEST,
                                  phone="0900000101")
    unit_organiser = make_user(db_session, role=Role.ORGANISER, staff_role=StaffRole.UNIT, scope=tree["s3"],
                               phone="0900000102")
    db_session.commit()
    return {"round": round_, "contest_id": round_.contest_id, "bots": bots, "humans": humans, "ids": ids,
            "organiser": contest_organiser, "unit_organiser": unit_organiser, "tree": tree}


def test_a_scan_flags_the_script_and_not_the_humans_strongest_first(db_session, contest_world):
    w = contest_world
    report = review.scan_contest(db_session, w["organiser"], w["contest_id"], now=utcnow())
    assert (report.attempts, report.flagged, report.new) == (7, 3, 3)
    rows = review.queue(db_session, w["organiser"], w["contest_id"])
    assert {row.entrant.id for row in rows} == {bot.id for bot in w["bots"]}
    assert [row.review.strength for row in rows] == sorted((row.review.strength for row in rows), reverse=True)
    codes = {finding["code"] for finding in rows[0].review.findings}
    assert {"fast_answers", "shared_device", "short_total"} <= codes
    # a second scan renews the findings and adds nothing
    assert review.scan_contest(db_session, w["organiser"], w["contest_id"], now=utcnow()).new == 0
    assert db_session.scalar(select(AuditEntry).where(AuditEntry.action == "fairplay.scan")) is not None


def test_the_queue_page_gives_the_evidence_in_words(client, db_session, contest_world):
    w = contest_world
    review.scan_contest(db_session, w["organiser"], w["contest_id"], now=utcnow())
    assert client.post("/login", data={"login": "0900000101", "password": PASSWORD}).status_code == 302
    page = client.get(f"/organiser/contests/{w['contest_id']}/fairplay/").get_data(as_text=True)
    assert "10 trên 10 câu trả lời trong tổng cộng 1,1 giây" in page  # Vietnamese, with a decimal comma
    assert "3 thí sinh dùng chung thiết bị này" in page
    assert page.count('id="review-') == 3


def test_a_unit_organiser_sees_only_their_subtree_and_cannot_decide(client, db_session, contest_world):
    w = contest_world
    review.scan_contest(db_session, w["organiser"], w["contest_id"], now=utcnow())
    assert review.queue(db_session, w["unit_organiser"], w["contest_id"]) == []  # the bots are in S1, not S3
    bot_attempt = w["ids"][w["bots"][0].id]
    with pytest.raises(DomainError) as refused:
        review.decide(db_session, w["unit_organiser"], w["contest_id"], bot_attempt, decision="clear",
                      reason="looks fine", now=utcnow())
    assert refused.value.code == "forbidden"
    with pytest.raises(DomainError):
        review.scan_contest(db_session, w["unit_organiser"], w["contest_id"], now=utcnow())
    assert client.post("/login", data={"login": "0900000102", "password": PASSWORD}).status_code == 302
    assert 'id="review-' not in client.get(f"/organiser/contests/{w['contest_id']}/fairplay/").get_data(as_text=True)
    assert client.post(f"/organiser/contests/{w['contest_id']}/fairplay/{bot_attempt}",
                       data={"decision": "confirm", "reason": "x"}).status_code == 403
    assert db_session.get(FairplayReview, bot_attempt).status == ReviewStatus.FLAGGED


def test_a_decision_needs_a_reason_and_is_audited(client, db_session, contest_world):
    w = contest_world
    review.scan_contest(db_session, w["organiser"], w["contest_id"], now=utcnow())
    bot_attempt = w["ids"][w["bots"][0].id]
    assert client.post("/login", data={"login": "0900000101", "password": PASSWORD}).status_code == 302
    url = f"/organiser/contests/{w['contest_id']}/fairplay/{bot_attempt}"
    client.post(url, data={"decision": "confirm", "reason": "  "})
    assert db_session.get(FairplayReview, bot_attempt).status == ReviewStatus.FLAGGED
    assert client.post(url, data={"decision": "confirm", "reason": "10 câu trong 1 giây, chung máy"}).status_code == 302
    decided = db_session.get(FairplayReview, bot_attempt)
    db_session.refresh(decided)
    assert decided.status == ReviewStatus.CONFIRMED and decided.decided_by_id == w["organiser"].id
    entry = db_session.scalar(select(AuditEntry).where(AuditEntry.action == "fairplay.confirm"))
    assert entry.target_id == str(bot_attempt) and entry.details["reason"] == "10 câu trong 1 giây, chung máy"
    with pytest.raises(DomainError) as again:
        review.decide(db_session, w["organiser"], w["contest_id"], bot_attempt, decision="clear", reason="oops",
                      now=utcnow())
    assert again.value.code == "conflict"
    # a later scan keeps the decision
    review.scan_contest(db_session, w["organiser"], w["contest_id"], now=utcnow())
    assert db_session.get(FairplayReview, bot_attempt).status == ReviewStatus.CONFIRMED
    confirmed = client.get(f"/organiser/contests/{w['contest_id']}/fairplay/?status=confirmed").get_data(as_text=True)
    assert "chung máy" in confirmed


def test_thresholds_are_the_contests_own_and_change_what_is_flagged(client, db_session, contest_world):
    w = contest_world
    assert client.post("/login", data={"login": "0900000101", "password": PASSWORD}).status_code == 302
    url = f"/organiser/contests/{w['contest_id']}/fairplay/settings"
    bad = client.post(url, data={"flag_strength": "nhiều", "device_entrants": "-1"})
    assert bad.status_code == 422 and 'id="flag_strength-error"' in bad.get_data(as_text=True)
    assert client.post(url, data={"flag_strength": "9", "device_entrants": "3"}).status_code == 302
    assert review.scan_contest(db_session, w["organiser"], w["contest_id"], now=utcnow()).flagged == 0
    entry = db_session.scalar(select(AuditEntry).where(AuditEntry.action == "fairplay.settings"))
    assert entry.details["after"] == {"flag_strength": 9.0}


def test_confirming_disqualifies_through_the_results_with_a_new_published_version(
        db_session, boards, rt, closed_round):  # noqa: F811  (fixtures)
    """The round's four entrants answered instantly (through the service, all at one moment): An's five answers
    in no time are flagged; confirming takes An off the boards and publishes version 2 without them."""
    _tree, round_, people = closed_round
    publish(db_session, boards, rt.questions, round_id=round_.id, actor_id=None, reason="", now=utcnow())
    organiser = make_user(db_session, role=Role.ORGANISER, staff_role=StaffRole.CONTEST, commit=True)
    review.scan_contest(db_session, organiser, round_.contest_id, now=utcnow())
    an = people["An"]
    flagged_ids = {row.review.attempt_id for row in review.queue(db_session, organiser, round_.contest_id)}
    assert an.id in flagged_ids

    review.decide(db_session, organiser, round_.contest_id, an.id, decision="confirm",
                  reason="5 câu trong 0 giây", now=utcnow(), boards=boards, questions=rt.questions)

    standing = db_session.scalar(select(Disqualification).where(Disqualification.user_id == an.user_id))
    assert standing.round_id == round_.id and "5 câu trong 0 giây" in standing.reason
    latest = reads.latest_version(db_session, round_.id)
    assert latest.version == 2 and "5 câu trong 0 giây" in latest.reason
    ranked = set(db_session.scalars(select(PublishedRow.user_id).where(PublishedRow.result_id == latest.id)))
    assert an.user_id not in ranked and len(ranked) == 3
    view = boards.public_round_view(db_session, round_.id)
    assert boards.store.rank(view.family, None, an.user_id) is None
    assert db_session.get(FairplayReview, an.id).status == ReviewStatus.CONFIRMED


def test_the_scan_command_updates_the_queue(app, db_session, contest_world):
    result = app.test_cli_runner().invoke(args=["fairplay", "scan", str(contest_world["contest_id"])])
    assert result.exit_code == 0 and "7 attempts, 3 flagged (3 new)" in result.output
    assert app.test_cli_runner().invoke(args=["fairplay", "scan", "999999"]).exit_code == 1
