"""Lists of students from schools, through the organiser pages: parsed in the bank's child process, all or
nothing with a report per row (bad cells, a phone twice, a phone or CCCD that has an account, a unit outside
the uploader's subtree), then accounts with one-time codes on printable slips, which work at ``/reset``."""

from __future__ import annotations

import io
import re

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from contest.accounts.consent import CONSENT_VERSION
from contest.accounts.entrant_lists import EntrantListJob
from contest.accounts.models import PasswordReset, ResetPurpose, Role, StaffRole, User
from contest.audit.models import AuditEntry
from contest.organiser import entrants_pages
from question_bank.import_jobs import ImportStatus
from tests.factories import make_tree, make_user
from tests.integration.rounds.conftest import log_in

HEADER = "ho_ten,ngay_sinh,so_dien_thoai,ma_don_vi,cccd\n"


@pytest.fixture
def world(db_session, monkeypatch, client):
    monkeypatch.setattr(entrants_pages, "launch", entrants_pages.run_job)  # the background step, here and now
    tree = make_tree(db_session)
    taken = make_user(db_session, unit=tree["s1"], phone="0922000009")
    manager = make_user(db_session, role=Role.ORGANISER, staff_role=StaffRole.UNIT_MANAGER, scope=tree["d1"],
                        email="school@example.org")
    db_session.commit()
    log_in(client, manager)
    client.set_cookie("lang", "en")
    return {"tree": tree, "manager": manager, "taken": taken}


def upload(client, data: bytes, name: str = "hoc_sinh.csv") -> tuple[int, str]:
    boundary, body = encode_multipart({"file": FileStorage(io.BytesIO(data), filename=name)})
    response = client.post("/organiser/entrants/lists", data=body,
                           content_type=f"multipart/form-data; boundary={boundary}")
    assert response.status_code == 302, response.text
    job_id = int(response.location.rsplit("/", 1)[1])
    return job_id, client.get(response.location).text


def entrants(db_session) -> int:
    return db_session.scalar(select(func.count()).select_from(User).where(User.role == Role.ENTRANT))


def test_a_list_with_bad_rows_creates_nobody_and_reports_each_row(client, world, db_session):
    before = entrants(db_session)
    rows = ("Nguyễn Văn An,01/02/2008,0922000001,S1,\n"  # fine
            "Trần Bình,31/02/2008,0922000002,S2,\n"  # no such date
            "Lê Cường,01/02/2008,12345,S1,\n"  # not a phone
            "Phạm Dũng,01/02/2008,0922000001,S1,\n"  # the phone of row 2
            "Hoàng Em,01/02/2008,0922000009,S1,\n"  # a phone with an account
            "Vũ Giang,01/02/2008,0922000005,S3,\n"  # a school of another district
            "Đỗ Hà,01/02/2008,0922000006,D1,\n"  # a district, not a school
            "Bùi Khoa,01/02/2008,0922000007,S1,12345\n")  # a CCCD of 5 digits
    job_id, page = upload(client, (HEADER + rows).encode())
    job = db_session.get(EntrantListJob, job_id)
    assert job.status == ImportStatus.REJECTED and entrants(db_session) == before
    problems = {(row, column) for row, column, _message, _params in job.report["problems"]}
    assert problems == {(3, "birth_date"), (4, "phone"), (5, "phone"), (6, "phone"), (7, "unit_code"),
                        (8, "unit_code"), (9, "citizen_id")}
    assert "7 problems: no account was created" in page
    assert "0922000009 already has an account: it is not merged" in page
    assert "no unit you manage has the code S3" in page and "0922000001 is also on row 2" in page


