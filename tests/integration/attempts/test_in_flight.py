"""Rounds in flight (``attempts/in_flight.py``, the organiser's forms in ``rounds/in_flight_pages.py``): a paused
round takes no start, answer or submit over the socket or HTTP and the sweeper leaves it alone; resuming moves the
deadlines by the pause; a later close, extra time and extra attempts for an entrant or a unit; each audited,
scoped, and listed on the round's live monitor and results page."""

from __future__ import annotations

import random
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from contest.accounts.logins import open_login
from contest.accounts.models import Role, StaffRole
from contest.attempts import in_flight, service
from contest.attempts.history import entrant_rounds
from contest.attempts.models import Attempt, Status
from contest.attempts.payloads import AnswerPayload
from contest.attempts.timing import epoch_ms
from contest.audit.models import AuditEntry
from contest.db import utcnow
from contest.errors import DomainError
from contest.extensions import db
from contest.realtime.notifier import SocketIONotifier
from contest.rounds.models import AdjustmentKind, Round, RoundAdjustment
from tests.factories import PASSWORD, make_user
from tests.integration.attempts.conftest import correct_labels


def staff(session, *, role=StaffRole.CONTEST, scope=None, email=None):
    user = make_user(session, role=Role.ORGANISER, staff_role=role, scope=scope,
                     email=email or f"staff{role.value}@example.vn")
    session.commit()
    return user


def staff_client(app, user):
    """A test client of its own, logged in as ``user`` (the entrant's ``client`` keeps its own cookies)."""
    browser = app.test_client()
    token = open_login(db.session, user, now=utcnow())
    with browser.session_transaction() as flask_session:
        flask_session["_user_id"] = token
        flask_session["_fresh"] = True
    return browser


def deadline_of(session, attempt_id: int):
    return session.scalar(select(Attempt.deadline).where(Attempt.id == attempt_id))


def audited(session) -> list[str]:
    return list(session.scalars(select(AuditEntry.action).where(AuditEntry.action.like("round.%"))
                                .order_by(AuditEntry.id)))


@pytest.fixture
def organiser(db_session):
    return staff(db_session)


def test_a_paused_round_takes_nothing_over_the_socket_or_http(app, client, alice_socket, world, db_session, rt,
                                                              organiser):
    attempt = alice_socket.call("attempt_start", {"round_id": world["round"].id})["attempt"]
    assert attempt["paused"] is False
    labels = correct_labels(db_session, attempt["id"])
    assert alice_socket.call("answer", {"attempt_id": attempt["id"], "slot": 0, "choice": labels[0], "seq": 1})["ok"]

    boss = staff_client(app, organiser)
    paused = boss.post(f"/organiser/rounds/{world['round'].id}/pause", data={"clock-reason": "Mất điện"})
    assert paused.status_code == 302
    assert db_session.get(Round, world["round"].id, populate_existing=True).paused_at is not None
    assert ("paused", world["round"].id) in rt.notifier.rounds

    # the cached attempt is forgotten and read again: both the in-memory path and the ordinary one refuse
    refused = alice_socket.call("answer", {"attempt_id": attempt["id"], "slot": 1, "choice": labels[1], "seq": 2})
    assert refused["ok"] is False and refused["error"]["code"] == "round_paused"
    assert "tạm dừng" in refused["error"]["message"]
    again = alice_socket.call("answer", {"attempt_id": attempt["id"], "slot": 1, "choice": labels[1], "seq": 3})
    assert again["error"]["code"] == "round_paused"
    assert alice_socket.call("attempt_submit", {"attempt_id": attempt["id"]})["error"]["code"] == "round_paused"
    http_answer = client.put(f"/api/attempts/{attempt['id']}/answers/1", json={"choice": labels[1], "seq": 4})
    assert http_answer.status_code == 409 and http_answer.json["error"]["code"] == "round_paused"
    assert client.post(f"/api/attempts/{attempt['id']}/submit", json={}).json["error"]["code"] == "round_paused"
    resumed = alice_socket.call("attempt_resume", {"attempt_id": attempt["id"]})["attempt"]
    assert resumed["paused"] is True and resumed["status"] == "in_progress"
    assert resumed["paused_at"] == epoch_ms(db_session.get(Round, world["round"].id).paused_at)

    bobs = app.test_client()
    assert bobs.post("/api/session", json={"login": "0922222222", "password": PASSWORD}).json["ok"]
    start = bobs.post(f"/api/rounds/{world['round'].id}/attempts", json={})
    assert start.status_code == 409 and start.json["error"]["code"] == "round_paused"
    assert db_session.get(Attempt, attempt["id"], populate_existing=True).status == Status.IN_PROGRESS
    assert db_session.scalar(select(func.count()).select_from(Attempt)) == 1

    assert boss.post(f"/organiser/rounds/{world['round'].id}/resume", data={}).status_code == 302
    stored = alice_socket.call("answer", {"attempt_id": attempt["id"], "slot": 1, "choice": labels[1], "seq": 5})
    assert stored == {"ok": True, "slot": 1, "seq": 5}
    assert alice_socket.call("attempt_submit", {"attempt_id": attempt["id"]})["result"]["score"] == 2
    assert audited(db_session) == ["round.paused", "round.resumed"]


