"""Over random published rankings and random prize rules, the public prize page, each entrant's result page and
the prize committee's export agree with a reference computation written here from the rules as the organiser's
page states them (not with ``compute_awards``' code)."""

from __future__ import annotations

import csv
import io
import re
from fractions import Fraction

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from contest.attempts.models import Attempt
from contest.db import utcnow
from contest.leaderboards.exports.rows import label
from contest.leaderboards.models import PublishedResult, PublishedRow
from contest.prizes.export import HEADER
from contest.prizes.service import set_rules
from tests.factories import make_user
from tests.integration.prizes.conftest import login, make_contest, organiser, publish_round, take

SCHOOLS = ("s1", "s2", "s3")
DISTRICT = {"s1": "d1", "s2": "d1", "s3": "d2"}
LABELS = {"first": "Giải Nhất", "second": "Giải Nhì", "third": "Giải Ba", "consolation": "Giải Khuyến khích"}

entrants = st.lists(st.tuples(st.sampled_from(SCHOOLS), st.integers(0, 10), st.integers(1, 400)),
                    min_size=1, max_size=18)
rules = st.fixed_dictionaries({
    "first": st.integers(0, 2), "second": st.integers(0, 3), "third": st.integers(0, 3),
    "consolation": st.integers(0, 5), "min_score": st.integers(0, 6), "best_of": st.booleans(),
    "units": st.lists(st.sampled_from([("Trường", "participation"), ("Trường", "entrants"), ("Huyện", "average"),
                                       ("Huyện", "entrants")]), unique=True, max_size=3),
    "places": st.integers(1, 3), "members": st.tuples(*[st.integers(1, 12)] * 3)})


def reference(rows, rule, tree) -> tuple[set, set]:
    """``rows``: ``(rank, user_id, school, score)`` of the published version. Individual prizes
    ``{(prize, place, user_id)}`` and unit prizes ``{(prize, level, place, unit code)}``."""
    ranked = sorted(rows)
    eligible = [r for r in ranked if r[3] >= rule["min_score"]]
    people, taken = set(), set()
    slots = [(prize, place) for prize in ("first", "second", "third", "consolation")
             for place in range(1, rule[prize] + 1)]
    for (prize, place), row in zip(slots, eligible, strict=False):
        people.add((prize, place, row[1]))
        taken.add(row[1])
    if rule["best_of"]:
        for district in ("d1", "d2"):
            best = [r for r in eligible if DISTRICT[r[2]] == district and r[1] not in taken]
            if best:
                people.add(("best_of", 1, best[0][1]))
                taken.add(best[0][1])
    units = set()
    for level, by in rule["units"]:
        groups: dict[str, list[int]] = {}
        for _, _, school, score in ranked:
            groups.setdefault(school if level == "Trường" else DISTRICT[school], []).append(score)
        order = []
        for key, scores in groups.items():
            unit = tree[key]
            average = Fraction(sum(scores), len(scores))
            if by == "participation":
                order.append(((-Fraction(len(scores), unit.member_count), -len(scores), unit.code), unit.code))
            elif by == "entrants":
                order.append(((-len(scores), -average, unit.code), unit.code))
            else:
                order.append(((-average, -len(scores), unit.code), unit.code))
        for place, (_, code) in enumerate(sorted(order)[:rule["places"]], start=1):
            units.add((f"unit_{by}", level, place, code))
    return people, units


def form_of(rule) -> dict:
    return {**{k: str(rule[k]) for k in ("first", "second", "third", "consolation", "min_score")},
            "one_per_contest": "1", "best_of_levels": "Huyện" if rule["best_of"] else "",
            "unit_prizes": "\n".join(f"{level}, {by}, {rule['places']}" for level, by in rule["units"])}


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(entrants, rules)
def test_page_result_page_and_export_agree_with_the_reference(app, db_session, boards, tree, entrants, rules):
    contest, (week,) = make_contest(db_session)
    for school, members in zip(SCHOOLS, rules["members"], strict=True):
        tree[school].member_count = members
    boss = organiser(db_session, email=f"boss{week.id}@example.vn", contest=contest)
    set_rules(db_session, boss, contest_id=contest.id, round_id=None, raw=form_of(rules), now=utcnow())
    users = []
    for number, (school, score, duration) in enumerate(entrants):
        user = make_user(db_session, unit=tree[school], full_name=f"Thí sinh {number}")
        take(db_session, week, user, score=score, duration_ms=duration)
        users.append((user, school))
    db_session.commit()
    publish_round(db_session, boards, week)
    schools = {user.id: school for user, school in users}
    result_id = db_session.scalar(select(PublishedResult.id).where(PublishedResult.round_id == week.id))
    rows = [(r.rank, r.user_id, schools[r.user_id], r.score) for r in db_session.execute(
        select(PublishedRow.rank, PublishedRow.user_id, PublishedRow.score).where(PublishedRow.result_id == result_id))]
    people, units = reference(rows, rules, tree)
    codes = {unit.id: unit.code for unit in tree.values()}

    page = app.test_client().get(f"/rounds/{week.id}/prizes").get_data(as_text=True)
    shown_people = {(prize, int(place), int(user)) for user, prize, place in
                    re.findall(r'<tr data-user="(\d+)" data-prize="(\w+)" data-place="(\d+)">', page)}
    shown_units = {(prize, None, int(place), codes[int(unit)]) for unit, prize, place in
                   re.findall(r'<tr data-unit="(\d+)" data-prize="(\w+)" data-place="(\d+)">', page)}
    assert shown_people == people
    assert shown_units == {(prize, None, place, code) for prize, _, place, code in units}

    office = app.test_client()
    login(office, boss.email)
    text = office.get(f"/organiser/rounds/{week.id}/prizes.csv").get_data(as_text=True)
    with app.test_request_context():  # the headers are labelled in the page's language: back to their keys
        keys = {label(key): key for key in HEADER}
    exported = [{keys.get(name, name): value for name, value in row.items()}
                for row in csv.DictReader(io.StringIO(text.lstrip("\ufeff")))]
    assert {(r["prize_code"], int(r["place"]), int(r["entrant_id"])) for r in exported if r["entrant_id"]} == people
    assert {(r["prize_code"], r["level"], int(r["place"]), r["unit_code"]) for r in exported
            if not r["entrant_id"]} == units

    won = {user_id: prize for prize, _, user_id in people}
    for user, _school in users[:3]:  # the result page of a few of them (each one a login)
        entrant = app.test_client()
        login(entrant, user.phone)
        attempt = db_session.scalar(select(Attempt.id).where(Attempt.user_id == user.id))
        labels = re.findall(r"<p class=\"prize-label\" data-prize-label>([^<]+)</p>",
                            entrant.get(f"/attempts/{attempt}/result").get_data(as_text=True))
        prize = won.get(user.id)
        if prize is None:
            assert labels == []
        elif prize == "best_of":
            assert len(labels) == 1 and labels[0].startswith("Xuất sắc nhất Huyện")
        else:
            assert labels == [f"{LABELS[prize]} · {week.title}"]
