"""Organiser exports as jobs: started by a POST, run (here synchronously, as the server's background task would)
to a file with its progress in the database, polled as JSON, downloaded once done; scoped to the organiser's
contests; a failing export ends failed with its reason; old jobs and files go when a new job starts."""

from __future__ import annotations

import csv
import io
import os
import re
import stat
from datetime import datetime, timedelta

import pytest
from flask_babel import force_locale
from openpyxl import load_workbook
from openpyxl.worksheet import _writer as openpyxl_writer
from sqlalchemy import select

from contest.accounts.models import User
from contest.attempts.models import Answer
from contest.db import utcnow
from contest.i18n import CONTEST_TIME_ZONE
from contest.leaderboards.exports import jobs as export_jobs
from contest.leaderboards.exports import rows as exports
from contest.leaderboards.exports.jobs import run_export, start_export
from contest.leaderboards.models import ExportJob, JobStatus
from contest.leaderboards.web import export_pages
from contest.rounds.models import Contest
from contest.units.models import Unit
from tests.integration.attempts.conftest import make_round
from tests.integration.leaderboards.test_results import closed_round, organiser_client  # noqa: F401  (a fixture)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
LEVELS = ["Tỉnh", "Huyện", "Trường"]  # make_tree's
RANKING_VI = ["Hạng", "Mã thí sinh", "Họ và tên", "Tỉnh", "Huyện", "Trường", "Điểm", "Điểm tối đa", "Dự đoán",
              "Sai số dự đoán", "Thời gian làm bài (phút:giây)", "Thời điểm nộp bài", "Lượt thi"]
DURATION = re.compile(r"^\d+:[0-5]\d\.\d$")
LOCAL_MOMENT = re.compile(r"^\d\d/\d\d/\d{4} \d\d:\d\d:\d\d$")


def headers(keys, lang: str = "vi") -> list[str]:
    """The header row an export of ``keys`` has in ``lang``, make_tree's levels as unit columns."""
    with force_locale(lang):
        return [exports.label(key) for key in exports.with_levels(keys, LEVELS)]


@pytest.fixture
def closed(closed_round):  # noqa: F811
    """Four entrants took a five-question round, which has closed: ``(tree, round, {name: attempt})``."""
    return closed_round


@pytest.fixture
def launched(app, monkeypatch, tmp_path):
    """The jobs the views would have started in the background; the exports folder is the test's own."""
    monkeypatch.setattr(app, "instance_path", str(tmp_path))
    started: list[int] = []
    monkeypatch.setattr(export_pages, "launch", lambda _app, job_id: started.append(job_id))
    return started


def start(client, round_id: int, what: str, fmt: str, **form) -> int:
    response = client.post(f"/organiser/rounds/{round_id}/exports/{what}.{fmt}", data=form)
    assert response.status_code == 302, response.get_data(as_text=True)
    path = response.headers["Location"]
    assert path.startswith(f"/organiser/rounds/{round_id}/exports/")
    return int(path.rsplit("/", 1)[1])


def private(path) -> int:
    """The permission bits of ``path``."""
    return stat.S_IMODE(path.stat().st_mode)


def run(db_session, rt, tmp_path, job_id: int, *, pause=lambda: None) -> ExportJob:
    """The background task's work, done here and now."""
    run_export(db_session, job_id, questions=rt.questions, directory=tmp_path / "exports", pause=pause)
    return db_session.get(ExportJob, job_id)


def poll(client, round_id: int, job_id: int) -> dict:
    response = client.get(f"/organiser/rounds/{round_id}/exports/{job_id}", headers={"Accept": "application/json"})
    assert response.status_code == 200 and response.mimetype == "application/json"
    assert "no-store" in response.headers["Cache-Control"]
    return response.json


def download(client, round_id: int, job_id: int):
    """The response, read whole and closed (a file's response holds the file open until then)."""
    response = client.get(f"/organiser/rounds/{round_id}/exports/{job_id}/download")
    response.get_data()
    response.close()
    return response