def test_the_entrants_of_the_round_are_told_live(alice_socket, world, db_session, rt, organiser):
    rt.notifier = SocketIONotifier()  # the real one: the test client is a connection in this process
    attempt = alice_socket.call("attempt_start", {"round_id": world["round"].id})["attempt"]
    alice_socket.received()
    now = utcnow()
    in_flight.pause_round(db_session, rt, actor=organiser, round_id=world["round"].id, now=now)
    in_flight.resume_round(db_session, rt, actor=organiser, round_id=world["round"].id,
                           now=now + timedelta(minutes=2))
    events = {item["name"]: item["args"][0] for item in alice_socket.received()}
    assert events["round_paused"] == {"round_id": world["round"].id}
    assert events["round_resumed"] == {"round_id": world["round"].id}
    moved = events["attempt_deadline"]
    assert moved["attempt_id"] == attempt["id"] and moved["deadline"] == attempt["deadline"] + 120_000
    assert moved["deadline"] == epoch_ms(deadline_of(db_session, attempt["id"]))


def test_the_sweeper_waits_while_paused_and_resuming_moves_the_deadline_by_the_pause(world, db_session, rt,
                                                                                     organiser):
    from contest.attempts.service import finalise_overdue

    round_ = world["round"]
    start = utcnow()
    attempt = service.start_attempt(db_session, rt, user_id=world["alice"].id, round_id=round_.id, now=start,
                                    rng=random.Random(1))
    before = deadline_of(db_session, attempt["id"])
    assert before == start + timedelta(minutes=10)
    paused_at = start + timedelta(minutes=4)
    in_flight.pause_round(db_session, rt, actor=organiser, round_id=round_.id, reason="Sự cố mạng", now=paused_at)
    assert finalise_overdue(db_session, rt, now=start + timedelta(minutes=30)) == 0  # long past its deadline
    resumed_at = paused_at + timedelta(minutes=25, seconds=30)
    in_flight.resume_round(db_session, rt, actor=organiser, round_id=round_.id, now=resumed_at)
    after = deadline_of(db_session, attempt["id"])
    assert after == before + timedelta(minutes=25, seconds=30)
    assert rt.notifier.deadlines == [(world["alice"].id, attempt["id"], epoch_ms(after))]
    resume = db_session.scalar(select(RoundAdjustment).where(RoundAdjustment.kind == AdjustmentKind.RESUME))
    assert resume.seconds == 25 * 60 + 30
    # answers go on to the new deadline, and the sweeper finalises it only after it
    later = before + timedelta(minutes=10)
    assert service.record_answer(db_session, rt, user_id=world["alice"].id, now=later,
                                 answer=AnswerPayload(attempt["id"], 0, ("A",), 1)) == {"slot": 0, "seq": 1}
    assert finalise_overdue(db_session, rt, now=before + timedelta(seconds=6)) == 0
    assert finalise_overdue(db_session, rt, now=after + timedelta(seconds=6)) == 1
    expired = db_session.get(Attempt, attempt["id"], populate_existing=True)
    assert expired.status == Status.EXPIRED
    assert expired.duration_ms == 600_000  # the time limit: the 25½ minutes of the pause are not counted
    with pytest.raises(DomainError) as error:
        in_flight.resume_round(db_session, rt, actor=organiser, round_id=round_.id, now=resumed_at)
    assert error.value.code == "conflict"


