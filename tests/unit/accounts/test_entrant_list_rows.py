"""A school's list, row by row (pure): the dates people type, phones however written, CCCD optional, names
cleaned as at registration, and a phone or CCCD given twice reported on the later row."""

from __future__ import annotations

from datetime import date

from contest.accounts.entrant_list_rows import plan_rows

TODAY = date(2026, 12, 3)


def row(number: int, **cells: str) -> tuple[int, dict[str, str]]:
    base = {"name": "Nguyễn Văn An", "birth_date": "01/02/2008", "phone": "0912345678", "unit_code": "S1"}
    return number, {**base, **cells}


def test_good_rows_in_the_forms_people_type_them():
    plan = plan_rows([row(2), row(3, birth_date="2008-02-01", phone="+84 912 345 679", citizen_id="001 208 000 001"),
                      row(4, birth_date="1.2.2008", phone="０９１２３４５６８０", name="  Lê\u200b  Thị   Hoa ")],
                     today=TODAY)
    assert plan.ok
    assert [(r.phone, r.birth_date, r.citizen_id, r.full_name) for r in plan.records] == [
        ("0912345678", date(2008, 2, 1), None, "Nguyễn Văn An"),
        ("0912345679", date(2008, 2, 1), "001208000001", "Nguyễn Văn An"),
        ("0912345680", date(2008, 2, 1), None, "Lê Thị Hoa"),
    ]


def test_each_bad_cell_is_a_problem_of_its_row_and_column():
    plan = plan_rows([row(2, name="\u202eAn"), row(3, birth_date="2008/13/45"), row(4, birth_date="01/01/2024"),
                      row(5, phone="٠٩١٢٣٤٥٦٧٨"), row(6, citizen_id="12345"), row(7, unit_code=""),
                      row(8), row(9, phone="0912000000", citizen_id="001208000001"),
                      row(10, phone="0912000001", citizen_id="001208000001")], today=TODAY)
    assert [(p.row, p.column) for p in plan.problems] == [
        (2, "name"), (3, "birth_date"), (4, "birth_date"), (5, "phone"), (6, "citizen_id"), (7, "unit_code"),
        (10, "citizen_id")]
    assert [r.row for r in plan.records] == [8, 9]