def parse_csv(response) -> list[list[str]]:
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


def test_a_ranking_export_runs_to_done_and_downloads_with_every_row(client, db_session, rt, closed, launched,
                                                                     tmp_path):
    tree, round_, people = closed
    db_session.get(Unit, tree["s1"].id).name = "=HYPERLINK(\"http://x\")"
    db_session.get(User, people["Dung"].user_id).full_name = "+Dung"
    db_session.commit()
    organiser = organiser_client(client, db_session)
    results = client.get(f"/organiser/rounds/{round_.id}/results").get_data(as_text=True)
    for what in ("ranking", "units", "answers"):
        for fmt in ("xlsx", "csv"):
            assert f'formaction="/organiser/rounds/{round_.id}/exports/{what}.{fmt}"' in results

    job_id = start(client, round_.id, "ranking", "csv")
    assert launched == [job_id]
    queued = poll(client, round_.id, job_id)
    assert queued == {"ok": True, "id": job_id, "round_id": round_.id, "what": "ranking", "fmt": "csv",
                      "version": None, "status": "queued", "rows_done": 0, "rows_total": None, "error": None,
                      "file_name": f"round-{round_.id}-ranking.csv", "created_at": queued["created_at"],
                      "finished_at": None, "download_url": None}
    assert download(client, round_.id, job_id).status_code == 409  # not done: refused
    page = client.get(f"/organiser/rounds/{round_.id}/exports/{job_id}").get_data(as_text=True)
    assert '<progress id="export-progress"' in page and "js/export-job.js" in page

    job = run(db_session, rt, tmp_path, job_id)
    assert (job.status, job.rows_total, job.rows_done, job.created_by_id) == (JobStatus.DONE, 4, 4, organiser.id)
    assert private(tmp_path / "exports") == 0o700 and private(tmp_path / "exports" / job.path) == 0o600
    done = poll(client, round_.id, job_id)
    assert (done["status"], done["rows_done"], done["rows_total"]) == ("done", 4, 4) and done["finished_at"]
    assert done["download_url"] == f"/organiser/rounds/{round_.id}/exports/{job_id}/download"
    response = download(client, round_.id, job_id)
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert f'filename=round-{round_.id}-ranking.csv' in response.headers["Content-Disposition"]
    assert int(response.headers["Content-Length"]) == len(response.data)
    rows = parse_csv(response)
    assert rows[0] == RANKING_VI == headers(exports.RANKING_HEADER)
    assert [row[2] for row in rows[1:]] == ["Bình", "An", "Cường", "'+Dung"]  # formulas escaped
    assert rows[4][3:6] == ["Tỉnh Thử", "Huyện Đại Từ", "'=HYPERLINK(\"http://x\")"]  # one column a level
    assert rows[1][8:10] == ["2", "0"] and rows[1][12] == "1"
    assert DURATION.match(rows[1][10]) and LOCAL_MOMENT.match(rows[1][11]), rows[1]

    # A job runs once: a second run (another process, a retry) leaves it as it is.
    run(db_session, rt, tmp_path, job_id)
    assert db_session.get(ExportJob, job_id).finished_at.isoformat() == done["finished_at"]


