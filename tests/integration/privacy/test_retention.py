"""``flask data retention``: a closed contest's entrants lose their personal data (erased, or pseudonymised as
"Thí sinh #id") while results, rankings, published versions and unit membership stay exactly as they were;
refused while a round is open or upcoming; staff and entrants of another running contest are skipped; running it
again changes nothing; every run is audited."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from contest.accounts.models import Role, User
from contest.audit.models import AuditEntry
from contest.db import utcnow
from contest.errors import DomainError
from contest.leaderboards.models import ExportJob, JobStatus, PublishedRow
from contest.leaderboards.runtime import extension
from contest.privacy import retention
from contest.privacy.retention import ACTION, DISABLED_HASH, retire_personal_data
from contest.rounds.models import Round
from tests.factories import PASSWORD, make_user
from tests.integration.attempts.conftest import make_round
from tests.integration.leaderboards.conftest import make_attempt
from tests.integration.leaderboards.test_results import organiser_client


def snapshot(client, session, round_) -> dict:
    """What must not change: the public ranking (without names), unit rankings, published rows, units."""
    ext = extension(client.application)
    ext.boards.forget()
    ext.names.clear()
    board = client.get(f"/api/rounds/{round_.id}/leaderboard").json
    units = client.get(f"/api/rounds/{round_.id}/units").json
    published = [(row.rank, row.user_id, row.unit_id, row.score, row.duration_ms)
                 for row in session.scalars(select(PublishedRow).order_by(PublishedRow.result_id, PublishedRow.rank))]
    members = dict(session.execute(select(User.id, User.unit_id)).all())
    return {"board": [{k: v for k, v in row.items() if k != "name"} for row in board["rows"]],
            "total": board["total"], "units": units["rows"], "published": published, "members": members,
            "names": [row["name"] for row in board["rows"]]}


def publish(client, session, round_) -> None:
    organiser_client(client, session)
    assert client.post(f"/organiser/rounds/{round_.id}/publish", data={"reason": ""}).status_code == 302
    client.delete("/api/session")


def entrants_of(people) -> list[int]:
    return sorted(attempt.user_id for attempt in people.values())


def runs(session) -> list[AuditEntry]:
    return list(session.scalars(select(AuditEntry).where(AuditEntry.action == ACTION).order_by(AuditEntry.id)))


def test_pseudonymise_keeps_results_and_rankings_and_is_idempotent(client, db_session, closed_round):
    tree, round_, people = closed_round
    publish(client, db_session, round_)
    ids = entrants_of(people)
    first = db_session.get(User, ids[0])
    first.citizen_id, first.email, first.birth_date = "079204998877", "an@example.vn", date(2009, 7, 13)
    phone = first.phone
    db_session.commit()
    before = snapshot(client, db_session, round_)
    assert "An" in before["names"]

    report = retire_personal_data(db_session, contest_id=round_.contest_id, mode="pseudonymise", now=utcnow())
    assert (report.changed, report.already, report.skipped_staff, report.skipped_active) == (4, 0, 0, 0)
    db_session.expire_all()
    for user_id in ids:
        user = db_session.get(User, user_id)
        assert user.full_name == f"Thí sinh #{user_id}" and user.name_key == f"thi sinh #{user_id}"
        assert (user.phone, user.email, user.citizen_id) == (None, None, None)
        assert not user.active and user.password_hash == DISABLED_HASH
        assert user.personal_data_removed == "pseudonymised" and user.personal_data_removed_at is not None
    assert db_session.get(User, ids[0]).birth_date == date(2009, 1, 1)  # the birth year stays, for age groups

    after = snapshot(client, db_session, round_)
    assert {k: v for k, v in after.items() if k != "names"} == {k: v for k, v in before.items() if k != "names"}
    assert sorted(after["names"]) == sorted(f"Thí sinh #{user_id}" for user_id in ids)
    refused = client.post("/api/session", json={"login": phone, "password": PASSWORD})
    assert refused.status_code == 401
    [entry] = runs(db_session)
    assert entry.target_type == "contest" and entry.target_id == str(round_.contest_id)
    assert entry.details["mode"] == "pseudonymise" and entry.details["changed"] == 4

    again = retire_personal_data(db_session, contest_id=round_.contest_id, mode="pseudonymise", now=utcnow())
    assert (again.changed, again.already) == (0, 4)
    assert snapshot(client, db_session, round_) == after

    # Erasing after pseudonymising clears what pseudonymising kept; then it too is done.
    erased = retire_personal_data(db_session, contest_id=round_.contest_id, mode="erase", now=utcnow())
    assert (erased.changed, erased.already) == (4, 0)
    db_session.expire_all()
    assert db_session.get(User, ids[0]).birth_date is None
    assert retire_personal_data(db_session, contest_id=round_.contest_id, mode="erase", now=utcnow()).changed == 0
    assert snapshot(client, db_session, round_) == after
    assert [entry.details["changed"] for entry in runs(db_session)] == [4, 0, 4, 0]


def test_erase_keeps_results_and_the_person_may_register_again(client, db_session, closed_round):
    tree, round_, people = closed_round
    ids = entrants_of(people)
    user = db_session.get(User, ids[0])
    user.last_login_at, phone, unit_id = utcnow(), user.phone, user.unit_id
    db_session.commit()
    assert client.post("/api/session", json={"login": phone, "password": PASSWORD}).json["ok"]
    before = snapshot(client, db_session, round_)
    report = retire_personal_data(db_session, contest_id=round_.contest_id, mode="erase", now=utcnow())
    assert report.changed == 4
    db_session.expire_all()
    user = db_session.get(User, ids[0])
    assert (user.phone, user.birth_date, user.last_login_at, user.unit_id) == (None, None, None, unit_id)
    assert user.personal_data_removed == "erased"
    assert client.get("/api/session").status_code == 401  # the session open before is over
    after = snapshot(client, db_session, round_)
    assert {k: v for k, v in after.items() if k != "names"} == {k: v for k, v in before.items() if k != "names"}
    again = make_user(db_session, unit=user.unit, phone=phone)  # the phone is free again
    assert again.id != user.id


def test_refused_while_a_round_is_open_or_upcoming(app, db_session, closed_round):
    tree, round_, people = closed_round
    now = utcnow()
    later = Round(contest_id=round_.contest_id, title="Tuần 2", opens_at=now + timedelta(days=1),
                  closes_at=now + timedelta(days=8), time_limit_s=600, question_count=5, created_at=now)
    db_session.add(later)
    db_session.commit()
    with pytest.raises(DomainError) as refused:
        retire_personal_data(db_session, contest_id=round_.contest_id, mode="erase", now=now)
    assert refused.value.code == "conflict" and "Tuần 2" in str(refused.value.message)
    result = app.test_cli_runner().invoke(args=["data", "retention", "--contest", str(round_.contest_id),
                                                "--mode", "pseudonymise"])
    assert result.exit_code == 1 and "Tuần 2" in result.output and "đang mở hoặc sắp mở" in result.output
    later.opens_at, later.closes_at = now - timedelta(days=2), now + timedelta(hours=1)  # open now
    db_session.commit()
    with pytest.raises(DomainError):
        retire_personal_data(db_session, contest_id=round_.contest_id, mode="pseudonymise", now=now)
    assert all(db_session.get(User, user_id).personal_data_removed is None for user_id in entrants_of(people))
    assert runs(db_session) == []
    with pytest.raises(DomainError) as missing:
        retire_personal_data(db_session, contest_id=999_999, mode="erase", now=now)
    assert missing.value.code == "not_found"
    with pytest.raises(DomainError) as bad:
        retire_personal_data(db_session, contest_id=round_.contest_id, mode="shred", now=now)
    assert bad.value.code == "bad_request"


def test_staff_entrants_of_a_running_contest_and_recent_ones_are_skipped(app, db_session, closed_round):
    tree, round_, people = closed_round
    an, binh, cuong, dung = (people[name].user_id for name in ("An", "Bình", "Cường", "Dung"))
    organiser = make_user(db_session, role=Role.ORGANISER, email="tester@example.vn", full_name="Người thử")
    make_attempt(db_session, round_, organiser, score=1, duration_ms=1000, finished_at=utcnow() - timedelta(hours=1))
    running = make_round(db_session)  # another contest, open now
    make_attempt(db_session, running, db_session.get(User, binh), score=1, duration_ms=1000)
    long_ago = utcnow() - timedelta(days=10)
    for name in ("An", "Cường", "Dung"):  # registered and took the round ten days ago…
        people[name].started_at = long_ago
        db_session.get(User, people[name].user_id).created_at = long_ago
    db_session.get(User, cuong).last_login_at = utcnow()  # …but Cường logged in today
    db_session.commit()
    cutoff = (utcnow() - timedelta(days=2)).date().isoformat()

    dry = app.test_cli_runner().invoke(args=["data", "retention", "--season", str(round_.contest_id), "--mode",
                                             "erase", "--dry-run", "--before", cutoff])
    assert dry.exit_code == 0, dry.output
    assert "would change 2 entrants" in dry.output
    assert "skipped 1 staff, 1 in a running contest, 1 active since --before" in dry.output
    assert db_session.get(User, an).personal_data_removed is None and runs(db_session) == []

    done = app.test_cli_runner().invoke(args=["data", "retention", "--contest", str(round_.contest_id), "--mode",
                                              "erase", "--before", cutoff])
    assert done.exit_code == 0 and "changed 2 entrants" in done.output, done.output
    db_session.expire_all()
    assert {db_session.get(User, uid).personal_data_removed for uid in (an, dung)} == {"erased"}
    assert db_session.get(User, cuong).personal_data_removed is None
    assert runs(db_session)[-1].details["before"] is not None

    report = retire_personal_data(db_session, contest_id=round_.contest_id, mode="erase", now=utcnow())
    assert (report.changed, report.already, report.skipped_staff, report.skipped_active) == (1, 2, 1, 1)
    db_session.expire_all()
    assert db_session.get(User, organiser.id).full_name == "Người thử"
    assert db_session.get(User, binh).phone is not None and db_session.get(User, binh).active
    assert db_session.get(User, cuong).personal_data_removed == "erased"


def test_the_contests_finished_export_files_go_too(db_session, closed_round, tmp_path):
    tree, round_, people = closed_round
    directory = tmp_path / "exports"
    directory.mkdir()
    now = utcnow()
    done = ExportJob(round_id=round_.id, what="contacts", fmt="csv", status=JobStatus.DONE, rows_done=4, error="",
                     created_at=now, path="x")
    running = ExportJob(round_id=round_.id, what="ranking", fmt="csv", status=JobStatus.RUNNING, rows_done=0,
                        error="", created_at=now)
    db_session.add_all([done, running])
    db_session.commit()
    (directory / f"{done.id}-round-{round_.id}-contacts.csv").write_text("phones")
    (directory / f"{running.id}-round-{round_.id}-ranking.csv.part").write_text("names")
    (directory / "unrelated.csv").write_text("kept")
    report = retire_personal_data(db_session, contest_id=round_.contest_id, mode="pseudonymise", now=now,
                                  export_directory=directory)
    assert report.export_files == 1
    assert sorted(file.name for file in directory.iterdir()) == [f"{running.id}-round-{round_.id}-ranking.csv.part",
                                                                 "unrelated.csv"]
    assert db_session.get(ExportJob, done.id) is None and db_session.get(ExportJob, running.id) is not None


@pytest.mark.postgres
def test_pseudonymising_in_chunks_on_postgresql_frees_phones_under_the_unique_constraint(client, db_session,
                                                                                       closed_round, monkeypatch):
    assert db_session.get_bind().dialect.name == "postgresql", "the unique constraint's NULLs: set DATABASE_URL"
    tree, round_, people = closed_round
    monkeypatch.setattr(retention, "CHUNK", 3)  # four entrants: two chunks of every query and update
    ids = entrants_of(people)
    phones = {user_id: db_session.get(User, user_id).phone for user_id in ids}
    before = snapshot(client, db_session, round_)
    assert retire_personal_data(db_session, contest_id=round_.contest_id, mode="pseudonymise",
                                now=utcnow()).changed == 4
    db_session.expire_all()
    assert all(db_session.get(User, user_id).phone is None for user_id in ids)
    after = snapshot(client, db_session, round_)
    assert {k: v for k, v in after.items() if k != "names"} == {k: v for k, v in before.items() if k != "names"}
    for user_id in ids:  # every phone can register again: many NULLs, no collision
        make_user(db_session, unit=tree["s1"], phone=phones[user_id], commit=True)
    assert retire_personal_data(db_session, contest_id=round_.contest_id, mode="pseudonymise",
                                now=utcnow()).changed == 0
