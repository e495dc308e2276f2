"""Every route of the app, with every method, answers malformed input with a 4xx and never a 500.

The routes come from ``app.url_map``, so a new one is fuzzed without anyone listing it. Each is sent, as
anonymous, an entrant and an admin: ids that exist, 0 and beyond 64 bits; every form field the app defines and
the query parameters it reads, filled with one kind of bad value at a time (NUL, huge numbers, huge strings,
Arabic-Indic and full-width digits, markup, bad dates...); malformed, nested, oversized and mistyped JSON; and
a body of the wrong content type. A fixed corpus, so a failure names the exact request and repeats.
"""

from __future__ import annotations

import json
import random

import pytest
from flask_wtf import FlaskForm
from wtforms.fields.core import UnboundField

from contest.accounts.models import Role
from contest.attempts.service import start_attempt
from contest.db import utcnow
from contest.leaderboards.web import export_pages
from tests.factories import PASSWORD, make_tree, make_user
from tests.integration.attempts.conftest import make_bank, make_round

QUERY_KEYS = ("q", "page", "sort", "order", "level", "topic", "status", "next", "format", "active", "inactive",
              "version", "unit", "unit_id", "limit", "after", "lang")
BAD_VALUES = (
    "", "\x00", "9" * 30, "-1", "٣٤", "１２", "x" * 5000, "<script>'\"", "' OR 1=1 --", "2007-02-30", "1e309",
    "\u202eabc\u200b", "\ud7ff\x07",
)
BAD_JSON = (
    b"{", b"[]", b"null", b"[" * 3000 + b"]" * 3000, b'{"a": "\\u0000"}', b'{"login": 1e999, "password": [1]}',
    b'{"choices": "\\ud800", "rev": -99999999999999999999999, "keys": [[[]]]}',
)
HUGE = "99999999999999999999"


def form_fields() -> set[str]:
    """The name of every field of every form the app defines."""
    names: set[str] = set()
    pending = list(FlaskForm.__subclasses__())
    while pending:
        form = pending.pop()
        pending.extend(form.__subclasses__())
        for klass in form.__mro__:
            names.update(name for name, value in vars(klass).items() if isinstance(value, UnboundField))
    return names


def _fill(pattern: str, args: dict) -> str:
    out, i = [], 0
    while i < len(pattern):
        if pattern[i] == "<":
            end = pattern.index(">", i)
            name = pattern[i + 1:end].split(":")[-1]
            out.append(str(args[name]))
            i = end + 1
        else:
            out.append(pattern[i])
            i += 1
    return "".join(out)


def any_items(converter) -> list[str]:
    return sorted(converter.items) if hasattr(converter, "items") else []


@pytest.fixture
def world(db_session, monkeypatch, rt):
    """Units, a bank, an open round with an attempt, an entrant and an admin: the ids the URLs get, by the name
    of the URL's argument (PostgreSQL's sequences do not restart, so they are not simply 1)."""
    monkeypatch.setattr(export_pages, "launch", lambda _app, _job_id: None)  # no background exports
    tree = make_tree(db_session)
    question = make_bank(db_session)[0]
    round_ = make_round(db_session)
    entrant = make_user(db_session, unit=tree["s1"], phone="0911111111")
    make_user(db_session, role=Role.ADMIN, email="admin@example.org")
    db_session.commit()
    attempt = start_attempt(db_session, rt, user_id=entrant.id, round_id=round_.id, now=utcnow(),
                            rng=random.Random(1))
    return {"round_id": round_.id, "contest_id": round_.contest_id, "attempt_id": attempt["id"],
            "question_id": question.id, "topic_id": question.topic_id, "user_id": entrant.id, "slot": 0}


def test_no_route_answers_malformed_input_with_a_500(app, client, db_session, world, rt):
    fields = sorted(form_fields())
    rules = [rule for rule in app.url_map.iter_rules() if rule.endpoint != "static"]
    logins = {"anonymous": None, "entrant": "0911111111", "admin": "admin@example.org"}
    failures: list[str] = []
    sent = 0

    def send(who: str, method: str, url: str, **kwargs) -> None:
        nonlocal sent
        sent += 1
        response = client.open(url, method=method, **kwargs)
        if response.status_code >= 500:
            failures.append(f"{who} {method} {url!r} {kwargs!r:.200} -> {response.status_code}")
        response.close()

    for who, login in logins.items():
        for rule in rules:
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                client.delete("/api/session")  # whatever the last route did (a logout, a password change)
                if login:
                    assert client.post("/api/session", json={"login": login, "password": PASSWORD}).status_code == 200
                for converter_name, converter in rule._converters.items():
                    assert type(converter).__name__ in (
                        "BoundedIntConverter", "AnyConverter", "UnicodeConverter", "PathConverter"), converter_name
                targets = _targets(rule, world)
                for url in targets[1:]:
                    send(who, method, url)
                url = targets[0]
                for bad in BAD_VALUES:
                    query = "&".join(f"{key}={_quote(bad)}" for key in QUERY_KEYS)
                    if method == "GET":
                        send(who, method, f"{url}?{query}")
                    else:
                        send(who, method, f"{url}?next={_quote(bad)}", data={name: bad for name in fields})
                if method != "GET" or url.startswith("/api/"):
                    for body in BAD_JSON:
                        send(who, method, url, data=body, content_type="application/json")
                    send(who, method, url, data=json.dumps({name: "٣" * 12 for name in fields}),
                         content_type="application/json")
                    send(who, method, url, data=b"login=a&password=b", content_type="text/plain")
    assert not failures, f"{len(failures)} of {sent} requests failed:\n" + "\n".join(failures[:40])
    assert sent > 2000


def _quote(text: str) -> str:
    from urllib.parse import quote

    return quote(text.encode("utf-8", "surrogatepass"), safe="")


def _targets(rule, ids: dict[str, int]) -> list[str]:
    """The rule's URL with ids that exist, then 0 and beyond 64 bits (when it has ids)."""
    ints = [name for name, c in rule._converters.items() if type(c).__name__ == "BoundedIntConverter"]

    def build(value: str | None) -> str:
        args = {}
        for name, converter in rule._converters.items():
            if name in ints:
                args[name] = ids.get(name, 1) if value is None else value
            elif any_items(converter):
                args[name] = any_items(converter)[0]
            else:
                args[name] = "x"
        return _fill(rule.rule, args)

    return [build(None), build("0"), build(HUGE)] if ints else [build(None)]