def test_an_attempt_over_before_the_pause_keeps_its_deadline(world, db_session, rt, organiser):
    start = utcnow()
    attempt = service.start_attempt(db_session, rt, user_id=world["alice"].id, round_id=world["round"].id,
                                    now=start, rng=random.Random(1))
    before = deadline_of(db_session, attempt["id"])
    in_flight.pause_round(db_session, rt, actor=organiser, round_id=world["round"].id,
                          now=before + timedelta(seconds=6))  # not swept yet, but its time was over
    in_flight.resume_round(db_session, rt, actor=organiser, round_id=world["round"].id,
                           now=before + timedelta(minutes=5))
    assert deadline_of(db_session, attempt["id"]) == before


def test_a_later_close_recomputes_the_deadlines_it_capped(app, world, db_session, rt, organiser):
    round_ = world["round"]
    start = utcnow()
    round_.closes_at = start + timedelta(minutes=5)
    db_session.commit()
    attempt = service.start_attempt(db_session, rt, user_id=world["alice"].id, round_id=round_.id, now=start,
                                    rng=random.Random(1))
    assert deadline_of(db_session, attempt["id"]) == start + timedelta(minutes=5)

    with pytest.raises(DomainError) as error:  # later only
        in_flight.extend_round(db_session, rt, actor=organiser, round_id=round_.id,
                               closes_at=start + timedelta(minutes=4), now=start + timedelta(minutes=1))
    assert error.value.code == "validation" and "closes_at" in error.value.fields
    assert db_session.scalar(select(func.count()).select_from(RoundAdjustment)) == 0

    boss = staff_client(app, organiser)
    new_close = (start + timedelta(hours=1)).astimezone(in_flight_zone()).strftime("%Y-%m-%dT%H:%M")
    assert boss.post(f"/organiser/rounds/{round_.id}/extend", data={"extend-closes_at": new_close}).status_code == 302
    assert db_session.get(Round, round_.id, populate_existing=True).closes_at > start + timedelta(minutes=59)
    assert deadline_of(db_session, attempt["id"]) == start + timedelta(minutes=10)
    assert audited(db_session) == ["round.extended"]
    entry = db_session.scalar(select(AuditEntry).where(AuditEntry.action == "round.extended"))
    assert entry.target_id == str(round_.id) and entry.details["moved"] == 1


def in_flight_zone():
    from contest.i18n import CONTEST_TIME_ZONE

    return CONTEST_TIME_ZONE


def test_extra_time_for_an_entrant_now_and_in_later_attempts(world, db_session, rt, organiser):
    round_, alice, bob = world["round"], world["alice"], world["bob"]
    now = utcnow()
    first = service.start_attempt(db_session, rt, user_id=alice.id, round_id=round_.id, now=now, rng=random.Random(1))
    bobs = service.start_attempt(db_session, rt, user_id=bob.id, round_id=round_.id, now=now, rng=random.Random(2))
    in_flight.give_extra_time(db_session, rt, actor=organiser, round_id=round_.id, seconds=120, user_id=alice.id,
                              reason="Máy hỏng", now=now + timedelta(minutes=1))
    assert deadline_of(db_session, first["id"]) == now + timedelta(minutes=12)
    assert deadline_of(db_session, bobs["id"]) == now + timedelta(minutes=10)
    # the cache was forgotten: the answer path sees the new deadline
    late = now + timedelta(minutes=11)
    assert service.record_answer(db_session, rt, user_id=alice.id, now=late,
                                 answer=AnswerPayload(first["id"], 0, ("A",), 1))["seq"] == 1
    service.submit_attempt(db_session, rt, user_id=alice.id, attempt_id=first["id"], prediction=None, now=late)
    second = service.start_attempt(db_session, rt, user_id=alice.id, round_id=round_.id, now=late,
                                   rng=random.Random(3))
    assert second["deadline"] - second["server_now"] == 12 * 60_000
    assert audited(db_session) == ["round.extra_time"]


def test_extra_time_for_a_unit_reaches_its_whole_subtree(world, db_session, rt, organiser):
    round_, tree = world["round"], world["tree"]
    carol = make_user(db_session, unit=tree["s3"], full_name="Carol", commit=True)
    now = utcnow()
    ids = {person.full_name: service.start_attempt(db_session, rt, user_id=person.id, round_id=round_.id, now=now,
                                                   rng=random.Random(person.id))["id"]
           for person in (world["alice"], world["bob"], carol)}
    in_flight.give_extra_time(db_session, rt, actor=organiser, round_id=round_.id, seconds=300,
                              unit_id=tree["d1"].id, now=now)
    assert {name: deadline_of(db_session, attempt) - now for name, attempt in ids.items()} == {
        "Alice": timedelta(minutes=15), "Bob": timedelta(minutes=15), "Carol": timedelta(minutes=10)}
    assert {user for user, _, _ in rt.notifier.deadlines} == {world["alice"].id, world["bob"].id}


