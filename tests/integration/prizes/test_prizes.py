"""Prize rules set by organisers (scoped, audited), award sets computed on each publication (versioned, with a
changelog, flowing through to later rounds), the public prize pages, the entrant's result page and the prize
committee's export."""

from __future__ import annotations

import csv
import io

from sqlalchemy import select

from contest.accounts.models import StaffRole
from contest.attempts.models import Attempt
from contest.audit.models import AuditEntry
from contest.db import utcnow
from contest.leaderboards.exports.rows import label
from contest.prizes.models import PrizeAwardSet
from contest.prizes.service import awards_of, latest_set, set_rules
from contest.rounds.models import NameStyle
from tests.factories import make_user
from tests.integration.prizes.conftest import login, logout, make_contest, organiser, publish_round, take

RULES = {"first": "1", "second": "1", "third": "1", "consolation": "0", "min_score": "1", "one_per_contest": "1"}


def audit_of(session, action: str) -> list[AuditEntry]:
    return list(session.scalars(select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)))


def people(session, tree, round_, specs):
    """``[(name, school, score, duration_ms)]`` -> {name: user}, each with one finalised attempt."""
    made = {}
    for name, school, score, duration in specs:
        user = make_user(session, unit=tree[school], full_name=name)
        take(session, round_, user, score=score, duration_ms=duration)
        made[name] = user
    session.commit()
    return made


def awarded(session, round_id: int) -> dict[str, int]:
    """prize -> user id of the round's latest set (individual prizes)."""
    return {a.prize: a.user_id for a in awards_of(session, latest_set(session, round_id).id) if a.user_id}


def test_publishing_awards_prizes_and_a_new_results_version_makes_a_new_prize_version(db_session, boards, tree):
    contest, (week,) = make_contest(db_session)
    admin = organiser(db_session, email="boss@example.vn")
    set_rules(db_session, admin, contest_id=contest.id, round_id=None, raw=RULES, now=utcnow())
    who = people(db_session, tree, week, [("Nguyễn Văn An", "s1", 9, 1000), ("Trần Bình", "s2", 9, 2000),
                                         ("Lê Cường", "s3", 7, 500), ("Phạm Dung", "s1", 0, 100)])
    publish_round(db_session, boards, week)
    first = latest_set(db_session, week.id)
    assert (first.version, first.results_version) == (1, 1)
    ids = {name: user.id for name, user in who.items()}
    # Level on 9: the published tie-break (time taken) orders An before Bình; Dung's 0 is under the minimum.
    assert awarded(db_session, week.id) == {"first": ids["Nguyễn Văn An"], "second": ids["Trần Bình"],
                                            "third": ids["Lê Cường"]}
    # A correction (say, An disqualified: their attempt no longer counts) publishes results v2 -> prizes v2.
    attempt = db_session.scalar(select(Attempt).where(Attempt.user_id == ids["Nguyễn Văn An"]))
    attempt.score = 0
    db_session.commit()
    publish_round(db_session, boards, week, reason="Vi phạm quy chế")
    second = latest_set(db_session, week.id)
    assert (second.version, second.results_version) == (2, 2)
    assert awarded(db_session, week.id) == {"first": ids["Trần Bình"], "second": ids["Lê Cường"]}
    changes = {(c["change"], c["prize"], c["user_id"]) for c in second.changelog}
    assert ("removed", "first", ids["Nguyễn Văn An"]) in changes and ("added", "first", ids["Trần Bình"]) in changes
    assert [e.details["version"] for e in audit_of(db_session, "prizes.awarded")] == [1, 2]
    assert db_session.scalar(select(PrizeAwardSet).where(PrizeAwardSet.id == first.id)).version == 1  # kept