def test_a_published_version_as_xlsx(client, db_session, rt, closed, launched, tmp_path, monkeypatch):
    _, round_, _ = closed
    organiser_client(client, db_session)
    client.post(f"/organiser/rounds/{round_.id}/publish", data={})
    results = client.get(f"/organiser/rounds/{round_.id}/results").get_data(as_text=True)
    assert '<input type="hidden" name="version" value="1">' in results
    monkeypatch.setattr(exports, "BATCH", 3)  # the published rows in two pages
    job_id = start(client, round_.id, "ranking", "xlsx", version="1")
    job = run(db_session, rt, tmp_path, job_id)
    assert (job.status, job.version, job.rows_total, job.rows_done) == (JobStatus.DONE, 1, 4, 4)
    assert private(tmp_path / "exports" / job.path) == 0o600
    response = download(client, round_.id, job_id)
    assert response.status_code == 200 and response.mimetype == XLSX
    assert f"filename=round-{round_.id}-ranking-v1.xlsx" in response.headers["Content-Disposition"]
    assert int(response.headers["Content-Length"]) == len(response.data)
    values = list(load_workbook(io.BytesIO(response.data), read_only=True).active.values)
    assert list(values[0]) == RANKING_VI and [v[2] for v in values[1:]] == ["Bình", "An", "Cường", "Dung"]
    assert values[1][6] == 5 and isinstance(values[1][10], timedelta) and isinstance(values[1][11], datetime)

    # No such version: no job, a message on the results page.
    response = client.post(f"/organiser/rounds/{round_.id}/exports/ranking.csv", data={"version": "7"})
    assert response.headers["Location"] == f"/organiser/rounds/{round_.id}/results"
    assert db_session.scalars(select(ExportJob.id)).all() == [job_id]
    assert client.post(f"/organiser/rounds/{round_.id}/exports/nope.csv").status_code == 404


def test_answers_report_progress_per_batch_and_fill_several_sheets(client, db_session, rt, closed, launched,
                                                                    tmp_path, monkeypatch):
    _, round_, people = closed
    dung = people["Dung"]
    db_session.get(User, dung.user_id).full_name = "+Dung"
    round_.closes_at -= timedelta(seconds=round_.grace_s)  # past its grace too: the keys may leave the server
    db_session.commit()
    organiser_client(client, db_session)
    # Four entrants' five answers: 20 rows, in batches of three, with turns every four rows too; pages of three
    # attempts, then one.
    monkeypatch.setattr(exports, "BATCH", 3)
    monkeypatch.setattr(export_jobs, "PAUSE_ROWS", 4)
    monkeypatch.setattr(exports, "ANSWER_PAGE", 3)
    monkeypatch.setattr(exports, "SHEET_ROWS", 8)  # a header and seven rows a sheet
    job_id = start(client, round_.id, "answers", "xlsx")
    seen = []

    def pause():  # whether a transaction is open first: reading the count opens one
        seen.append((db_session().in_transaction(), db_session.get(ExportJob, job_id).rows_done))

    job = run(db_session, rt, tmp_path, job_id, pause=pause)
    # A turn once the rows are counted, then after each batch (its count committed) and every fourth row (rows 3,
    # 4, 6, 8, 9, 12, 15, 16, 18, 20); the reading transaction is always over by then.
    assert seen == [(False, n) for n in (0, 3, 3, 6, 6, 9, 12, 15, 15, 18, 18)]
    assert (job.status, job.rows_total, job.rows_done) == (JobStatus.DONE, 20, 20)

    book = load_workbook(io.BytesIO(download(client, round_.id, job_id).data), read_only=True)
    assert book.sheetnames == ["Câu trả lời", "Câu trả lời 2", "Câu trả lời 3"]
    sheets = [list(book[name].values) for name in book.sheetnames]
    assert [len(values) for values in sheets] == [1 + 7, 1 + 7, 1 + 6]
    assert all(list(values[0]) == headers(exports.ANSWERS_HEADER) for values in sheets)
    rows = [row for values in sheets for row in values[1:]]
    dung_rows = [row for row in rows if row[0] == dung.user_id]
    assert [row[13] for row in dung_rows] == [1, 1, 1, 0, 0] and dung_rows[0][1] == "'+Dung"
    assert {row[7] for row in rows} == {"đã nộp bài"}  # the status in words
    stored = {a.slot: a.choice for a in db_session.scalars(select(Answer).where(Answer.attempt_id == dung.id))}
    assert dung_rows[0][11] == ",".join(sorted(stored[0]))


