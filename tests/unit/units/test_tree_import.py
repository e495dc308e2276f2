from __future__ import annotations

from pathlib import Path

from babel.messages.pofile import read_po

from contest.units.tree_import import ALIASES, REQUIRED, UnitRecord, plan_import, tree_order
from question_bank.formats.tabular import read_table

DEMO = Path(__file__).resolve().parents[3] / "contest" / "demo" / "data" / "demo_units.csv"
CATALOG = Path(__file__).resolve().parents[3] / "contest" / "translations" / "vi" / "LC_MESSAGES" / "messages.po"


def table(text: str):
    return read_table(text.encode(), "csv", ALIASES, REQUIRED)


def test_demo_tree_plans_cleanly_with_parents_first():
    plan = plan_import(read_table(DEMO.read_bytes(), "csv", ALIASES, REQUIRED), {})
    assert plan.ok and len(plan.created) == 31
    ordered = tree_order(plan.records, set())
    seen: set[str] = set()
    for record in ordered:
        assert record.parent_code is None or record.parent_code in seen
        seen.add(record.code)
    school = next(r for r in plan.records if r.code == "DT-S1")
    assert school == UnitRecord("DT-S1", "THPT Đại Từ", "Trường", "DT", 980)


def test_every_bad_row_is_reported_with_row_and_column():
    plan = plan_import(table(
        "ma,ten,cap,ma_cap_tren,so_doan_vien\n"
        "P,Tỉnh,Tỉnh,,\n"          # row 2 ok
        ",Không mã,Trường,P,\n"      # row 3 empty code
        "A,Trường A,Trường,ZZ,10\n"  # row 4 unknown parent
        "B,Trường B,Trường,P,mười\n"  # row 5 bad number
        "P,Trùng,Tỉnh,,\n"           # row 6 duplicate code
        "C,Vòng C,Huyện,D,\n"        # row 7 cycle C->D->C
        "D,Vòng D,Huyện,C,\n"        # row 8
        "E,Tự trỏ,Huyện,E,\n"        # row 9 self-parent
    ), {})
    found = {(p.row, p.column) for p in plan.problems}
    assert found == {(3, "code"), (4, "parent_code"), (5, "members"), (6, "code"), (7, "parent_code"),
                     (8, "parent_code"), (9, "parent_code")}
    assert "ZZ" in next(p.text() for p in plan.problems if p.row == 4)


def test_row_problems_are_msgids_the_vietnamese_catalog_translates():
    with CATALOG.open("rb") as f:
        vietnamese = {m.id: m.string for m in read_po(f, locale="vi") if m.id and m.string}
    plan = plan_import(table(
        "ma,ten,cap,ma_cap_tren,so_doan_vien,hieu_luc_tu,hieu_luc_den\n"
        ",,,,,,\n"                                       # row 2 blank: dropped
        "a b," + "x" * 201 + "," + "c" * 65 + ",,mười,hôm qua,\n"  # row 3
        "Q,Huyện,Huyện,,,01/02/2025,01/01/2025\n"        # row 4 ends before it starts
        "P,Tỉnh,Tỉnh,,,,\n"                                # row 5
        "P,Tỉnh,Tỉnh,,,,\n"                                # row 6 duplicate
        "E,Tự trỏ,Huyện,E,,,\n"                            # row 7 self-parent
        "A,Trường A,Trường,ZZ,,,\n"                        # row 8 unknown parent
        ",,Trường,,,,\n"                                   # row 9 no code, no name
        "C,Vòng C,Huyện,D,,,\n"                            # row 10 cycle C->D->C
        "D,Vòng D,Huyện,C,,,\n"                            # row 11
    ), {})
    messages = {p.message for p in plan.problems}
    assert len(messages) == 12  # every kind of row problem of a unit tree
    missing = messages - set(vietnamese)
    assert not missing, f"not in the Vietnamese catalog: {missing}"
    shown = {p.row: vietnamese[p.message] % p.params for p in plan.problems}
    assert shown[8] == "không có đơn vị cấp trên mã ZZ"
    assert shown[6] == "mã P bị trùng (cũng có ở dòng 5)"


def test_cycle_through_existing_units_is_caught():
    existing = {"X": UnitRecord("X", "X", "Tỉnh", None, None), "Y": UnitRecord("Y", "Y", "Huyện", "X", None)}
    plan = plan_import(table("code,name,parent_code\nX,X moved,Y\n"), existing)
    assert [(p.row, p.column) for p in plan.problems] == [(2, "parent_code")]


def test_english_headers_under_a_title_row_and_thousands_separators():
    plan = plan_import(table(
        "Danh sách đơn vị,,,,\n"
        "Code,Name,Level,Parent code,Members\n"
        "R,Root,Tỉnh,,1.450\n"
    ), {})
    assert plan.ok and plan.records[0].member_count == 1450


def test_changes_against_existing_are_described():
    existing = {"R": UnitRecord("R", "Old", "Tỉnh", None, None)}
    plan = plan_import(table("ma,ten,cap\nR,New,Tỉnh\nS,Same,Tỉnh\n"), existing)
    assert plan.updated == {"R": ["name"]} and plan.created == ["S"]