def test_one_prize_per_contest_and_a_correction_of_an_earlier_round_flows_into_later_ones(db_session, boards, tree):
    contest, (week1, week2) = make_contest(db_session, rounds=2)
    admin = organiser(db_session, email="boss@example.vn")
    set_rules(db_session, admin, contest_id=contest.id, round_id=None,
              raw={**RULES, "second": "0", "third": "0"}, now=utcnow())
    an = make_user(db_session, unit=tree["s1"], full_name="An")
    binh = make_user(db_session, unit=tree["s2"], full_name="Bình")
    for round_, (a_score, b_score) in ((week1, (9, 5)), (week2, (9, 8))):
        take(db_session, round_, an, score=a_score, duration_ms=1000)
        take(db_session, round_, binh, score=b_score, duration_ms=1000)
    db_session.commit()
    publish_round(db_session, boards, week1)
    publish_round(db_session, boards, week2)
    assert awarded(db_session, week1.id) == {"first": an.id}
    assert awarded(db_session, week2.id) == {"first": binh.id}  # An has won this contest's prize already
    # Week 1 corrected: Bình now wins it, so week 2's first prize goes back to An, as a new version of week 2.
    db_session.scalar(select(Attempt).where(Attempt.user_id == an.id, Attempt.round_id == week1.id)).score = 1
    db_session.commit()
    publish_round(db_session, boards, week1, reason="Sửa đáp án")
    assert awarded(db_session, week1.id) == {"first": binh.id}
    assert awarded(db_session, week2.id) == {"first": an.id}
    assert latest_set(db_session, week2.id).version == 2


def test_unit_prizes_and_best_of_each_district(db_session, boards, tree):
    contest, (week,) = make_contest(db_session)
    admin = organiser(db_session, email="boss@example.vn")
    set_rules(db_session, admin, contest_id=contest.id, round_id=week.id,
              raw={"first": "1", "best_of_levels": "Huyện", "unit_prizes": "Trường, participation, 1\n"
                   "Trường, entrants\nHuyện, average, 2"}, now=utcnow())
    # s1 (100 members): 3 entrants; s2 (80): 2; s3 (60): 2 -> s3 has the best rate (2/60), s1 the most entrants.
    who = people(db_session, tree, week, [("A", "s1", 10, 1), ("B", "s1", 9, 2), ("C", "s1", 1, 3),
                                          ("D", "s2", 8, 4), ("E", "s2", 2, 5), ("F", "s3", 7, 6), ("G", "s3", 6, 7)])
    publish_round(db_session, boards, week)
    got = {(a.prize, a.level, a.place): (a.user_id, a.unit_id, a.value)
           for a in awards_of(db_session, latest_set(db_session, week.id).id)}
    assert got[("first", "", 1)][0] == who["A"].id
    # Best of each district, A having a prize already: B for Đại Từ (d1), F for Phú Lương (d2).
    best = {a.unit_id: a.user_id for a in awards_of(db_session, latest_set(db_session, week.id).id)
            if a.prize == "best_of"}
    assert best == {tree["d1"].id: who["B"].id, tree["d2"].id: who["F"].id}
    assert got[("unit_participation", "Trường", 1)][1:] == (tree["s3"].id, "2/60")
    assert got[("unit_entrants", "Trường", 1)][1:] == (tree["s1"].id, "3")
    # Averages: d1 (10+9+1+8+2)/5 = 6.00, d2 (7+6)/2 = 6.50.
    assert got[("unit_average", "Huyện", 1)][1:] == (tree["d2"].id, "6.50")
    assert got[("unit_average", "Huyện", 2)][1:] == (tree["d1"].id, "6.00")


def test_rules_pages_are_scoped_checked_and_audited(client, db_session, boards, tree):
    contest, (week,) = make_contest(db_session)
    other, _ = make_contest(db_session, title="Khác")
    organiser(db_session, email="other@example.vn", contest=other)
    login(client, "other@example.vn")
    assert client.post(f"/organiser/contests/{contest.id}/prizes", data=RULES).status_code == 403
    assert client.post(f"/organiser/rounds/{week.id}/prizes", data=RULES).status_code == 403
    logout(client)
    organiser(db_session, email="unit@example.vn", staff_role=StaffRole.UNIT, scope=tree["d1"])
    login(client, "unit@example.vn")
    assert client.post(f"/organiser/contests/{contest.id}/prizes", data=RULES).status_code == 403
    assert client.get(f"/organiser/rounds/{week.id}/prizes").status_code == 200  # read-only
    logout(client)
    organiser(db_session, email="boss@example.vn", contest=contest)
    login(client, "boss@example.vn")
    bad = client.post(f"/organiser/contests/{contest.id}/prizes", data={**RULES, "first": "nhiều"},
                      headers={"Accept-Language": "vi"})
    assert bad.status_code == 400 and "Một số nguyên" in bad.get_data(as_text=True)
    bad = client.post(f"/organiser/contests/{contest.id}/prizes", data={"unit_prizes": "Huyện, most"})
    assert bad.status_code == 400
    assert client.post(f"/organiser/contests/{contest.id}/prizes", data=RULES).status_code == 302
    page = client.get(f"/organiser/rounds/{week.id}/prizes").get_data(as_text=True)
    assert 'data-source="contest"' in page
    entry = audit_of(db_session, "prizes.rules")[-1]
    assert entry.details["to"]["quotas"] == {"first": 1, "second": 1, "third": 1, "consolation": 0}