def test_unit_rankings_as_csv(client, db_session, rt, closed, launched, tmp_path):
    tree, round_, _ = closed
    db_session.get(Unit, tree["s1"].id).name = "=HYPERLINK(\"http://x\")"
    db_session.commit()
    organiser_client(client, db_session)
    job = run(db_session, rt, tmp_path, start(client, round_.id, "units", "csv"))
    assert (job.status, job.rows_total, job.rows_done, job.version) == (JobStatus.DONE, 6, 6, None)
    rows = parse_csv(download(client, round_.id, job.id))
    assert rows[0] == headers(exports.UNITS_HEADER) and len(rows) == 1 + 6
    schools = {row[2]: row for row in rows[1:] if row[0] == "Trường"}
    assert schools["S1"][3:5] == ["'=HYPERLINK(\"http://x\")", "2"]  # the name escaped; An and Dung


def test_a_failing_export_ends_failed_with_its_reason(client, db_session, rt, closed, launched, tmp_path,
                                                       monkeypatch, caplog):
    _, round_, _ = closed
    organiser_client(client, db_session)

    def broken(*args, **kwargs):
        yield exports.ANSWERS_HEADER
        yield ("a", "row")
        raise RuntimeError("the bank is unreadable")

    monkeypatch.setattr(exports, "answer_rows", broken)
    job_id = start(client, round_.id, "answers", "xlsx")
    sheets_on_disk = list(openpyxl_writer.ALL_TEMP_FILES)
    job = run(db_session, rt, tmp_path, job_id)
    assert openpyxl_writer.ALL_TEMP_FILES == sheets_on_disk  # openpyxl's temporary sheet files are gone too
    assert job.status == JobStatus.FAILED and job.finished_at is not None and job.path is None
    assert job.error == "RuntimeError: the bank is unreadable"
    assert "export job" in caplog.text and "the bank is unreadable" in caplog.text
    assert list((tmp_path / "exports").iterdir()) == []  # the half-written file is gone
    failed = poll(client, round_.id, job_id)
    assert (failed["status"], failed["error"], failed["download_url"]) == (
        "failed", "RuntimeError: the bank is unreadable", None)
    page = client.get(f"/organiser/rounds/{round_.id}/exports/{job_id}").get_data(as_text=True)
    assert "RuntimeError: the bank is unreadable" in page
    assert download(client, round_.id, job_id).status_code == 409


def test_organisers_of_another_contest_are_refused(client, db_session, closed, launched, tmp_path):
    _, round_, _ = closed
    job = start_export(db_session, round_id=round_.id, what="ranking", fmt="csv", version=None, actor_id=None,
                       now=utcnow(), directory=tmp_path / "exports")
    other = Contest(title="Khác", created_at=utcnow())
    db_session.add(other)
    db_session.commit()
    organiser_client(client, db_session, contest=other)
    base = f"/organiser/rounds/{round_.id}/exports"
    assert client.post(f"{base}/ranking.csv").status_code == 403
    assert client.get(f"{base}/{job.id}", headers={"Accept": "application/json"}).status_code == 403
    assert client.get(f"{base}/{job.id}").status_code == 403
    assert client.get(f"{base}/{job.id}/download").status_code == 403
    assert launched == [] and db_session.scalars(select(ExportJob.id)).all() == [job.id]


def test_a_job_is_reached_only_through_its_round(client, db_session, closed, launched):
    _, round_, _ = closed
    second = make_round(db_session)
    organiser_client(client, db_session)
    job_id = start(client, round_.id, "units", "csv")
    for path in (f"/organiser/rounds/{second.id}/exports/{job_id}",
                 f"/organiser/rounds/{second.id}/exports/{job_id}/download"):
        assert client.get(path).status_code == 404


def test_jobs_and_files_older_than_a_day_go_when_a_job_starts(db_session, closed, tmp_path):
    _, round_, _ = closed
    folder = tmp_path / "exports"
    now = utcnow()
    old = start_export(db_session, round_id=round_.id, what="units", fmt="csv", version=None, actor_id=None,
                       now=now - timedelta(days=1, minutes=1), directory=folder)
    recent = start_export(db_session, round_id=round_.id, what="units", fmt="xlsx", version=None, actor_id=None,
                          now=now - timedelta(hours=23), directory=folder)
    folder.mkdir()
    stale, fresh = folder / f"{old.id}-x.csv", folder / f"{recent.id}-x.xlsx"
    for file, age in ((stale, timedelta(days=1, minutes=1)), (fresh, timedelta(hours=23))):
        file.write_bytes(b"x")
        os.utime(file, ((now - age).timestamp(),) * 2)
    new = start_export(db_session, round_id=round_.id, what="units", fmt="csv", version=None, actor_id=None,
                       now=now, directory=folder)
    assert db_session.scalars(select(ExportJob.id).order_by(ExportJob.id)).all() == [recent.id, new.id]
    assert sorted(folder.iterdir()) == [fresh]


