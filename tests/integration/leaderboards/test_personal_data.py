"""Phone, citizen ID and birth date (Decree 13/2023): never on a public page or in the ordinary exports; in the
prize contacts export only for contest-level staff, and every such export and download leaves an audit entry
naming who, what, which contest and round, and how many rows."""

from __future__ import annotations

import io
from datetime import date, datetime

from openpyxl import load_workbook
from sqlalchemy import func, select

from contest.accounts.models import Role, User
from contest.audit.models import AuditEntry
from contest.leaderboards.exports import rows as exports
from contest.leaderboards.models import ExportJob
from contest.privacy.disclosure import ACTION
from tests.factories import PASSWORD, make_user
from tests.integration.leaderboards.test_boards_api import league
from tests.integration.leaderboards.test_export_jobs import (  # noqa: F401  (fixtures)
    closed,
    download,
    headers,
    launched,
    parse_csv,
    run,
    start,
)
from tests.integration.leaderboards.test_results import closed_round, organiser_client  # noqa: F401  (a fixture)

PHONE, CITIZEN_ID, BORN = "0977123456", "079204998877", date(2009, 7, 13)
BIRTH_FORMS = ("2009-07-13", "13/07/2009", "13-07-2009", "07/13/2009")


def give_personal_data(session, user_ids) -> dict[int, tuple[str, str, str]]:
    """Distinctive phone, CCCD and birth date for each entrant: ``{id: (phone, citizen_id, birth date)}``."""
    given = {}
    for n, user_id in enumerate(sorted(user_ids)):
        user = session.get(User, user_id)
        user.phone, user.citizen_id = PHONE[:-1] + str(n), CITIZEN_ID[:-1] + str(n)
        user.birth_date, user.email = BORN, f"entrant{n}@example.vn"
        given[user_id] = (user.phone, user.citizen_id, BORN.isoformat())
    session.commit()
    return given


def disclosures(session) -> list[AuditEntry]:
    return list(session.scalars(select(AuditEntry).where(AuditEntry.action == ACTION).order_by(AuditEntry.id)))


def test_public_pages_never_show_phone_citizen_id_or_birth_date(client, db_session, boards):
    tree, round_, people = league(db_session)
    given = give_personal_data(db_session, [user.id for user in people.values()])
    contest_id = round_.contest_id
    addresses = ["/", "/contests", f"/contests/{contest_id}", f"/contests/{contest_id}/board",
                 f"/contests/{contest_id}/units", f"/rounds/{round_.id}/board", f"/rounds/{round_.id}/board?q=an",
                 f"/rounds/{round_.id}/board?q={PHONE[:6]}", f"/rounds/{round_.id}/units",
                 f"/rounds/{round_.id}/units?level=Trường", f"/rounds/{round_.id}/board?unit={tree['s1'].id}",
                 f"/api/rounds/{round_.id}/leaderboard", f"/api/rounds/{round_.id}/leaderboard?q=an",
                 f"/api/rounds/{round_.id}/units", f"/api/contests/{contest_id}/leaderboard",
                 f"/api/contests/{contest_id}/units", "/api/rounds", "/api/units/leaves"]
    seen_names = 0
    for address in addresses:
        response = client.get(address)
        assert response.status_code == 200, address
        body = response.get_data(as_text=True)
        seen_names += "Phạm Dung" in body
        for phone, citizen_id, _ in given.values():
            assert phone not in body and citizen_id not in body, address
            assert phone[1:] not in body, address  # nor in the +84 form
        assert not any(form in body for form in BIRTH_FORMS), address
        assert "example.vn" not in body, address
    assert seen_names >= 4  # the boards were really there, names and all


def test_contacts_export_is_for_contest_staff_and_audited_with_its_rows(client, db_session, rt, closed, launched,  # noqa: F811
                                                                        tmp_path):
    tree, round_, people = closed
    given = give_personal_data(db_session, [attempt.user_id for attempt in people.values()])
    organiser = organiser_client(client, db_session)
    results = client.get(f"/organiser/rounds/{round_.id}/results").get_data(as_text=True)
    assert f'formaction="/organiser/rounds/{round_.id}/exports/contacts.csv"' in results
    assert 'name="places"' in results
    assert disclosures(db_session) == []

    job_id = start(client, round_.id, "contacts", "csv")
    page = client.get(f"/organiser/rounds/{round_.id}/exports/{job_id}").get_data(as_text=True)
    assert 'id="personal-data-note"' in page
    job = run(db_session, rt, tmp_path, job_id)
    assert (job.rows_done, job.download_name) == (4, f"round-{round_.id}-contacts.csv")
    [entry] = disclosures(db_session)
    assert entry.actor_id == organiser.id and entry.target_type == "round" and entry.target_id == str(round_.id)
    assert entry.details == {"what": "export.contacts", "contest_id": round_.contest_id, "round_id": round_.id,
                             "rows": 4, "job_id": job_id, "fmt": "csv", "places": None}

    rows = parse_csv(download(client, round_.id, job_id))
    assert rows[0] == headers(exports.CONTACTS_HEADER)
    assert rows[0][-4:] == ["Số điện thoại", "Email", "Số CCCD", "Ngày sinh"]
    by_id = {int(row[1]): row for row in rows[1:]}
    assert [row[2] for row in rows[1:]] == ["Bình", "An", "Cường", "Dung"]  # the ranking's order
    for user_id, (phone, citizen_id, _born) in given.items():
        assert by_id[user_id][-4:] == [phone, db_session.get(User, user_id).email, citizen_id,
                                       BORN.strftime("%d/%m/%Y")]
    downloaded = disclosures(db_session)[-1]
    assert downloaded.id != entry.id and downloaded.actor_id == organiser.id
    assert downloaded.details["what"] == "download.contacts" and downloaded.details["rows"] == 4