def published_week(db_session, boards, tree, *, style=NameStyle.FULL):
    contest, (week,) = make_contest(db_session)
    contest.name_style = style
    admin = organiser(db_session, email="boss@example.vn", contest=contest)
    set_rules(db_session, admin, contest_id=contest.id, round_id=None, raw=RULES, now=utcnow())
    who = people(db_session, tree, week, [("Nguyễn Thị Hồng Nhung", "s1", 9, 1000), ("Trần Bình", "s2", 8, 2000),
                                         ("Lê Cường", "s3", 7, 500), ("Phạm Dung", "s1", 3, 100)])
    publish_round(db_session, boards, week)
    return contest, week, who


def test_public_prize_pages_show_the_contest_name_style_and_no_personal_data(client, db_session, boards, tree):
    contest, week, who = published_week(db_session, boards, tree, style=NameStyle.INITIALS)
    for url in (f"/rounds/{week.id}/prizes", f"/contests/{contest.id}/prizes"):
        page = client.get(url, headers={"Accept-Language": "vi"}).get_data(as_text=True)
        assert "N. T. H. N." in page and "Giải Nhất" in page and "THPT Đại Từ" in page
        assert "Nguyễn Thị Hồng Nhung" not in page and who["Trần Bình"].phone not in page


def test_the_entrant_result_page_names_their_prize_and_offers_certificate_and_share(client, db_session, boards,
                                                                                    tree):
    contest, week, who = published_week(db_session, boards, tree)
    cuong = who["Lê Cường"]
    attempt = db_session.scalar(select(Attempt).where(Attempt.user_id == cuong.id))
    login(client, cuong.phone)
    page = client.get(f"/attempts/{attempt.id}/result", headers={"Accept-Language": "vi"}).get_data(as_text=True)
    assert "Giải Ba · Tuần 1" in page
    assert f'href="/rounds/{week.id}/certificate.pdf"' in page and 'id="share-result"' in page


def parse(response) -> list[list[str]]:
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


def test_the_prize_export_has_contacts_for_contest_staff_and_only_a_subtree_for_unit_organisers(
        client, db_session, boards, tree):
    contest, week, who = published_week(db_session, boards, tree)
    login(client, "boss@example.vn")
    rows = parse(client.get(f"/organiser/rounds/{week.id}/prizes.csv"))
    with client.application.test_request_context():  # the headers are labelled in the page's language
        assert rows[0][-4:] == [label(key) for key in ("phone", "email", "citizen_id", "birth_date")]
    assert [(r[2], r[3], r[8], r[-4]) for r in rows[1:]] == [
        ("first", "Giải Nhất", "Nguyễn Thị Hồng Nhung", who["Nguyễn Thị Hồng Nhung"].phone),
        ("second", "Giải Nhì", "Trần Bình", who["Trần Bình"].phone),
        ("third", "Giải Ba", "Lê Cường", who["Lê Cường"].phone)]
    assert audit_of(db_session, "personal_data.disclosed")[-1].details["what"] == "export.prizes"
    xlsx = client.get(f"/organiser/rounds/{week.id}/prizes.xlsx")
    assert xlsx.status_code == 200 and xlsx.data[:2] == b"PK"
    logout(client)
    organiser(db_session, email="unit@example.vn", staff_role=StaffRole.UNIT, scope=tree["d2"])
    login(client, "unit@example.vn")
    rows = parse(client.get(f"/organiser/rounds/{week.id}/prizes.csv"))
    assert "phone" not in rows[0] and [r[8] for r in rows[1:]] == ["Lê Cường"]
    assert audit_of(db_session, "prizes.export")[-1].details["contacts"] is False
    logout(client)
    other, _ = make_contest(db_session, title="Khác")
    organiser(db_session, email="other@example.vn", contest=other)
    login(client, "other@example.vn")
    assert client.get(f"/organiser/rounds/{week.id}/prizes.csv").status_code == 403
