"""Item statistics from stored attempts: the numbers, the question page, the exports, the CLI and who may see them.
(Storing them, the round pages and "Compute now" are in ``test_stored_item_stats.py``.)

The round is the hand-computed case of ``tests/unit/question_bank/test_item_stats.py``: five finalised attempts
scoring 2, 1, 1, 0, 0 on a single-answer question (B) and a multiple-answer one (A and C).
"""

from __future__ import annotations

import csv
import io
import math
from datetime import timedelta

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from contest.accounts.models import Role, StaffRole
from contest.attempts.models import Answer, Attempt, Status
from contest.db import utcnow
from contest.rounds.models import OrganiserContest
from question_bank.models import QuestionRevision
from question_bank.round_stats import round_item_stats
from question_bank.stats_export import HEADER
from question_bank.stored_stats import question_stats, refresh_round_stats, round_stats_rows
from tests.factories import make_user
from tests.integration.attempts.conftest import make_bank, make_round
from tests.integration.rounds.conftest import log_in

D = 1.175 / 1.35
R = 7 / math.sqrt(84)


@pytest.fixture(autouse=True)
def english(client):
    client.set_cookie("lang", "en")


def revision_id(session, question_id):
    return session.scalar(select(QuestionRevision.id).where(QuestionRevision.question_id == question_id))


def add_attempt(session, round_, paper, choices, *, status=Status.SUBMITTED):
    """An attempt of a new entrant with ``choices`` (original keys per slot, "" for no answer), scored."""
    user = make_user(session)
    now = utcnow()
    score = 0
    for item, keys in zip(paper, choices, strict=True):
        score += sorted(keys) == sorted(session.get(QuestionRevision, item["rev"]).correct)
    attempt = Attempt(round_id=round_.id, user_id=user.id, number=1, status=status, paper=paper,
                      started_at=now - timedelta(minutes=5), deadline=now + timedelta(minutes=5),
                      finished_at=None if status == Status.IN_PROGRESS else now,
                      score=None if status == Status.IN_PROGRESS else score, max_score=len(paper),
                      duration_ms=None if status == Status.IN_PROGRESS else 300_000)
    session.add(attempt)
    session.flush()
    for slot, keys in enumerate(choices):
        if keys:
            session.add(Answer(attempt_id=attempt.id, slot=slot, choice=sorted(keys), seq=1, answered_at=now))
    session.flush()
    return attempt


@pytest.fixture
def case(db_session):
    questions = make_bank(db_session, single=2, multiple=1)
    single, multiple, unused = questions[0], questions[2], questions[1]
    rev = {q.id: revision_id(db_session, q.id) for q in questions}
    paper = [{"q": single.id, "rev": rev[single.id], "opts": ["C", "A", "D", "B"]},
             {"q": multiple.id, "rev": rev[multiple.id], "opts": ["A", "B", "C", "D"]}]
    round_ = make_round(db_session, questions=2)
    for choices, status in ((("B", "AC"), Status.SUBMITTED), (("B", "A"), Status.EXPIRED),
                            (("C", "AC"), Status.SUBMITTED), (("", ""), Status.EXPIRED),
                            (("A", "C"), Status.SUBMITTED),
                            (("D", "B"), Status.IN_PROGRESS)):  # not finalised: not counted
        add_attempt(db_session, round_, paper, choices, status=status)
    other = make_round(db_session, questions=2)  # another contest's round: its attempts stay out
    add_attempt(db_session, other, paper, ("D", "B"))
    db_session.commit()
    return {"round": round_, "other": other, "single": single, "multiple": multiple, "unused": unused}


@pytest.fixture
def closed(db_session, case):
    """The case with both rounds closed: while a round can draw the questions, their figures are withheld."""
    for round_ in (case["round"], case["other"]):
        round_.opens_at, round_.closes_at = utcnow() - timedelta(days=2), utcnow() - timedelta(days=1)
    db_session.commit()
    return case


