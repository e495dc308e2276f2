"""The checks a move or a merge of units must pass, on plain objects (no database)."""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace

from contest.units import tree_rules


def unit(id_: int, path: str, *, level: str = "Huyện", parent_id: int | None = None, valid_from=None, valid_to=None,
         code: str | None = None):
    return SimpleNamespace(id=id_, path=path, level=level, parent_id=parent_id, valid_from=valid_from,
                           valid_to=valid_to, code=code or f"U{id_}")


PROVINCE = unit(1, "/1/", level="Tỉnh")
D1, D2 = unit(2, "/1/2/", parent_id=1), unit(3, "/1/3/", parent_id=1)
SCHOOL = unit(4, "/1/2/4/", level="Trường", parent_id=2)
TODAY = date(2025, 7, 1)


def test_a_unit_cannot_move_into_its_own_subtree_nor_onto_itself():
    assert tree_rules.move_problem(D1, SCHOOL) is not None
    assert tree_rules.move_problem(D1, D1) is not None
    assert tree_rules.move_problem(SCHOOL, D1) is not None  # already there
    assert tree_rules.move_problem(SCHOOL, D2) is None and tree_rules.move_problem(D1, None) is None


def test_scope_is_the_subtree_and_below_leaves_out_its_root():
    assert tree_rules.inside(SCHOOL, D1) and not tree_rules.inside(D2, D1) and tree_rules.inside(D2, None)
    assert tree_rules.below(SCHOOL, D1) and not tree_rules.below(D1, D1)
    assert tree_rules.moved_path("/1/2/4/", "/1/2/", "/1/3/2/") == "/1/3/2/4/"


def test_validity_is_half_open():
    ended = unit(9, "/9/", valid_from=date(2020, 1, 1), valid_to=TODAY)
    assert tree_rules.valid(ended, date(2025, 6, 30)) and not tree_rules.valid(ended, TODAY)
    assert not tree_rules.valid(ended, date(2019, 12, 31)) and tree_rules.valid(D1, TODAY)


def test_merge_problems():
    into = unit(5, "/1/5/", parent_id=1)
    assert tree_rules.merge_problems([D1, D2], into, TODAY, TODAY) == {}
    assert "codes" in tree_rules.merge_problems([], into, TODAY, TODAY)
    assert "codes" in tree_rules.merge_problems([into], into, TODAY, TODAY)
    assert "codes" in tree_rules.merge_problems([PROVINCE], unit(6, "/1/2/6/", level="Tỉnh"), TODAY, TODAY)
    assert "codes" in tree_rules.merge_problems([SCHOOL], into, TODAY, TODAY)  # another level
    assert "codes" in tree_rules.merge_problems([unit(7, "/1/7/", valid_to=TODAY)], into, TODAY, TODAY)
    assert "effective_on" in tree_rules.merge_problems([D1], into, date(2025, 7, 2), TODAY)  # the future
    assert "effective_on" in tree_rules.merge_problems([D1], unit(8, "/1/8/", valid_to=TODAY), TODAY, TODAY)


def test_codes_are_split_on_commas_and_spaces_once_each():
    assert tree_rules.parse_codes(" D1, D2;D1  D3 ") == ["D1", "D2", "D3"]