def test_the_ordinary_exports_carry_no_personal_data_and_are_not_disclosures(client, db_session, rt, closed,  # noqa: F811
                                                                             launched, tmp_path):  # noqa: F811
    _, round_, people = closed
    given = give_personal_data(db_session, [attempt.user_id for attempt in people.values()])
    organiser_client(client, db_session)
    for what in ("ranking", "answers"):
        job_id = start(client, round_.id, what, "csv")
        run(db_session, rt, tmp_path, job_id)
        text = download(client, round_.id, job_id).get_data(as_text=True)
        assert "phone" not in text.splitlines()[0]
        for phone, citizen_id, born in given.values():
            assert phone not in text and citizen_id not in text and born not in text
            assert BORN.strftime("%d/%m/%Y") not in text
    assert disclosures(db_session) == []


def test_a_unit_organiser_gets_no_contacts(client, db_session, rt, closed, launched, tmp_path):  # noqa: F811
    tree, round_, _ = closed
    organiser_client(client, db_session)
    job_id = start(client, round_.id, "contacts", "csv")
    run(db_session, rt, tmp_path, job_id)
    client.post("/logout")
    make_user(db_session, role=Role.ORGANISER, email="school@example.vn", scope=tree["s1"], commit=True)
    assert client.post("/api/session", json={"login": "school@example.vn", "password": PASSWORD}).json["ok"]
    results = client.get(f"/organiser/rounds/{round_.id}/results").get_data(as_text=True)
    assert "exports/ranking.csv" in results and "contacts" not in results
    assert client.post(f"/organiser/rounds/{round_.id}/exports/contacts.csv").status_code == 403
    assert download(client, round_.id, job_id).status_code == 404  # another organiser's job is not even found
    assert [entry.details["what"] for entry in disclosures(db_session)] == ["export.contacts"]


def test_contacts_of_the_prize_places_only(client, db_session, rt, closed, launched, tmp_path):  # noqa: F811
    _, round_, people = closed
    give_personal_data(db_session, [attempt.user_id for attempt in people.values()])
    organiser_client(client, db_session)
    for bad in ("abc", "0", "-1", "2.5", "１", "9" * 12):
        response = client.post(f"/organiser/rounds/{round_.id}/exports/contacts.csv", data={"places": bad})
        assert response.status_code == 302 and response.headers["Location"].endswith(f"/rounds/{round_.id}/results")
    page = client.get(f"/organiser/rounds/{round_.id}/results").get_data(as_text=True)
    assert "Số giải là một số nguyên từ 1 đến" in page
    assert db_session.scalar(select(func.count()).select_from(ExportJob)) == 0

    job_id = start(client, round_.id, "contacts", "xlsx", places=" 2 ")
    assert 'id="contact-places"' in client.get(f"/organiser/rounds/{round_.id}/exports/{job_id}").get_data(
        as_text=True)
    job = run(db_session, rt, tmp_path, job_id)
    assert (job.places, job.rows_total, job.rows_done) == (2, 2, 2)
    sheet = load_workbook(io.BytesIO(download(client, round_.id, job_id).data), read_only=True).active
    rows = list(sheet.values)
    assert list(rows[0]) == headers(exports.CONTACTS_HEADER) and [row[2] for row in rows[1:]] == ["Bình", "An"]
    assert rows[1][-1] == datetime.combine(BORN, datetime.min.time())  # a real date: Excel keeps it as one
    assert [(e.details["what"], e.details["rows"], e.details["places"]) for e in disclosures(db_session)] == [
        ("export.contacts", 2, 2), ("download.contacts", 2, 2)]
    # The places are the contacts' alone: the ranking export beside them still has every rank.
    ranking = run(db_session, rt, tmp_path, start(client, round_.id, "ranking", "csv", places="2"))
    assert (ranking.places, ranking.rows_done) == (None, 4)
