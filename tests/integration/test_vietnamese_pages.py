"""No English on a Vietnamese page: every HTML page the app serves, in Vietnamese, shows none of the English it
could leak.

The pages come from ``app.url_map`` (every rule with GET), so a page another change adds is checked without anyone
listing it. Each is fetched as anonymous, an entrant and an admin, with data present (units, a bank, an open round
with an attempt in progress, a closed round with finished attempts, published and corrected, an export job, the
audit entries all that wrote); every page with a form is then submitted empty, to show its errors. Only HTML is
read (downloads and JSON are not pages); what a visitor reads of it: the text, the values of buttons and the
``placeholder``, ``title``, ``aria-label`` and ``alt`` attributes, not scripts, styles or ids.

English it could leak (``english_phrases``):

* WTForms' and Flask-WTF's own messages (every message of WTForms' catalog, its placeholders cut), Flask-Login's
  default messages;
* our own catalog's English: a message marked for translation and shown untranslated (three words or more, where
  the Vietnamese differs);
* raw ids: every audit action the code records (``"results.publish"``), the values of the enums the models store
  (``in_progress``), ``None``, and the markers "(open)", "(closed)", "(entrants)", "voided:".

A failure names the page, who asked and the phrase, with the text around it.
"""

from __future__ import annotations

import random
import re

import pytest
from flask_wtf import FlaskForm
from sqlalchemy import select

from contest.accounts.models import Role
from contest.attempts.runtime import runtime
from contest.attempts.service import start_attempt
from contest.audit.models import AuditEntry
from contest.db import utcnow
from contest.leaderboards.exports.jobs import run_export
from contest.leaderboards.recording import Leaderboards
from contest.leaderboards.runtime import extension
from contest.leaderboards.stores.memory import MemoryStore
from contest.leaderboards.web import export_pages
from tests.english_text import english_phrases, find_english, visible_text
from tests.factories import PASSWORD, make_user
from tests.integration.attempts.conftest import make_round
from tests.integration.leaderboards.test_results import closed_round  # noqa: F401  (a fixture)


def test_the_detector_finds_what_it_must():
    phrases = english_phrases()
    assert "This field is required." in phrases and "results.publish" in phrases
    assert "Please log in to access this page." in phrases
    assert len([p for p, s in phrases.items() if s == "an untranslated message of ours"]) > 100
    html = ('<p>Họ tên</p><script>var None = "This field is required."</script>'
            '<span title="Field cannot be longer than 200 characters.">x</span><td>results.publish</td><td>2.33</td>')
    found = find_english(visible_text(html), phrases)
    assert len(found) == 3, found
    assert not find_english(visible_text("<p>Trường này là bắt buộc. Nonesuch results.publishing 1.234 2,33 "
                                         "03.12.2026 22:09</p>"), phrases)


@pytest.fixture
def boards(app, db_session):
    """The app's boards on a fresh in-process store (what is shown does not depend on the store)."""
    with app.app_context():
        ext, rt = extension(app), runtime()
    saved = ext.boards, rt.boards
    ext.boards = rt.boards = Leaderboards(MemoryStore())
    ext.names.clear()
    ext.units.clear()
    yield ext.boards
    ext.boards, rt.boards = saved


@pytest.fixture
def world(app, client, db_session, closed_round, monkeypatch, rt, tmp_path):  # noqa: F811
    """The closed round published and corrected, an open round with an entrant's attempt in progress, an export
    job done: the ids the URLs get, by the name of the URL's argument."""
    tree, closed, people = closed_round
    monkeypatch.setattr(app, "instance_path", str(tmp_path))
    monkeypatch.setattr(export_pages, "launch", lambda _app, _job_id: None)
    make_user(db_session, role=Role.ADMIN, email="admin@example.org", full_name="Quản Trị Viên", commit=True)
    entrant = make_user(db_session, unit=tree["s1"], phone="0911111111", full_name="Nguyễn Văn Em", commit=True)
    login(client, "admin@example.org")
    assert client.post(f"/organiser/rounds/{closed.id}/publish", data={"reason": ""}).status_code == 302
    voided = people["An"].paper[0]["q"]
    assert client.post(f"/organiser/rounds/{closed.id}/correct",
                       data={"questions": str(voided), "reason": "Câu hỏi sai đáp án"}).status_code == 302
    response = client.post(f"/organiser/rounds/{closed.id}/exports/ranking.xlsx", data={})
    job_id = int(response.headers["Location"].rsplit("/", 1)[1])
    run_export(db_session, job_id, questions=rt.questions, directory=tmp_path / "exports")
    open_round = make_round(db_session, questions=5, attempts=2)
    attempt = start_attempt(db_session, rt, user_id=entrant.id, round_id=open_round.id, now=utcnow(),
                            rng=random.Random(1))
    client.delete("/api/session", json={})
    return {"round_id": open_round.id, "contest_id": closed.contest_id, "attempt_id": attempt["id"],
            "user_id": entrant.id, "job_id": job_id, "closed_round_id": closed.id,
            "finished_attempt_id": people["An"].id, "unit_id": tree["d1"].id}


