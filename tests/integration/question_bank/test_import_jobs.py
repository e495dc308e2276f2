"""Bank uploads as jobs, through the organiser pages: the upload is answered at once with its job's page; the
check runs in the background in a child process (here: run within the request, ``run_now``), refusing files
over a limit with a clear message; the page polls its progress as JSON; "Import now" writes the bank, checked
again against the bank as it is then."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from contest.accounts.models import Role, StaffRole
from question_bank import pages as views
from question_bank.import_jobs import ImportJob, ImportStatus
from question_bank.models import Question
from question_bank.parsing import plan_in_worker
from tests.factories import PASSWORD, make_question, make_user
from tests.unit.question_bank.crafted_xlsx import HEADER as BANK_HEADER
from tests.unit.question_bank.crafted_xlsx import bank_xlsx, crafted_xlsx, question_rows, sheet_xml


@pytest.fixture
def organiser(client, db_session):
    user = make_user(db_session, role=Role.ORGANISER, staff_role=StaffRole.BANK, email="bank@example.org")
    assert client.post("/api/session", json={"login": "bank@example.org", "password": PASSWORD}).status_code == 200
    client.set_cookie("lang", "en")
    return user


@pytest.fixture
def run_now(monkeypatch):
    monkeypatch.setattr(views, "launch", views.run_job)


@pytest.fixture
def launched(monkeypatch):
    """The jobs the views would have started in the background, not run."""
    started: list[int] = []
    monkeypatch.setattr(views, "launch", lambda _app, job_id: started.append(job_id))
    return started


def post(client, data: bytes, name: str = "bank.xlsx"):
    # Encoded here: the test client would spool a large body to a temporary file it never closes.
    boundary, body = encode_multipart({"file": FileStorage(io.BytesIO(data), filename=name)})
    return client.post("/organiser/bank/import", data=body,
                       content_type=f"multipart/form-data; boundary={boundary}")


def job_page(client, data: bytes, name: str = "bank.xlsx") -> tuple[int, str]:
    response = post(client, data, name)
    assert response.status_code == 302, response.get_data(as_text=True)
    job_id = int(response.headers["Location"].rsplit("/", 1)[1])
    return job_id, client.get(response.headers["Location"]).get_data(as_text=True)


def poll(client, job_id: int) -> dict:
    response = client.get(f"/organiser/bank/import/{job_id}", headers={"Accept": "application/json"})
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    return response.get_json()


def questions(db_session) -> int:
    return db_session.scalar(select(func.count()).select_from(Question))


def test_the_upload_answers_at_once_and_the_page_polls_until_checked(client, organiser, db_session, launched):
    job_id, page = job_page(client, bank_xlsx(3))
    assert launched == [job_id]
    assert "Waiting to start…" in page and "import-job.js" in page and "data-waiting" in page
    assert poll(client, job_id) | {"finished_at": None} == {
        "ok": True, "id": job_id, "status": "queued", "filename": "bank.xlsx", "questions_total": None,
        "questions_done": 0, "waiting": True, "error": None, "finished_at": None}
    views.run_job(client.application, job_id)
    assert poll(client, job_id)["status"] == "ready" and poll(client, job_id)["waiting"] is False
    page = client.get(f"/organiser/bank/import/{job_id}").get_data(as_text=True)
    assert "3 questions are ready to import." in page and "data-waiting" not in page
    views.run_job(client.application, job_id)  # a step that is not due does nothing
    assert poll(client, job_id)["status"] == "ready" and questions(db_session) == 0


def test_the_whole_flow_imports_once_confirmed(client, organiser, db_session, run_now):
    job_id, page = job_page(client, bank_xlsx(120))
    assert "120 questions are ready to import." in page and "Import now" in page
    assert questions(db_session) == 0
    assert client.post(f"/organiser/bank/import/{job_id}/confirm").status_code == 302
    assert questions(db_session) == 120
    assert poll(client, job_id) | {"finished_at": None} == {
        "ok": True, "id": job_id, "status": "done", "filename": "bank.xlsx", "questions_total": 120,
        "questions_done": 120, "waiting": False, "error": None, "finished_at": None}
    assert "Imported 120 questions." in client.get(f"/organiser/bank/import/{job_id}").get_data(as_text=True)


def test_a_question_added_between_the_check_and_the_import_rejects_the_file(client, organiser, db_session,
                                                                             run_now):
    job_id, _page = job_page(client, bank_xlsx(3))
    make_question(db_session, text="Câu hỏi số 2?", options=("Có 2", "Không 2"))
    client.post(f"/organiser/bank/import/{job_id}/confirm")
    page = client.get(f"/organiser/bank/import/{job_id}").get_data(as_text=True)
    assert db_session.get(ImportJob, job_id).status is ImportStatus.REJECTED
    assert "1 problem: nothing was imported." in page and "<td>3</td><td>cau_hoi</td>" in page
    assert questions(db_session) == 1


def test_a_file_over_the_size_cap_is_refused_before_it_is_read(client, organiser, db_session, app, monkeypatch,
                                                                launched):
    monkeypatch.setitem(app.config, "BANK_UPLOAD_MAX_BYTES", 100_000)
    big = post(client, b"x" * 200_000, "big.csv")
    assert big.status_code == 413 and "at most 97 KB here" in big.get_data(as_text=True)
    assert launched == [] and db_session.scalar(select(func.count()).select_from(ImportJob)) == 0


def test_an_upload_without_a_file_is_422(client, organiser):
    response = client.post("/organiser/bank/import", data={}, content_type="multipart/form-data")
    assert response.status_code == 422 and "Choose a file." in response.get_data(as_text=True)


@pytest.mark.parametrize(("make", "message"), [
    (lambda: bank_xlsx(3, dimension="A1:XFD3000"), "the sheet declares 16384 columns, more than the 50 allowed"),
    (lambda: crafted_xlsx(sheet_xml([BANK_HEADER, *question_rows(20_011)])), "the file has more than 20000 rows"),
    (lambda: crafted_xlsx(sheet_xml([BANK_HEADER, *question_rows(20_011)], dimension="A1:F3")),
     "the file has more than 20000 rows"),
    (lambda: crafted_xlsx(sheet_xml([BANK_HEADER]), extra={"xl/media/x.bin": b"\0" * 70_000_000}),
     "(is it a zip bomb?)"),
], ids=["declared dimensions", "too many rows", "lying dimensions", "zip bomb"])
def test_files_over_a_limit_are_rejected_with_the_reason(client, organiser, db_session, run_now, make, message):
    job_id, page = job_page(client, make())
    assert "The file cannot be read: " in page and message in page
    assert db_session.get(ImportJob, job_id).status is ImportStatus.REJECTED and "Import now" not in page
    assert questions(db_session) == 0


def test_a_file_that_takes_too_long_is_rejected_and_the_child_stopped(client, organiser, db_session, app,
                                                                      monkeypatch, run_now):
    monkeypatch.setitem(app.config, "IMPORT_TIMEOUT_S", 0.2)  # less than the child needs to start
    _job_id, page = job_page(client, bank_xlsx(3))
    assert "the file took longer than 0 s to read; split it into smaller files" in page


def test_the_worker_runs_with_no_transaction_open(client, organiser, db_session, monkeypatch, run_now):
    """SQLite gives a process one connection: held while a file is parsed, it would stall every other request."""
    seen = []

    def watching(request, *, timeout):
        seen.append(db_session().in_transaction())
        return plan_in_worker(request, timeout=timeout)

    monkeypatch.setattr(views, "plan_in_worker", watching)
    job_id, _page = job_page(client, bank_xlsx(3))
    client.post(f"/organiser/bank/import/{job_id}/confirm")
    assert seen == [False, False] and questions(db_session) == 3


def test_a_broken_worker_fails_the_job_with_its_reason(client, organiser, db_session, monkeypatch, run_now):
    def broken(request, *, timeout):
        raise RuntimeError("no child today")

    monkeypatch.setattr(views, "plan_in_worker", broken)
    job_id, page = job_page(client, bank_xlsx(3))
    assert db_session.get(ImportJob, job_id).status is ImportStatus.FAILED
    assert "The file could not be processed." in page and "RuntimeError: no child today" in page
