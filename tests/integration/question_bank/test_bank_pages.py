"""The organiser pages of the bank, driven through the test client (CSRF is off in tests)."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from contest.accounts.models import Role, StaffRole
from question_bank.import_jobs import ImportJob
from question_bank.models import Question, Topic
from question_bank.vocabulary import Difficulty
from tests.factories import PASSWORD, make_question, make_topic, make_user
from tests.unit.question_bank.bank_samples import messy_file

DEMO_XLSX = Path(__file__).resolve().parents[3] / "contest" / "demo" / "data" / "demo_question_bank.xlsx"


def question_count(db_session) -> int:
    return db_session.scalar(select(func.count()).select_from(Question))


def test_entrants_may_not_see_the_bank(client, db_session):
    make_user(db_session, phone="0911111111")
    client.post("/api/session", json={"login": "0911111111", "password": PASSWORD})
    assert client.get("/organiser/bank/").status_code == 403
    assert client.get("/organiser/bank/export?format=csv").status_code == 403


def test_list_searches_without_accents_and_shows_html_as_text(client, organiser, db_session):
    topic = make_topic(db_session, name="Chuyển đổi số")
    make_question(db_session, topic=topic, text="Chuyển đổi số <script>alert(1)</script> là gì?")
    make_question(db_session, topic=topic, text="Câu khác hẳn")
    page = client.get("/organiser/bank/?q=chuyen+doi+so").get_data(as_text=True)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "<script>alert(1)" not in page
    assert "Câu khác hẳn" not in page


def test_filters_and_pagination_links(client, organiser, db_session):
    topic = make_topic(db_session)
    for _ in range(30):
        make_question(db_session, topic=topic, difficulty=Difficulty.APPLICATION)
    page = client.get(f"/organiser/bank/?topic={topic.id}&difficulty=VD&active=1").get_data(as_text=True)
    assert "page=2" in page and f"topic={topic.id}" in page
    assert "30" in page
    empty = client.get(f"/organiser/bank/?topic={topic.id}&difficulty=NB").get_data(as_text=True)
    assert "page=2" not in empty


def test_create_show_edit_and_deactivate(client, organiser, db_session):
    topic = make_topic(db_session, name="Kỹ năng số")
    form = {"text": "Mật khẩu <b>mạnh</b> là?", "option_a": "123456", "option_b": "Tr0ng!Mk#9", "correct": ["B"],
            "topic_id": topic.id, "difficulty": "TH", "type": "single", "explanation": "", "source": "", "tags": ""}
    created = client.post("/organiser/bank/new", data=form)
    assert created.status_code == 302
    question = db_session.scalar(select(Question))
    shown = client.get(created.headers["Location"]).get_data(as_text=True)
    assert "Mật khẩu &lt;b&gt;mạnh&lt;/b&gt; là?" in shown

    edited = client.post(f"/organiser/bank/{question.id}/edit", data={**form, "option_c": "matkhau"})
    assert edited.status_code == 302 and question.revision == 2

    client.post(f"/organiser/bank/{question.id}/active", data={"active": "0"})
    assert question.active is False
    client.post(f"/organiser/bank/{question.id}/active", data={"active": "1"})
    assert question.active is True


def test_an_invalid_form_shows_the_import_rules_beside_the_fields(client, organiser, db_session):
    client.set_cookie("lang", "en")  # the English msgids read best here; the pages default to Vietnamese
    topic = make_topic(db_session)
    page = client.post("/organiser/bank/new", data={"text": "Hỏi?", "option_a": "x", "correct": ["D"],
                                                      "topic_id": topic.id, "difficulty": "NB", "type": "single"})
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "fewer than 2 options (found 1)" in text
    assert "the correct answer D names an option that is empty or missing" in text
    assert question_count(db_session) == 0


def upload(client, data: bytes, name: str, **form) -> str:
    """Upload through the form and follow to the job's page (the check ran before the redirect: ``run_now``)."""
    response = client.post("/organiser/bank/import", data={"file": (io.BytesIO(data), name), **form},
                           content_type="multipart/form-data")
    assert response.status_code == 302, response.get_data(as_text=True)
    assert response.headers["Location"].startswith("/organiser/bank/import/")
    return client.get(response.headers["Location"]).get_data(as_text=True)


def test_upload_shows_row_problems_and_imports_nothing(client, organiser, db_session, run_now):
    client.set_cookie("lang", "en")  # the English msgids read best here; the pages default to Vietnamese
    page = upload(client, messy_file("xlsx"), "messy.xlsx")
    assert "nothing was imported" in page
    assert "<td>9</td><td>dap_an_b</td><td>fewer than 2 options (found 1)</td>" in page
    assert "Import now" not in page
    assert question_count(db_session) == 0