def test_an_extra_attempt_for_an_entrant_or_a_unit(world, db_session, rt, organiser):
    round_, alice = world["round"], world["alice"]
    round_.attempts_allowed = 1
    db_session.commit()

    def take(person):
        attempt = service.start_attempt(db_session, rt, user_id=person.id, round_id=round_.id, now=utcnow(),
                                        rng=random.Random())
        service.submit_attempt(db_session, rt, user_id=person.id, attempt_id=attempt["id"], prediction=None,
                               now=utcnow())

    take(alice)
    with pytest.raises(DomainError) as error:
        take(alice)
    assert error.value.code == "attempt_limit"
    listed = entrant_rounds(db_session, user_id=alice.id, now=utcnow()).open[0]
    assert (listed.attempts_used, listed.attempts_allowed, listed.can_start) == (1, 1, False)
    in_flight.give_extra_attempt(db_session, rt, actor=organiser, round_id=round_.id, user_id=alice.id, now=utcnow())
    listed = entrant_rounds(db_session, user_id=alice.id, now=utcnow()).open[0]
    assert (listed.attempts_used, listed.attempts_allowed, listed.can_start) == (1, 2, True)  # her pages offer it
    take(alice)
    with pytest.raises(DomainError):
        take(alice)
    in_flight.give_extra_attempt(db_session, rt, actor=organiser, round_id=round_.id, attempts=2,
                                 unit_id=world["tree"]["s1"].id, now=utcnow())
    take(alice)
    take(alice)
    assert db_session.scalar(select(func.count()).select_from(Attempt).where(Attempt.user_id == alice.id)) == 4
    take(world["bob"])  # s2: the unit's extra attempts are not his
    with pytest.raises(DomainError):
        take(world["bob"])
    assert audited(db_session) == ["round.extra_attempt", "round.extra_attempt"]


def test_a_unit_organiser_gives_more_only_within_their_subtree(app, world, db_session, rt):
    round_, tree = world["round"], world["tree"]
    carol = make_user(db_session, unit=tree["s3"], phone="0933333333", full_name="Carol", commit=True)
    manager = staff(db_session, role=StaffRole.UNIT_MANAGER, scope=tree["d2"], email="d2@example.vn")
    now = utcnow()
    alices = service.start_attempt(db_session, rt, user_id=world["alice"].id, round_id=round_.id, now=now,
                                   rng=random.Random(1))
    before = deadline_of(db_session, alices["id"])
    browser = staff_client(app, manager)
    for path, data in [("extra-time", {"time-login": "0911111111", "time-minutes": "5"}),
                       ("extra-time", {"time-unit_code": "D1", "time-minutes": "5"}),
                       ("extra-time", {"time-unit_code": "P1", "time-minutes": "5"}),
                       ("extra-attempt", {"attempt-login": "0911111111", "attempt-attempts": "1"}),
                       ("pause", {}), ("extend", {"extend-closes_at": "2099-01-01T08:00"})]:
        assert browser.post(f"/organiser/rounds/{round_.id}/{path}", data=data).status_code == 403, (path, data)
    assert deadline_of(db_session, alices["id"]) == before
    assert db_session.scalar(select(func.count()).select_from(RoundAdjustment)) == 0
    assert audited(db_session) == []
    assert db_session.get(Round, round_.id, populate_existing=True).paused_at is None

    assert browser.post(f"/organiser/rounds/{round_.id}/extra-time",
                        data={"time-login": "0933333333", "time-minutes": "5"}).status_code == 302
    assert browser.post(f"/organiser/rounds/{round_.id}/extra-attempt",
                        data={"attempt-unit_code": "S3", "attempt-attempts": "1"}).status_code == 302
    grants = db_session.scalars(select(RoundAdjustment).order_by(RoundAdjustment.id)).all()
    assert [(g.kind, g.user_id, g.unit_id) for g in grants] == [(AdjustmentKind.EXTRA_TIME, carol.id, None),
                                                              (AdjustmentKind.EXTRA_ATTEMPT, None, tree["s3"].id)]
    # the live monitor lists what reaches their subtree (not Alice's, in another district; the province's, above
    # them, does), with the forms for extra time but not for a pause
    boss = staff(db_session)
    in_flight.give_extra_time(db_session, rt, actor=boss, round_id=round_.id, seconds=60, user_id=world["alice"].id,
                              reason="Riêng Alice", now=now)
    in_flight.give_extra_time(db_session, rt, actor=boss, round_id=round_.id, seconds=60, unit_id=tree["province"].id,
                              reason="Cả tỉnh", now=now)
    page = browser.get(f"/organiser/rounds/{round_.id}/live").get_data(as_text=True)
    assert 'id="extra-time-form"' in page and 'id="pause-form"' not in page
    assert page.count('<li data-kind="extra_') == 3 and "Cả tỉnh" in page and "Riêng Alice" not in page
    assert "Riêng Alice" in staff_client(app, boss).get(f"/organiser/rounds/{round_.id}/results").get_data(
        as_text=True)


