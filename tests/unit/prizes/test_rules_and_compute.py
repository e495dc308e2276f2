"""The pure parts of the prizes: rules checked from the organiser's form, the quotas and tie-breaks of
``compute_awards``, the changelog, and certificate placeholders (nothing but known names is filled in)."""

from __future__ import annotations

import pytest

from contest.errors import DomainError
from contest.prizes.certificate_pdf import fill, unknown_placeholders
from contest.prizes.compute import Award, RankedRow, UnitInfo, changelog, compute_awards
from contest.prizes.rules import PrizeRules, UnitPrize, checked, from_json

UNITS = {1: UnitInfo(1, "P", "Tỉnh", (1,), None), 2: UnitInfo(2, "D1", "Huyện", (1, 2), None),
         3: UnitInfo(3, "D2", "Huyện", (1, 3), None), 4: UnitInfo(4, "S1", "Trường", (1, 2, 4), 10),
         5: UnitInfo(5, "S2", "Trường", (1, 3, 5), 4)}


def test_rules_from_the_form_and_back():
    rules = checked({"first": "1", "second": "2", "third": "", "consolation": "10", "min_score": "3",
                     "one_per_contest": "1", "best_of_levels": "Huyện\n\nHuyện\n",
                     "unit_prizes": "Huyện, participation, 3\nTrường, average"})
    assert rules.quotas == {"first": 1, "second": 2, "third": 0, "consolation": 10}
    assert rules.best_of_levels == ("Huyện",) and rules.one_per_contest and rules.min_score == 3
    assert rules.unit_prizes == (UnitPrize("Huyện", "participation", 3), UnitPrize("Trường", "average", 1))
    assert from_json(rules.to_json()) == rules
    assert from_json(None).empty


@pytest.mark.parametrize("field, raw", [("first", {"first": "-1"}), ("second", {"second": "1.5"}),
                                        ("unit_prizes", {"unit_prizes": "Huyện, most, 1"}),
                                        ("unit_prizes", {"unit_prizes": "Huyện, entrants, 0"})])
def test_bad_rules_name_their_field(field, raw):
    with pytest.raises(DomainError) as raised:
        checked(raw)
    assert field in raised.value.fields


def test_quotas_follow_the_published_rank_with_eligibility():
    rows = [RankedRow(1, 10, 4, 9), RankedRow(2, 11, 4, 9), RankedRow(3, 12, 5, 8), RankedRow(4, 13, 5, 2)]
    rules = PrizeRules(quotas={"first": 1, "second": 1, "third": 5}, min_score=3)
    awards = compute_awards(rows, rules, UNITS, excluded={10})
    assert [(a.prize, a.place, a.user_id) for a in awards] == [("first", 1, 11), ("second", 1, 12)]
    # Without one prize per contest, the excluded entrant wins again.
    again = compute_awards(rows, PrizeRules(quotas={"first": 1}, one_per_contest=False), UNITS, excluded={10})
    assert [a.user_id for a in again] == [10]


def test_best_of_a_level_skips_those_with_a_prize_and_unit_prizes_break_ties_as_stated():
    rows = [RankedRow(1, 10, 4, 9), RankedRow(2, 11, 4, 8), RankedRow(3, 12, 5, 8), RankedRow(4, 13, 5, 8)]
    rules = PrizeRules(quotas={"first": 1}, best_of_levels=("Huyện",),
                       unit_prizes=(UnitPrize("Huyện", "entrants", 2), UnitPrize("Trường", "participation", 1)))
    got = {(a.prize, a.unit_id): (a.user_id, a.place, a.value) for a in compute_awards(rows, rules, UNITS)}
    assert got[("best_of", 2)] == (11, 1, "") and got[("best_of", 3)] == (12, 1, "")
    # D1 and D2 have 2 entrants each: the higher average (D1: 8.5 against 8) comes first.
    assert got[("unit_entrants", 2)] == (None, 1, "2") and got[("unit_entrants", 3)] == (None, 2, "2")
    assert got[("unit_participation", 5)] == (None, 1, "2/4")  # 2/4 beats 2/10


def test_the_changelog_lists_what_went_and_what_came():
    old = [Award("first", "", 1, 10, 4, 1, 9)]
    new = [Award("first", "", 1, 11, 4, 1, 9)]
    assert [(c["change"], c["user_id"]) for c in changelog(old, new)] == [("removed", 10), ("added", 11)]
    assert changelog(new, new) == []


def test_placeholders_fill_known_names_only():
    assert fill("{name} đạt {prize} {name.__class__} {0}", {"name": "Nguyễn Văn An", "prize": "Giải Ba"}) == \
        "Nguyễn Văn An đạt Giải Ba {name.__class__} {0}"
    assert unknown_placeholders("{ten} {name} {diem}") == ["diem", "ten"]