@pytest.mark.parametrize("chunk", [1000, 2])
def test_the_numbers_of_a_hand_made_round(db_session, case, chunk):
    stats = round_item_stats(db_session, case["round"].id, chunk=chunk)
    assert set(stats) == {case["single"].id, case["multiple"].id}
    one, two = stats[case["single"].id], stats[case["multiple"].id]
    assert (one.n, one.correct, one.facility) == (5, 2, 0.4)
    assert one.discrimination == pytest.approx(D) and one.point_biserial == pytest.approx(R)
    assert one.option_counts == {"A": 1, "B": 2, "C": 1, "D": 0} and one.no_answer == 1
    assert one.correct_keys == ("B",)
    assert (two.n, two.facility) == (5, 0.4)
    assert two.option_counts == {"A": 3, "B": 0, "C": 3, "D": 0} and two.no_answer == 1
    assert two.correct_keys == ("A", "C")

    only = round_item_stats(db_session, case["round"].id, question_id=case["single"].id, chunk=chunk)
    assert only == {case["single"].id: one}


def test_a_round_without_finalised_attempts_has_no_statistics(db_session, case):
    assert round_item_stats(db_session, make_round(db_session).id) == {}


def store(session, *rounds):
    for round_ in rounds:
        refresh_round_stats(session, round_.id, utcnow())


def test_the_question_lists_the_rounds_it_was_given_in(db_session, case):
    assert question_stats(db_session, case["single"].id) == []  # nothing stored yet
    store(db_session, case["round"], case["other"])
    found = question_stats(db_session, case["single"].id)
    assert [(entry.round_id, entry.round_title, entry.stats.n) for entry in found] == [
        (case["round"].id, "Tuần 1", 5), (case["other"].id, "Tuần 1", 1)]
    assert question_stats(db_session, case["unused"].id) == []
    scoped = question_stats(db_session, case["single"].id, contest_ids=frozenset({case["other"].contest_id}))
    assert [entry.round_id for entry in scoped] == [case["other"].id]


def test_the_question_page_shows_them(client, db_session, case, closed):
    log_in(client, make_user(db_session, role=Role.ORGANISER, staff_role=StaffRole.BANK, email="stats@example.org"))
    before = client.get(f"/organiser/bank/{case['single'].id}").get_data(as_text=True)
    assert "No round has statistics for this question yet." in before
    assert "appear here once it has closed, or after “Compute now”" in before
    assert f"/organiser/bank/stats/{case['round'].id}.xlsx" not in before
    store(db_session, case["round"], case["other"])
    page = client.get(f"/organiser/bank/{case['single'].id}").get_data(as_text=True)
    assert "Statistics by round" in page and "Tuần 1" in page
    round_part = page[page.index("Statistics by round"):]
    first = round_part[:round_part.index("</table>", round_part.index("option-shares"))]
    assert "<td>5</td><td>40.0%</td><td>0.87</td><td>0.76</td>" in first
    assert '<tr class="correct"><th scope="row">B <span class="badge ok">correct</span>' in first
    for key, share in (("A", "20.0%"), ("C", "20.0%"), ("D", "0.0%")):
        assert f'<th scope="row">{key}</th>\n        <td>{share}</td>' in first
    assert "No answer</th><td>20.0%</td>" in first
    assert f"/organiser/bank/stats/{case['round'].id}.xlsx" in page

    unused = client.get(f"/organiser/bank/{case['unused'].id}").get_data(as_text=True)
    assert "No round has statistics for this question yet." in unused