def test_upload_problems_and_unreadable_files_are_in_vietnamese_by_default(client, organiser, db_session, run_now):
    page = upload(client, messy_file("xlsx"), "messy.xlsx")
    assert "<td>9</td><td>dap_an_b</td><td>ít hơn 2 phương án (chỉ có 1)</td>" in page
    assert "fewer than" not in page
    gift = upload(client, "$CATEGORY: Lịch sử\nKể về ngày 2/9. {}\n\nNăm nào? {#1945}\n".encode(), "cau_hoi.gift")
    assert "<td>2</td><td>cau_hoi</td><td>không hỗ trợ câu hỏi tự luận</td>" in gift
    assert "<td>4</td><td>cau_hoi</td><td>không hỗ trợ câu hỏi dạng số</td>" in gift

    no_header = upload(client, "Câu hỏi ôn tập;Ghi chú\nThủ đô?;Hà Nội\n".encode(), "on_tap.csv")
    assert ("Không đọc được tệp: không có dòng tên cột nào ghi các cột cau_hoi, dap_an_dung trong 10 dòng đầu"
            in no_header)
    assert "no header row" not in no_header
    not_a_workbook = upload(client, b"not a zip", "hong.xlsx")
    assert "Không đọc được tệp: tệp không phải là bảng tính .xlsx đọc được" in not_a_workbook
    assert question_count(db_session) == 0


def test_upload_dry_run_then_confirm(client, organiser, db_session, run_now):
    client.set_cookie("lang", "en")  # the English msgids read best here; the pages default to Vietnamese
    page = upload(client, DEMO_XLSX.read_bytes(), "demo.xlsx")
    assert "49 questions are ready to import." in page and "Import now" in page
    assert question_count(db_session) == 0
    job_id = db_session.scalar(select(func.max(ImportJob.id)))
    done = client.post(f"/organiser/bank/import/{job_id}/confirm")
    assert done.status_code == 302 and question_count(db_session) == 49
    assert "Imported 49 questions." in client.get(done.headers["Location"]).get_data(as_text=True)
    again = client.post(f"/organiser/bank/import/{job_id}/confirm")
    assert again.status_code == 302 and question_count(db_session) == 49  # the upload is used up
    assert "This file is not waiting for confirmation." in client.get(again.headers["Location"]).get_data(as_text=True)


def test_another_organisers_job_is_not_found(client, organiser, db_session, run_now):
    upload(client, DEMO_XLSX.read_bytes(), "demo.xlsx")
    job_id = db_session.scalar(select(func.max(ImportJob.id)))
    make_user(db_session, role=Role.ORGANISER, staff_role=StaffRole.BANK, email="other@example.org")
    assert client.post("/api/session", json={"login": "other@example.org", "password": PASSWORD}).status_code == 200
    assert client.get(f"/organiser/bank/import/{job_id}").status_code == 404
    assert client.post(f"/organiser/bank/import/{job_id}/confirm").status_code == 404
    assert client.post("/organiser/bank/import/999999/confirm").status_code == 404
    assert question_count(db_session) == 0


@pytest.mark.parametrize(("fmt", "marker"), [("xlsx", b"PK"), ("csv", "cau_hoi".encode("utf-8-sig")),
                                             ("gift", b"$CATEGORY"), ("aiken", b"ANSWER:")])
def test_export_downloads_each_format(client, organiser, db_session, fmt, marker):
    topic = make_topic(db_session, name="Kỹ năng số")
    make_question(db_session, topic=topic, text="=HYPERLINK(\"http://x\") có chạy không?")
    response = client.get(f"/organiser/bank/export?format={fmt}&topic={topic.id}")
    assert response.status_code == 200
    assert "attachment" in response.headers["Content-Disposition"]
    assert marker in response.data
    if fmt == "xlsx":
        sheet = load_workbook(io.BytesIO(response.data)).worksheets[0]
        assert sheet["A2"].value.startswith("'=HYPERLINK") and sheet["A2"].data_type == "s"
    assert client.get("/organiser/bank/export?format=pdf").status_code == 404


def test_topics_page_creates_and_renames(client, organiser, db_session):
    client.post("/organiser/bank/topics", data={"new-name": "Lịch sử Đoàn"})
    topic = db_session.scalar(select(Topic))
    assert topic.name == "Lịch sử Đoàn"
    client.post(f"/organiser/bank/topics/{topic.id}", data={f"t{topic.id}-name": "Lịch sử Đảng và Đoàn"})
    assert topic.name == "Lịch sử Đảng và Đoàn"
    assert "Lịch sử Đảng và Đoàn" in client.get("/organiser/bank/topics").get_data(as_text=True)
