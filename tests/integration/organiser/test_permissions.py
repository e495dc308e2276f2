"""Permissions in one place: every organiser route has a rule, and each role × scope against a province of two
districts and four schools gets what its rule says (pages, JSON, exports and actions), with listed rows inside a
unit organiser's subtree."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from flask import Flask
from PIL import Image
from sqlalchemy import func, select

from contest.access.guards import admin_required, organiser_required
from contest.access.permissions import Action, requires, rounds_drawing
from contest.accounts.models import Role, StaffRole, User
from contest.attempts.runtime import runtime
from contest.audit.models import AuditEntry
from contest.db import utcnow
from contest.leaderboards.exports.jobs import export_dir, run_export
from contest.leaderboards.models import ExportJob
from contest.leaderboards.web import export_pages
from contest.rounds.models import Contest, OrganiserContest
from question_bank.models import BankImage, Question
from tests.factories import make_unit, make_user
from tests.integration.attempts.conftest import make_bank, make_round
from tests.integration.leaderboards.conftest import boards, store  # noqa: F401  (fixtures)
from tests.integration.leaderboards.test_export_jobs import download
from tests.integration.leaderboards.test_results import take
from tests.integration.rounds.conftest import log_in

ORGANISER_PREFIXES = ("/organiser",)

VIEWER = {Action.HOME, Action.CONTEST_LIST, Action.CONTEST_VIEW, Action.ROUND_VIEW, Action.ROUND_EXPORT,
          Action.ENTRANTS_VIEW, Action.FAIRPLAY_REVIEW, Action.UNITS_VIEW}
CONTEST = VIEWER | {Action.CONTEST_CREATE, Action.CONTEST_MANAGE, Action.ROUND_MANAGE, Action.BANK_STATS,
                    Action.DISQUALIFY, Action.ROUND_ALLOW, Action.FAIRPLAY_DECIDE, Action.UNITS_MANAGE}
BANK = {Action.HOME, Action.BANK_VIEW, Action.BANK_EDIT, Action.BANK_EXPORT, Action.BANK_STATS}
# role key -> (actions allowed, contests allowed: None every one)
EXPECTED = {
    "admin": (set(Action), None),
    "contest": (CONTEST, None),
    # The unit tree is every contest's: an organiser of some contests leaves it as it is.
    "contest_a": (CONTEST - {Action.CONTEST_CREATE, Action.UNITS_MANAGE}, {"A"}),
    "bank": (BANK, None),
    "bank_a": (BANK, {"A"}),
    "unit_d1": (VIEWER, None),
    "unit_s1": (VIEWER, None),
    "manager_d1": (VIEWER | {Action.ENTRANTS_MANAGE, Action.ENTRANTS_IMPORT, Action.DISQUALIFY,
                             Action.ROUND_ALLOW, Action.UNITS_MANAGE}, None),
}


def unruled(app: Flask) -> list[str]:
    """Organiser routes (under /organiser, or anywhere behind ``organiser_required``/``admin_required``, as an
    organiser JSON API under /api would be) whose view records no permission rule."""
    found = set()
    for rule in app.url_map.iter_rules():
        view = app.view_functions[rule.endpoint]
        organisers = rule.rule.startswith(ORGANISER_PREFIXES) or getattr(view, "organisers_only", False)
        if organisers and not isinstance(getattr(view, "permission", None), Action):
            found.add(rule.endpoint)
    return sorted(found)


def test_every_organiser_route_has_a_rule(app):
    organiser_rules = [rule for rule in app.url_map.iter_rules() if rule.rule.startswith(ORGANISER_PREFIXES)]
    assert len(organiser_rules) >= 38
    assert unruled(app) == []


def test_a_route_guarded_only_by_organiser_required_is_caught():
    app = Flask(__name__)
    app.add_url_rule("/organiser/new-page", "new_page", organiser_required(lambda: "hi"))
    app.add_url_rule("/api/organiser-numbers", "numbers", admin_required(lambda: "{}"))
    app.add_url_rule("/organiser/ruled", "ruled", requires(Action.HOME)(lambda: "hi"))
    assert unruled(app) == ["new_page", "numbers"]


@pytest.fixture
def world(db_session, boards, rt, monkeypatch):  # noqa: F811  (boards is a fixture)
    """A province of two districts of two schools each, two entrants per school who took round A (contest A) and
    round B (contest B), both closed; one staff account of each role and scope."""
    province = make_unit(db_session, code="P", name="Tỉnh", level="Tỉnh")
    districts = {d: make_unit(db_session, parent=province, code=d, name=f"Huyện {d}", level="Huyện")
                 for d in ("D1", "D2")}
    schools = {s: make_unit(db_session, parent=districts[d], code=s, name=f"Trường {s}", members=10)
               for d, s in (("D1", "S1"), ("D1", "S2"), ("D2", "S3"), ("D2", "S4"))}
    questions = make_bank(db_session)
    rounds = {"A": make_round(db_session, questions=3, attempts=1), "B": make_round(db_session, questions=3,
                                                                                     attempts=1)}
    rounds["A"].contest.title, rounds["B"].contest.title = "Cuộc thi A", "Cuộc thi B"
    entrants = {}
    for code, school in schools.items():
        for n in (1, 2):
            user = make_user(db_session, unit=school, full_name=f"Học sinh {code}-{n}")
            entrants[user.id] = code
            for round_ in rounds.values():
                take(db_session, rt, user, round_, right=n)
    for round_ in rounds.values():
        round_.closes_at = utcnow() - timedelta(seconds=1)
    db_session.commit()
    boards.forget()
    staff = {"admin": make_user(db_session, role=Role.ADMIN, email="admin@example.org")}
    for key, role, scope, contest in [("contest", StaffRole.CONTEST, None, None),
                                      ("contest_a", StaffRole.CONTEST, None, "A"),
                                      ("bank", StaffRole.BANK, None, None), ("bank_a", StaffRole.BANK, None, "A"),
                                      ("unit_d1", StaffRole.UNIT, districts["D1"], None),
                                      ("unit_s1", StaffRole.UNIT, schools["S1"], None),
                                      ("manager_d1", StaffRole.UNIT_MANAGER, districts["D1"], None)]:
        staff[key] = make_user(db_session, role=Role.ORGANISER, staff_role=role, scope=scope,
                               email=f"{key}@example.org")
        if contest:
            db_session.add(OrganiserContest(user_id=staff[key].id, contest_id=rounds[contest].contest_id))
    db_session.commit()
    monkeypatch.setattr(export_pages, "launch", lambda _app, _job_id: None)
    return {"province": province, "districts": districts, "schools": schools, "rounds": rounds, "staff": staff,
            "entrants": entrants, "question": questions[0]}


def requests_of(app, world):
    """``(method, url, action, contest key or None)`` for every organiser route: with a round or contest, once on
    contest A's and once on contest B's."""
    rounds = world["rounds"]
    fixed = {"question_id": world["question"].id, "topic_id": world["question"].topic_id,
             "user_id": world["staff"]["unit_s1"].id, "job_id": 999_999,
             "attempt_id": 999_999, "what": "units", "fmt": "csv",
             "action": "freeze", "post_id": 999_999, "unit_id": world["schools"]["S1"].id}
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if not rule.rule.startswith(ORGANISER_PREFIXES):
            continue
        action = app.view_functions[rule.endpoint].permission
        keys = ("A", "B") if {"round_id", "contest_id"} & rule.arguments else (None,)
        for key in keys:
            values = {name: fixed[name] for name in rule.arguments if name in fixed}
            if "round_id" in rule.arguments:
                values["round_id"] = rounds[key].id
            if "contest_id" in rule.arguments:
                values["contest_id"] = rounds[key].contest_id
            url = rule.build(values, append_unknown=False)[1]
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                yield method, url, action, key


@pytest.mark.parametrize("who", sorted(EXPECTED))
def test_each_role_and_scope_gets_what_its_rule_says(app, client, world, who):
    allowed_actions, contests = EXPECTED[who]
    log_in(client, world["staff"][who])
    wrong = []
    for method, url, action, key in requests_of(app, world):
        allowed = action in allowed_actions and (key is None or contests is None or key in contests)
        status = client.open(url, method=method).status_code
        if status >= 500 or (status == 403) == allowed:
            wrong.append(f"{method} {url} ({action}, contest {key}): {status}, expected "
                         f"{'allowed' if allowed else 403}")
    assert wrong == []


def test_anonymous_and_entrants_are_kept_out(app, client, world, db_session):
    requests = list(requests_of(app, world))
    for method, url, _action, _key in requests:
        response = client.open(url, method=method)
        assert response.status_code == 302 and "/login" in response.location, url
    entrant = db_session.get(User, next(iter(world["entrants"])))
    log_in(client, entrant)
    assert {client.open(url, method=method).status_code for method, url, _a, _k in requests} == {403}


def names_in(text: str, world) -> set[str]:
    return {code for user_id, code in world["entrants"].items() if f"Học sinh {code}-" in text}


@pytest.mark.parametrize("who, schools", [("unit_d1", {"S1", "S2"}), ("unit_s1", {"S1"}),
                                          ("contest", {"S1", "S2", "S3", "S4"})])
def test_results_page_lists_only_the_subtree(client, world, who, schools):
    log_in(client, world["staff"][who])
    page = client.get(f"/organiser/rounds/{world['rounds']['A'].id}/results").text
    live = page[page.index('id="live-board"'):page.index('id="final-review"')]
    final = page[page.index('id="final-review"'):]
    assert names_in(live, world) == schools and names_in(final, world) == schools
    assert f'data-entrants="{2 * len(schools)}"' in page
    manage = ('id="freeze"' in page, 'id="publish"' in page)
    assert manage == ((True, True) if who == "contest" else (False, False))


def test_a_unit_organisers_live_monitor_counts_their_subtree(client, world):
    log_in(client, world["staff"]["unit_d1"])
    round_id = world["rounds"]["A"].id
    counts = client.get(f"/organiser/rounds/{round_id}/live.json").json
    assert counts["entrants"] == 4 and counts["submitted"] == 4 and counts["registered"] == 4
    assert counts["participation"] == 1.0 and counts["connected"] is None
    page = client.get(f"/organiser/rounds/{round_id}/live").text
    assert 'data-count="registered">4<' in page and "100.0%" in page
    log_in(client, world["staff"]["contest"])
    assert client.get(f"/organiser/rounds/{round_id}/live.json").json["entrants"] == 8


def test_live_rankings_and_activity_stay_in_the_subtree(client, world):
    log_in(client, world["staff"]["unit_d1"])
    round_, contest_id = world["rounds"]["A"], world["rounds"]["A"].contest_id
    d1 = {world["districts"]["D1"].id, world["schools"]["S1"].id, world["schools"]["S2"].id}
    for url in (f"/organiser/rounds/{round_.id}/live/units?level=Trường",
                f"/organiser/rounds/{round_.id}/live/units?level=Huyện",
                f"/organiser/contests/{contest_id}/live/units?level=Trường"):
        rows = client.get(url).json["rows"]
        assert rows and {row["unit_id"] for row in rows} <= d1, url
    activity = client.get(f"/organiser/rounds/{round_.id}/live/activity").json
    assert activity["points"][-1]["entrants"] == 4
    board = client.get(f"/organiser/contests/{contest_id}/live/leaderboard").json
    assert board["unit_id"] == world["districts"]["D1"].id and board["total"] == 4
    school = client.get(f"/organiser/contests/{contest_id}/live/leaderboard?unit={world['schools']['S2'].id}").json
    assert school["total"] == 2
    outside = client.get(f"/organiser/contests/{contest_id}/live/leaderboard?unit={world['schools']['S3'].id}")
    assert outside.status_code == 403
    assert client.get(f"/organiser/contests/{contest_id}/live/leaderboard?unit={world['province'].id}"
                      ).status_code == 403


def export(client, db_session, app, world, what: str) -> list[dict]:
    round_id = world["rounds"]["A"].id
    response = client.post(f"/organiser/rounds/{round_id}/exports/{what}.csv")
    assert response.status_code == 302
    job_id = int(response.location.rstrip("/").split("/")[-1])
    run_export(db_session, job_id, questions=runtime().questions, directory=export_dir(app.instance_path))
    job = db_session.get(ExportJob, job_id)
    assert job.status == "done", job.error
    response = download(client, round_id, job_id)
    return list(csv.DictReader(io.StringIO(response.data.decode("utf-8-sig"))))


@pytest.mark.parametrize("who, schools", [("unit_d1", {"S1", "S2"}), ("unit_s1", {"S1"}),
                                          ("contest", {"S1", "S2", "S3", "S4"})])
def test_exports_write_only_the_subtrees_rows(app, client, db_session, world, who, schools, tmp_path, monkeypatch):
    monkeypatch.setattr(app, "instance_path", str(tmp_path))
    log_in(client, world["staff"][who])
    ranking = export(client, db_session, app, world, "ranking")
    assert {row["Trường"] for row in ranking} == {f"Trường {s}" for s in schools}
    assert len(ranking) == 2 * len(schools)
    answers = export(client, db_session, app, world, "answers")
    names = " ".join(r["Full name"] for r in answers)  # this export is in English (the test client's language)
    assert len(answers) == 2 * len(schools) * 3 and names_in(names, world) == schools
    units = {row["Unit code"] for row in export(client, db_session, app, world, "units")}
    expected = {"S1"} if who == "unit_s1" else {"D1", "S1", "S2"} if who == "unit_d1" else None
    assert units == (expected or {"P", "D1", "D2", "S1", "S2", "S3", "S4"})


def test_an_export_job_is_reached_by_its_creator_only(app, client, db_session, world, tmp_path, monkeypatch):
    monkeypatch.setattr(app, "instance_path", str(tmp_path))
    round_id = world["rounds"]["A"].id
    log_in(client, world["staff"]["contest"])
    job_url = client.post(f"/organiser/rounds/{round_id}/exports/answers.csv").location
    assert client.get(job_url).status_code == 200
    log_in(client, world["staff"]["unit_d1"])
    assert client.get(job_url).status_code == 404
    assert download(client, round_id, int(job_url.rstrip("/").split("/")[-1])).status_code == 404
    log_in(client, world["staff"]["admin"])
    assert client.get(job_url).status_code == 200


def test_a_job_writes_nothing_once_its_creator_may_no_longer_export(app, client, db_session, world, tmp_path,
                                                                     monkeypatch):
    monkeypatch.setattr(app, "instance_path", str(tmp_path))
    log_in(client, world["staff"]["unit_d1"])
    job_url = client.post(f"/organiser/rounds/{world['rounds']['A'].id}/exports/ranking.csv").location
    job_id = int(job_url.rstrip("/").split("/")[-1])
    world["staff"]["unit_d1"].staff_role = StaffRole.BANK
    db_session.commit()
    run_export(db_session, job_id, questions=runtime().questions, directory=export_dir(app.instance_path))
    job = db_session.get(ExportJob, job_id)
    assert job.status == "failed" and job.path is None


def test_home_counts_the_subtree(client, world):
    log_in(client, world["staff"]["unit_s1"])
    page = client.get("/organiser/").text
    assert "<b>1</b>" in page and "<b>2</b>" in page  # one unit, two entrants
    assert "/organiser/bank/" not in page and "/organiser/staff" not in page


def test_a_bank_editor_limited_to_a_contest_cannot_change_what_another_contests_round_draws(client, db_session,
                                                                                             world):
    question = world["question"]
    other_topic_round = make_round(db_session, questions=1)
    other_topic_round.blueprint = [{"topic_id": question.topic_id + 1000, "difficulty": None, "count": 1}]
    db_session.commit()
    log_in(client, world["staff"]["bank_a"])
    # Only a round of a third contest is open, and it draws another topic: the question is the editor's to change.
    assert rounds_drawing(db_session, question, now=utcnow()) == []
    assert client.post(f"/organiser/bank/{question.id}/active", data={"active": "0"}).status_code == 302
    assert db_session.get(Question, question.id).active is False
    client.post(f"/organiser/bank/{question.id}/active", data={"active": "1"})
    world["rounds"]["B"].closes_at = utcnow() + timedelta(days=1)  # contest B's round draws the whole bank again
    db_session.commit()
    assert client.post(f"/organiser/bank/{question.id}/active", data={"active": "0"}).status_code == 403
    assert client.get(f"/organiser/bank/{question.id}/edit").status_code == 403
    # Nor its pictures: the edit is refused before any upload is checked or stored.
    png = io.BytesIO()
    Image.new("RGB", (8, 8)).save(png, "PNG")
    refused = client.post(f"/organiser/bank/{question.id}/edit", content_type="multipart/form-data",
                          data={"text": "Câu mới?", "image": (io.BytesIO(png.getvalue()), "a.png")})
    assert refused.status_code == 403 and db_session.scalar(select(func.count()).select_from(BankImage)) == 0
    assert client.post(f"/organiser/bank/{question.id}/readmit").status_code == 403
    assert 'id="shared-question"' in client.get(f"/organiser/bank/{question.id}").text
    assert db_session.get(Question, question.id).active is True
    log_in(client, world["staff"]["bank"])
    assert client.post(f"/organiser/bank/{question.id}/active", data={"active": "0"}).status_code == 302
    assert db_session.get(Question, question.id).active is False


def test_contest_organisers_no_longer_export_the_bank(client, world):
    log_in(client, world["staff"]["contest"])
    assert client.get("/organiser/bank/export?format=csv").status_code == 403
    log_in(client, world["staff"]["bank"])
    assert client.get("/organiser/bank/export?format=csv").status_code == 200


def test_the_staff_form_checks_role_and_unit(client, db_session, world):
    log_in(client, world["staff"]["admin"])
    base = {"full_name": "X", "email": "x@example.org", "password": "long-enough-pass"}
    page = client.post("/organiser/staff/new", data={**base, "staff_role": "unit"})
    assert page.status_code == 200 and "A unit organiser needs the code of their unit." in page.text
    page = client.post("/organiser/staff/new", data={**base, "staff_role": "bank", "scope_unit": "S1"})
    assert "Only unit organisers are limited to a unit: leave the unit empty." in page.text
    assert client.post("/organiser/staff/new", data={**base, "staff_role": "bank"}).status_code == 302
    created = db_session.scalar(select(User).where(
        User.email == "x@example.org"))
    assert created.staff_role == StaffRole.BANK and created.scope_unit is None
    assert "question bank editor" in client.get("/organiser/staff").text


def test_contests_list_keeps_the_organisers_contests(client, world, db_session):
    log_in(client, world["staff"]["contest_a"])
    page = client.get("/organiser/contests").text
    assert "Cuộc thi A" in page and "Cuộc thi B" not in page
    assert db_session.scalar(select(Contest.id).where(Contest.title == "Cuộc thi B")) is not None


def test_an_admin_changes_an_organisers_role(client, db_session, world):
    contest_organiser = world["staff"]["contest"]
    log_in(client, world["staff"]["admin"])
    assert 'id="role-form"' in client.get(f"/organiser/staff/{contest_organiser.id}/contests").text
    refused = client.post(f"/organiser/staff/{contest_organiser.id}/role", data={"staff_role": "unit"},
                          follow_redirects=True)
    assert "A unit organiser needs the code of their unit." in refused.text
    assert client.post(f"/organiser/staff/{contest_organiser.id}/role",
                       data={"staff_role": "unit", "scope_unit": "D2"}).status_code == 302
    db_session.refresh(contest_organiser)
    assert contest_organiser.staff_role == StaffRole.UNIT and contest_organiser.scope_unit.code == "D2"
    entry = db_session.scalar(select(AuditEntry).where(AuditEntry.action == "account.staff_role"))
    assert entry.actor_id == world["staff"]["admin"].id and entry.details["after"] == {"staff_role": "unit",
                                                                                       "scope": "D2"}
    log_in(client, contest_organiser)
    assert client.post(f"/organiser/rounds/{world['rounds']['A'].id}/freeze").status_code == 403
    assert client.get(f"/organiser/rounds/{world['rounds']['A'].id}/live.json").json["entrants"] == 4
