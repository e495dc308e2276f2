"""The organiser forms that take a unit, through the unit picker: the entrant's unit (by code, within the
organiser's subtree, found without JavaScript too) and the staff scope (any level)."""

from __future__ import annotations

import re

from tests.integration.accounts.test_entrant_admin import world  # noqa: F401 (a fixture)
from tests.integration.rounds.conftest import log_in


def edit_form(user, **extra) -> dict:
    return {"full_name": user.full_name, "birth_date": "2007-05-01", "unit_code": user.unit.code, **extra}


def test_find_without_javascript_offers_only_schools_of_the_organisers_subtree(client, world, db_session):  # noqa: F811
    log_in(client, world["staff"]["manager_d1"])
    own = world["entrants"]["an"]
    page = client.post(f"/organiser/entrants/{own.id}", data=edit_form(own, unit_q="thpt", unit_find="1",
                                                                       full_name="Tên Mới Chưa Lưu"))
    assert page.status_code == 200
    codes = re.findall(r'<input type="radio" name="unit_code" value="([^"]+)"', page.text)
    assert sorted(codes) == ["S1", "S2"]  # S3 lies in another district; D1 is not a school
    assert re.search(r'value="S1"\s*checked', page.text)  # the entrant's unit stays ticked
    assert 'value="Tên Mới Chưa Lưu"' in page.text  # kept, not saved
    db_session.refresh(own)
    assert own.full_name == "Nguyễn Văn An"
    saved = client.post(f"/organiser/entrants/{own.id}", data=edit_form(own, unit_code="S2", unit_q="thpt"))
    assert saved.status_code == 302
    db_session.refresh(own)
    assert own.unit.code == "S2"


def test_the_edit_form_shows_the_entrants_unit_in_the_picker(client, world):  # noqa: F811
    log_in(client, world["staff"]["manager_d1"])
    own = world["entrants"]["an"]
    page = client.get(f"/organiser/entrants/{own.id}").text
    assert '<input type="hidden" name="unit_code" value="S1">' in page and 'data-mine="1"' in page
    assert ": THPT Đại Từ — Huyện Đại Từ, Tỉnh Thử</p>" in page  # "Chosen: …", in the page's language


def test_mine_keeps_a_unit_organisers_subtree_in_the_search(client, world):  # noqa: F811
    everyone = client.get("/api/units/search?q=thpt&leaf=1&mine=1").json["units"]
    assert {unit["code"] for unit in everyone} == {"S1", "S2", "S3"}  # nobody logged in: no scope
    log_in(client, world["staff"]["manager_d1"])
    mine = client.get("/api/units/search?q=thpt&leaf=1&mine=1")
    assert {unit["code"] for unit in mine.json["units"]} == {"S1", "S2"}
    assert "private" in mine.headers["Cache-Control"]
    assert "public" in client.get("/api/units/search?q=thpt").headers["Cache-Control"]
    assert client.get("/api/units/search?q=thpt&mine=2").status_code == 400


def test_a_new_unit_organisers_scope_is_found_by_name_at_any_level(client, world, db_session):  # noqa: F811
    log_in(client, world["staff"]["admin"])
    typed = {"full_name": "Bí thư huyện", "email": "bt@example.org", "password": "long-enough-pass",
             "staff_role": "unit"}
    page = client.post("/organiser/staff/new", data={**typed, "unit_q": "dai tu", "unit_find": "1"})
    assert page.status_code == 200 and 'value="Bí thư huyện"' in page.text
    assert sorted(re.findall(r'<input type="radio" name="scope_unit" value="([^"]+)"', page.text)) == ["D1", "S1"]
    assert client.post("/organiser/staff/new", data={**typed, "scope_unit": "D1"}).status_code == 302
    missing = client.post("/organiser/staff/new", data={**typed, "email": "x@example.org", "scope_unit": ""})
    assert 'id="scope_unit-error"' in missing.text and 'aria-invalid="true"' in missing.text


def test_a_role_change_finds_its_unit_without_javascript(client, world, db_session):  # noqa: F811
    viewer = world["staff"]["viewer_d1"]
    log_in(client, world["staff"]["admin"])
    found = client.post(f"/organiser/staff/{viewer.id}/role", data={"staff_role": "unit_manager",
                                                                      "unit_q": "phu luong", "unit_find": "1"})
    assert found.status_code == 302 and "unit_q=phu+luong" in found.headers["Location"]
    page = client.get(found.headers["Location"]).text
    assert sorted(re.findall(r'name="scope_unit" value="([^"]+)"', page)) == ["D2", "S3"]
    assert re.search(r'<option selected value="unit_manager">|<option value="unit_manager" selected', page)
    db_session.refresh(viewer)
    assert viewer.scope_unit.code == "D1"  # nothing saved by a search
    shown = client.get(f"/organiser/staff/{viewer.id}/contests").text
    assert '<input type="hidden" name="scope_unit" value="D1">' in shown
