"""The unit picker's search: ``GET /api/units/search`` and ``contest.units.search``."""

from __future__ import annotations

import time
from datetime import date

from contest.units.search import UnitSearch, search_units
from tests.big_tree import LAST_CODE, LAST_NAME, seed_big_tree
from tests.factories import make_tree, make_unit

TODAY = date(2026, 12, 4)


def found(client, **args) -> list[dict]:
    response = client.get("/api/units/search", query_string=args)
    assert response.status_code == 200, response.json
    return response.json["units"]


def test_accents_and_case_are_optional_and_the_school_comes_before_its_parents(client, db_session):
    make_tree(db_session)
    for typed in ("dai tu", "ĐẠI TỪ", "Đại Từ", "thpt dai"):
        names = [unit["name"] for unit in found(client, q=typed, leaf=1)]
        assert names == ["THPT Đại Từ"], typed
    school = found(client, q="dai tu", leaf=1)[0]
    assert school["label"] == "THPT Đại Từ — Huyện Đại Từ, Tỉnh Thử"
    assert school["parents"] == ["Huyện Đại Từ", "Tỉnh Thử"] and school["leaf"] is True
    assert school["code"] == "S1" and school["level"] == "Trường"


def test_words_in_any_order(client, db_session):
    make_tree(db_session)
    assert [unit["code"] for unit in found(client, q="hue nguyen")] == ["S2"]
    assert [unit["code"] for unit in found(client, q="luong phu thpt")] == ["S3"]


def test_leaf_and_level_narrow_the_search(client, db_session):
    make_tree(db_session)
    assert {unit["code"] for unit in found(client, q="dai tu")} == {"D1", "S1"}
    assert [unit["code"] for unit in found(client, q="dai tu", leaf=1)] == ["S1"]
    assert [unit["code"] for unit in found(client, q="dai tu", level="Huyện")] == ["D1"]
    assert found(client, q="dai tu", level="Xã") == []


def test_exact_code_first_then_names_that_start_with_it_then_the_rest(client, db_session):
    province = make_unit(db_session, code="P9", name="Tỉnh Xa", level="Tỉnh")
    make_unit(db_session, parent=province, code="X1", name="Trường Liên Cấp Hòa Bình")  # a word starts with it
    make_unit(db_session, parent=province, code="X2", name="THCS Thái Hòa")  # its last word
    make_unit(db_session, parent=province, code="X3", name="Hòa Bình Xanh")  # the name starts with it
    make_unit(db_session, parent=province, code="HOA", name="Trường Số Một")  # the code is what was typed
    make_unit(db_session, parent=province, code="X4", name="Trường Thoa")  # 'hoa' inside a word
    codes = [unit["code"] for unit in found(client, q="Hoa")]
    assert codes[:2] == ["HOA", "X3"]
    assert set(codes[2:4]) == {"X1", "X2"} and codes[4] == "X4"


def test_at_most_twenty_and_bad_arguments_are_refused(client, db_session):
    province = make_unit(db_session, code="P8", name="Tỉnh Nhiều", level="Tỉnh")
    for n in range(30):
        make_unit(db_session, parent=province, code=f"M{n}", name=f"THPT Số {n}")
    assert len(found(client, q="thpt")) == 10
    assert len(found(client, q="thpt", limit=20)) == 20
    for bad in ({"limit": 21}, {"limit": 0}, {"limit": "x"}, {"leaf": "yes"}):
        response = client.get("/api/units/search", query_string={"q": "thpt", **bad})
        assert response.status_code == 400 and response.json["error"]["code"] == "bad_request"
    assert found(client, q="") == [] and found(client, q="   ") == []


def test_units_not_valid_today_are_left_out(db_session):
    province = make_unit(db_session, code="P7", name="Tỉnh Cũ", level="Tỉnh")
    gone = make_unit(db_session, parent=province, code="G1", name="THPT Sáp Nhập")
    gone.valid_to = TODAY  # ended at midnight: not valid today
    later = make_unit(db_session, parent=province, code="G2", name="THPT Sáp Nhập Mới")
    later.valid_from = date(2027, 1, 1)
    kept = make_unit(db_session, parent=province, code="G3", name="THPT Sáp Nhập Chung")
    kept.valid_from, kept.valid_to = TODAY, date(2027, 1, 1)
    db_session.flush()
    assert [unit.code for unit in search_units(db_session, UnitSearch("sap nhap"), today=TODAY)] == ["G3"]
    assert [unit.code for unit in search_units(db_session, UnitSearch("sap nhap"), today=date(2026, 12, 3))] == \
        ["G1"]


def test_a_like_wildcard_typed_is_a_letter(client, db_session):
    make_tree(db_session)
    assert found(client, q="%") == [] and found(client, q="_") == []


def test_the_last_of_ten_thousand_schools_is_found_quickly(client, db_session):
    seed_big_tree(db_session)
    started = time.perf_counter()
    first = found(client, q="hoang quoc viet", leaf=1)
    elapsed = time.perf_counter() - started
    assert first[0]["code"] == LAST_CODE and first[0]["name"] == LAST_NAME
    assert first[0]["parents"][-1] == "Tỉnh đoàn Bình Thử"
    common = found(client, q="thpt nguyen hue", leaf=1, limit=20)  # a thousand schools share the name
    assert len(common) == 20
    started = time.perf_counter()
    for typed in ("thpt", "nguyen hue 9", "le quy don", "bt-s5000", "tieu hoc kim dong 1"):
        found(client, q=typed, leaf=1)
    slowest = max(elapsed, (time.perf_counter() - started) / 5)
    print(f"\nunit search over 10,000 schools ({db_session.bind.dialect.name}): {slowest * 1000:.1f} ms a query")
    assert slowest < 0.5  # on a loaded 2-core machine; typically a few ms to ~30 ms
    assert found(client, q="BT-S5000")[0]["code"] == "BT-S5000"