def test_a_ranking_workbook_an_official_can_use(client, db_session, rt, closed, launched, tmp_path):
    """Opened as Excel would: Vietnamese headers, a column per level, real dates and durations in Vietnam's
    time, the header frozen, columns wide enough; English with ``lang=en``."""
    tree, round_, people = closed
    organiser_client(client, db_session)
    job = run(db_session, rt, tmp_path, start(client, round_.id, "ranking", "xlsx"))
    book = load_workbook(io.BytesIO(download(client, round_.id, job.id).data))
    sheet = book.active
    assert sheet.title == "Xếp hạng chung cuộc" and sheet.freeze_panes == "A2"
    values = list(sheet.iter_rows(values_only=True))
    assert list(values[0]) == RANKING_VI and all(cell.font.bold for cell in sheet[1])
    first = dict(zip(RANKING_VI, values[1], strict=True))
    best = people[first["Họ và tên"]]
    assert (first["Tỉnh"], first["Huyện"]) == ("Tỉnh Thử", "Huyện Đại Từ") and first["Trường"] == "THPT Nguyễn Huệ"
    assert first["Thời gian làm bài (phút:giây)"] == timedelta(milliseconds=best.duration_ms)
    local = best.finished_at.astimezone(CONTEST_TIME_ZONE).replace(tzinfo=None)
    assert abs(first["Thời điểm nộp bài"] - local) < timedelta(milliseconds=1)  # Vietnam's time, a real datetime
    assert sheet["K2"].number_format == "[m]:ss.0" and sheet["L2"].number_format == "dd/mm/yyyy hh:mm:ss"
    widths = {letter: sheet.column_dimensions[letter].width for letter in "ACDFKL"}
    assert widths["C"] >= 28 and widths["D"] >= 20 and widths["L"] >= 19 and widths["K"] >= len(RANKING_VI[10])
    assert widths["A"] < widths["C"]

    english = run(db_session, rt, tmp_path, start(client, round_.id, "ranking", "csv", lang="en"))
    assert english.lang == "en"
    rows = parse_csv(download(client, round_.id, english.id))
    assert rows[0] == headers(exports.RANKING_HEADER, "en")
    assert rows[0][:3] == ["Rank", "Entrant no.", "Full name"] and rows[0][3:6] == LEVELS
    assert re.match(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$", rows[1][11])


def test_the_unit_rankings_workbook_has_percentages_and_decimals(client, db_session, rt, closed, launched,
                                                                 tmp_path):
    _, round_, _ = closed
    organiser_client(client, db_session)
    job = run(db_session, rt, tmp_path, start(client, round_.id, "units", "xlsx"))
    sheet = load_workbook(io.BytesIO(download(client, round_.id, job.id).data)).active
    header = [cell.value for cell in sheet[1]]
    assert header == headers(exports.UNITS_HEADER)
    column = header.index("Tỷ lệ tham gia") + 1
    school = next(row for row in sheet.iter_rows(min_row=2) if row[2].value == "S1")
    assert school[column - 1].number_format == "0.0%" and 0 < school[column - 1].value <= 1
    csv_job = run(db_session, rt, tmp_path, start(client, round_.id, "units", "csv"))
    rows = parse_csv(download(client, round_.id, csv_job.id))
    s1 = next(row for row in rows if row[2] == "S1")
    assert "," in s1[column - 1] and "." not in s1[column - 1]  # a Vietnamese decimal: 0,02