def test_a_contest_limited_organiser_changes_only_their_contests(app, world, db_session, rt):
    from contest.rounds.models import Contest, OrganiserContest

    other = Contest(title="Cuộc thi khác", created_at=utcnow())
    db_session.add(other)
    db_session.flush()
    limited = staff(db_session, email="other@example.vn")
    db_session.add(OrganiserContest(user_id=limited.id, contest_id=other.id))
    db_session.commit()
    for change in (lambda: in_flight.pause_round(db_session, rt, actor=limited, round_id=world["round"].id,
                                                 now=utcnow()),
                   lambda: in_flight.give_extra_time(db_session, rt, actor=limited, round_id=world["round"].id,
                                                     seconds=60, user_id=world["alice"].id, now=utcnow())):
        with pytest.raises(DomainError) as error:
            change()
        assert error.value.code == "forbidden"
    assert db_session.scalar(select(func.count()).select_from(RoundAdjustment)) == 0


def test_bad_input_is_a_clear_error_and_changes_nothing(app, world, db_session, rt, organiser):
    boss = staff_client(app, organiser)
    round_id = world["round"].id
    for path, data, said in [
            ("extra-time", {"time-minutes": "5"}, "chỉ một trong hai"),
            ("extra-time", {"time-login": "0911111111", "time-unit_code": "S1", "time-minutes": "5"},
             "chỉ một trong hai"),
            ("extra-time", {"time-login": "0999999999", "time-minutes": "5"}, "Không có thí sinh nào"),
            ("extra-time", {"time-unit_code": "NOPE", "time-minutes": "5"}, "Không có đơn vị nào"),
            ("extra-time", {"time-login": "0911111111", "time-minutes": "0"}, "Chỉ thêm từ 1 đến 21600 giây"),
            ("extra-time", {"time-login": "0911111111", "time-minutes": "x"}, '<div class="flash error"'),
            ("extra-attempt", {"attempt-login": "0911111111", "attempt-attempts": "9"}, "từ 1 đến 5 lượt"),
            ("extend", {"extend-closes_at": "bogus"}, '<div class="flash error"'),
            ("resume", {}, "không bị tạm dừng"),
            ("pause", {"clock-reason": "x" * 1001}, '<div class="flash error"')]:
        response = boss.post(f"/organiser/rounds/{round_id}/{path}", data=data, follow_redirects=True)
        assert response.status_code == 200, (path, data)
        assert said in response.get_data(as_text=True), (path, data)
    assert db_session.scalar(select(func.count()).select_from(RoundAdjustment)) == 0
    assert audited(db_session) == []