def login(client, who: str) -> None:
    client.delete("/api/session", json={})
    assert client.post("/api/session", json={"login": who, "password": PASSWORD}).status_code == 200


def _urls(rule, ids: dict) -> list[str]:
    """The rule's URLs: with the ids that exist (and, for rounds and attempts, the closed round's and the finished
    attempt's too), every value of an ``any`` argument."""
    variants = [dict(ids)]
    if "round_id" in rule.arguments:
        variants.append({**ids, "round_id": ids["closed_round_id"]})
    if "attempt_id" in rule.arguments:
        variants.append({**ids, "attempt_id": ids["finished_attempt_id"]})
    urls = []
    for values in variants:
        args: list[dict] = [{}]
        for name, converter in rule._converters.items():
            choices = sorted(converter.items) if hasattr(converter, "items") else [values.get(name, 1)]
            args = [{**done, name: choice} for done in args for choice in choices]
        for built in args:
            url = rule.rule
            for name, value in built.items():
                url = re.sub(rf"<(?:[^:<>]+:)?{name}(?:\([^)]*\))?>", str(value), url)
            urls.append(url)
    return list(dict.fromkeys(urls))


def _is_page(response) -> bool:
    return response.mimetype == "text/html"


def test_no_english_on_a_vietnamese_page(app, client, db_session, world):
    phrases = english_phrases()
    recorded = db_session.scalars(select(AuditEntry.action).distinct())
    phrases.update({action: "a raw audit action" for action in recorded})
    rules = [rule for rule in app.url_map.iter_rules()
             if "GET" in rule.methods and rule.endpoint != "static" and not rule.rule.startswith("/api/")]
    logins = {"anonymous": None, "entrant": "0911111111", "admin": "admin@example.org"}
    failures: list[str] = []
    pages = forms = 0
    for who, account in logins.items():
        for rule in rules:
            for url in _urls(rule, world):
                client.delete("/api/session", json={})
                if account:
                    login(client, account)
                response = client.get(url)
                body = response.get_data(as_text=True) if _is_page(response) else ""
                response.close()
                if not body:
                    continue
                pages += 1
                failures += [f"{who} GET {url} ({response.status_code}): {found}"
                             for found in find_english(visible_text(body), phrases)]
                if "POST" in rule.methods and "<form" in body and response.status_code == 200:
                    forms += 1
                    posted = client.post(url, data={})
                    if _is_page(posted):
                        failures += [f"{who} POST {url} empty ({posted.status_code}): {found}"
                                     for found in find_english(visible_text(posted.get_data(as_text=True)), phrases)]
                    posted.close()
    assert not failures, f"English on {len(failures)} Vietnamese pages:\n" + "\n".join(failures[:60])
    assert pages > 60 and forms > 8, (pages, forms)


def test_wtforms_vietnamese(app):
    """Our catalog reaches WTForms' own messages (see ``contest.i18n.wtforms_translations``)."""
    from wtforms import StringField
    from wtforms.validators import DataRequired, Length

    class Probe(FlaskForm):
        name = StringField(validators=[DataRequired()])
        code = StringField(validators=[Length(max=3)])

    with app.test_request_context("/", method="POST", data={"code": "abcdef"}):
        app.preprocess_request()
        form = Probe(meta={"csrf": False})
        assert not form.validate()
        assert form.name.errors == ["Trường này là bắt buộc."]
        assert form.code.errors == ["Không được dài quá 3 ký tự."]