def test_a_valid_list_becomes_accounts_with_slips_whose_codes_set_a_password(app, client, world, db_session):
    rows = "Nguyễn Văn An,2008-02-01,0922000001,S1,001208000001\nTrần Thị Bình,15/09/2009,+84 922 000 002,S2,\n"
    job_id, page = upload(client, (HEADER + rows).encode())
    assert "2 students are ready" in page and entrants(db_session) == 1
    assert client.post(f"/organiser/entrants/lists/{job_id}/confirm").status_code == 302
    job = db_session.get(EntrantListJob, job_id)
    assert job.status == ImportStatus.DONE and job.accounts == 2
    an = db_session.scalar(select(User).where(User.phone == "0922000001"))
    assert (an.full_name, an.unit.code, an.citizen_id, an.birth_date.isoformat()) == (
        "Nguyễn Văn An", "S1", "001208000001", "2008-02-01")
    assert db_session.scalar(select(PasswordReset.purpose).where(PasswordReset.user_id == an.id)) is ResetPurpose.SLIP
    [entry] = db_session.scalars(select(AuditEntry).where(AuditEntry.action == "entrants.imported"))
    assert entry.details["accounts"] == 2 and entry.actor_id == world["manager"].id

    slips = client.get(f"/organiser/entrants/lists/{job_id}/slips")
    assert slips.status_code == 200 and slips.headers["Cache-Control"] == "no-store"
    assert "css/slips.css" in slips.text and "Trần Thị Bình" in slips.text and "0922000002" in slips.text
    codes = re.findall(r'class="slip-code">([A-Z0-9-]+)<', slips.text)
    assert len(codes) == 2
    anonymous = app.test_client()
    assert anonymous.post("/api/session", json={"login": "0922000001", "password": "!set-at-reset"}
                          ).status_code == 401  # no password works before the slip's code is used
    first = {"login": "0922000001", "code": codes[0], "password": "hoc-sinh-an-1", "confirm": "hoc-sinh-an-1",
             "consent_version": CONSENT_VERSION}
    refused = anonymous.post("/reset", data=first)  # the school made the account: its owner agrees first
    assert refused.status_code == 200 and 'id="consent-error"' in refused.text and "<details" in refused.text
    assert anonymous.post("/reset", data={**first, "consent": "y"}).status_code == 302  # the code was not spent
    db_session.refresh(an)
    assert an.consent_version == CONSENT_VERSION and an.consent_at is not None and an.guardian_consent is None
    assert anonymous.post("/api/session", json={"login": "0922000001", "password": "hoc-sinh-an-1"}
                          ).status_code == 200

    assert client.post(f"/organiser/entrants/lists/{job_id}/forget").status_code == 302
    assert db_session.get(EntrantListJob, job_id).slips is None
    assert codes[1] not in client.get(f"/organiser/entrants/lists/{job_id}/slips").text


def test_an_xlsx_list_with_a_title_row_is_read(client, world, db_session):
    book = Workbook()
    sheet = book.active
    sheet.append(["Danh sách học sinh lớp 10A"])
    sheet.append(["Họ tên", "Ngày sinh", "Số điện thoại", "Mã đơn vị"])
    sheet.append(["Ngô Minh Châu", "03/04/2008", "0922000011", "S2"])
    data = io.BytesIO()
    book.save(data)
    job_id, page = upload(client, data.getvalue(), name="lop10a.xlsx")
    assert db_session.get(EntrantListJob, job_id).status == ImportStatus.READY, page
    assert "1 student is ready" in page


def test_a_list_is_followed_by_its_uploader_only(app, client, world, db_session):
    job_id, _page = upload(client, (HEADER + "Nguyễn Văn An,2008-02-01,0922000001,S1,\n").encode())
    other = make_user(db_session, role=Role.ORGANISER, staff_role=StaffRole.UNIT_MANAGER, scope=world["tree"]["d1"],
                      email="other@example.org")
    db_session.commit()
    log_in(client, other)
    assert client.get(f"/organiser/entrants/lists/{job_id}").status_code == 404
    assert client.post(f"/organiser/entrants/lists/{job_id}/confirm").status_code == 404
    assert db_session.get(EntrantListJob, job_id).status == ImportStatus.READY


def test_a_phone_registered_between_check_and_confirm_rejects_the_list(client, world, db_session):
    job_id, _page = upload(client, (HEADER + "Nguyễn Văn An,2008-02-01,0922000001,S1,\n"
                                    "Trần Bình,2008-02-01,0922000002,S1,\n").encode())
    make_user(db_session, unit=world["tree"]["s3"], phone="0922000002")
    db_session.commit()
    client.post(f"/organiser/entrants/lists/{job_id}/confirm")
    job = db_session.get(EntrantListJob, job_id)
    assert job.status == ImportStatus.REJECTED and job.slips is None
    assert db_session.scalar(select(User.id).where(User.phone == "0922000001")) is None


def test_a_child_on_a_list_needs_a_guardians_agreement_to_set_a_first_password(app, client, world, db_session):
    job_id, _page = upload(client, (HEADER + "Lý Nhỏ,2014-06-01,0922000021,S1,\n").encode())
    client.post(f"/organiser/entrants/lists/{job_id}/confirm")
    slips = client.get(f"/organiser/entrants/lists/{job_id}/slips").text
    [code] = re.findall(r'class="slip-code">([A-Z0-9-]+)<', slips)
    form = {"login": "0922000021", "code": code, "password": "hoc-sinh-nho-1", "confirm": "hoc-sinh-nho-1",
            "consent_version": CONSENT_VERSION, "consent": "y"}
    refused = app.test_client().post("/reset", data=form)
    assert 'id="guardian_consent-error"' in refused.text
    assert app.test_client().post("/reset", data={**form, "guardian_consent": "y"}).status_code == 302
    child = db_session.scalar(select(User).where(User.phone == "0922000021"))
    assert child.guardian_consent is True and child.consent_version == CONSENT_VERSION