def test_the_results_page_and_the_live_monitor_list_the_adjustments(app, world, db_session, rt, organiser):
    round_ = world["round"]
    now = utcnow()
    in_flight.pause_round(db_session, rt, actor=organiser, round_id=round_.id, reason="Mất điện", now=now)
    in_flight.resume_round(db_session, rt, actor=organiser, round_id=round_.id, now=now + timedelta(seconds=90))
    in_flight.give_extra_time(db_session, rt, actor=organiser, round_id=round_.id, seconds=300,
                              user_id=world["alice"].id, reason="Máy hỏng", now=now)
    in_flight.give_extra_attempt(db_session, rt, actor=organiser, round_id=round_.id, unit_id=world["tree"]["s2"].id,
                                 now=now)
    in_flight.extend_round(db_session, rt, actor=organiser, round_id=round_.id,
                           closes_at=round_.closes_at + timedelta(hours=1), now=now)
    boss = staff_client(app, organiser)
    for path in ("results", "live"):
        page = boss.get(f"/organiser/rounds/{round_.id}/{path}").get_data(as_text=True)
        section = page[page.index('id="adjustments"'):]
        kinds = [chunk.split('"')[0] for chunk in section.split('data-kind="')[1:]]
        assert kinds == ["pause", "resume", "extra_time", "extra_attempt", "extend"], path
        for text in ("Tạm dừng", "Mất điện", "Máy hỏng", "Alice", "THPT Nguyễn Huệ (S2)", "90 giây"):
            assert text in section, (path, text)
    audit_page = staff_client(app, make_user(db_session, role=Role.ADMIN, email="a@example.vn", commit=True)) \
        .get("/organiser/audit").get_data(as_text=True)
    assert "Tạm dừng vòng thi" in audit_page


def test_the_clock_signal_makes_this_process_forget_the_rounds_attempts(world, db_session, rt):
    """What every process does when another one changed a round (the room index's listener, ``realtime``)."""
    attempt = service.start_attempt(db_session, rt, user_id=world["alice"].id, round_id=world["round"].id,
                                    now=utcnow(), rng=random.Random(1))
    assert rt.cache.get(attempt["id"]) is not None
    SocketIONotifier().round_changed(world["round"].id)
    assert rt.cache.get(attempt["id"]) is None


def test_the_pages_of_a_paused_round_are_in_vietnamese(app, client, world, db_session, rt, organiser):
    from tests.english_text import english_phrases, find_english, visible_text

    round_ = world["round"]
    now = utcnow()
    in_flight.give_extra_time(db_session, rt, actor=organiser, round_id=round_.id, seconds=60,
                              unit_id=world["tree"]["d1"].id, now=now)
    in_flight.give_extra_attempt(db_session, rt, actor=organiser, round_id=round_.id, user_id=world["bob"].id,
                                 attempts=2, now=now)
    in_flight.extend_round(db_session, rt, actor=organiser, round_id=round_.id,
                           closes_at=round_.closes_at + timedelta(hours=1), now=now)
    in_flight.pause_round(db_session, rt, actor=organiser, round_id=round_.id, now=now)
    phrases = english_phrases()
    boss = staff_client(app, organiser)
    admin = staff_client(app, make_user(db_session, role=Role.ADMIN, email="a@example.vn", commit=True))
    pages = {path: boss.get(path) for path in (f"/organiser/rounds/{round_.id}/live",
                                               f"/organiser/rounds/{round_.id}/results")}
    pages["/organiser/audit"] = admin.get("/organiser/audit")
    client.post("/api/session", json={"login": "0911111111", "password": PASSWORD})
    pages["play"] = client.get(f"/rounds/{round_.id}/play")
    for path, response in pages.items():
        assert response.status_code == 200, path
        assert find_english(visible_text(response.get_data(as_text=True)), phrases) == [], path
    live = pages[f"/organiser/rounds/{round_.id}/live"].get_data(as_text=True)
    assert 'id="paused-note"' in live and 'id="resume-form"' in live and "thêm 2 lượt thi cho Bob" in live
    assert 'id="paused"' in pages["play"].get_data(as_text=True)


def test_a_submit_racing_the_pause_is_stopped_by_the_update_itself(world, db_session, rt, organiser):
    """A process whose cached copy does not know of the pause yet: the conditional update refuses, and the attempt
    stays open here for the resume."""
    now = utcnow()
    attempt = service.start_attempt(db_session, rt, user_id=world["alice"].id, round_id=world["round"].id, now=now,
                                    rng=random.Random(1))
    in_flight.pause_round(db_session, rt, actor=organiser, round_id=world["round"].id, now=now)
    state = service.load_state(db_session, rt, attempt["id"])
    state.paused = False  # as a copy read just before the pause
    with pytest.raises(DomainError) as error:
        service.submit_attempt(db_session, rt, user_id=world["alice"].id, attempt_id=attempt["id"],
                               prediction=None, now=now)
    assert error.value.code == "round_paused"
    assert rt.cache.get(attempt["id"]).open
    assert db_session.get(Attempt, attempt["id"], populate_existing=True).status == Status.IN_PROGRESS