def test_csv_export_rows(client, db_session, case, closed):
    question = case["single"]
    db_session.get(QuestionRevision, revision_id(db_session, question.id)).text = '=HYPERLINK("http://evil")'
    portrait = "ab" * 32 + ".jpg"  # a pictured question's export names its picture, as the bank's export does
    db_session.get(QuestionRevision, revision_id(db_session, case["multiple"].id)).image = portrait
    db_session.commit()
    log_in(client, make_user(db_session, role=Role.ORGANISER, staff_role=StaffRole.BANK, email="stats@example.org"))
    response = client.get(f"/organiser/bank/stats/{case['round'].id}.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.get_data().decode("utf-8-sig"))))
    assert tuple(rows[0]) == HEADER
    assert rows[1] == [str(question.id), "Chuyển đổi số", "Nhận biết", '\'=HYPERLINK("http://evil")', "5", "0.4",
                       f"{round(D, 4)}", f"{round(R, 4)}", "0.2", "0.4", "0.2", "0.0", "", "", "", "", "0.2", ""]
    assert rows[2][:2] == [str(case["multiple"].id), "Chuyển đổi số"] and rows[2][8:] == [
        "0.6", "0.0", "0.6", "0.0", "", "", "", "", "0.2", portrait]
    assert len(rows) == 3


def test_xlsx_export_rows(client, db_session, case, closed):
    log_in(client, make_user(db_session, role=Role.ORGANISER, staff_role=StaffRole.BANK, email="stats@example.org"))
    response = client.get(f"/organiser/bank/stats/{case['round'].id}.xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.get_data())).active
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert tuple(rows[0]) == HEADER
    assert rows[1][0] == case["single"].id and rows[1][4:8] == [5, 0.4, round(D, 4), round(R, 4)]
    assert rows[1][8:] == [0.2, 0.4, 0.2, 0.0, None, None, None, None, 0.2, None]


def test_unknown_round_or_format(client, db_session, case):
    log_in(client, make_user(db_session, role=Role.ORGANISER, staff_role=StaffRole.BANK, email="stats@example.org"))
    assert client.get("/organiser/bank/stats/999999.csv").status_code == 404
    assert client.get(f"/organiser/bank/stats/{case['round'].id}.gift").status_code == 404


def test_only_organisers_of_the_contest_see_statistics(client, db_session, case):
    url = f"/organiser/bank/stats/{case['round'].id}.csv"
    assert client.get(url).status_code in (302, 401)  # not logged in: the login page
    log_in(client, make_user(db_session, phone="0911111111"))
    assert client.get(url).status_code == 403
    assert client.get(f"/organiser/bank/{case['single'].id}").status_code == 403

    store(db_session, case["round"], case["other"])
    limited = make_user(db_session, role=Role.ORGANISER, staff_role=StaffRole.BANK, email="limited@example.org")
    db_session.add(OrganiserContest(user_id=limited.id, contest_id=case["other"].contest_id))
    db_session.commit()
    log_in(client, limited)
    assert client.get(url).status_code == 403
    assert client.get(f"/organiser/bank/stats/{case['other'].id}.csv").status_code == 200
    page = client.get(f"/organiser/bank/{case['single'].id}").get_data(as_text=True)
    assert f"/organiser/bank/stats/{case['other'].id}.csv" in page
    assert f"/organiser/bank/stats/{case['round'].id}.csv" not in page


def test_cli_writes_the_statistics(app, db_session, case, tmp_path):
    runner = app.test_cli_runner()
    path = tmp_path / "stats.csv"
    result = runner.invoke(args=["bank", "stats", str(case["round"].id), str(path)])
    assert result.exit_code == 0, result.output
    assert "statistics of 2 question(s)" in result.output
    assert path.read_bytes().decode("utf-8-sig").splitlines()[0] == ",".join(HEADER)
    xlsx = tmp_path / "stats.bin"
    assert runner.invoke(args=["bank", "stats", str(case["round"].id), "--format", "xlsx", str(xlsx)]).exit_code == 0
    assert load_workbook(io.BytesIO(xlsx.read_bytes())).active.max_row == 3
    missing = runner.invoke(args=["bank", "stats", "999999", str(path)])
    assert missing.exit_code == 1 and "there is no round 999999" in missing.output


def test_rows_name_each_question_by_its_current_revision(db_session, case):
    rows = round_stats_rows(db_session, case["round"].id)
    assert [(row.question_id, row.topic, row.difficulty) for row in rows] == [
        (case["single"].id, "Chuyển đổi số", "Nhận biết"), (case["multiple"].id, "Chuyển đổi số", "Nhận biết")]
