"""Registration's unit picker: without JavaScript ("Find", then a radio button), and at the size of a real tree."""

from __future__ import annotations

import re
from datetime import date

from sqlalchemy import select

from contest.accounts.models import User
from tests.big_tree import LAST_CODE, LAST_NAME, seed_big_tree
from tests.factories import make_tree
from tests.integration.accounts.test_register_page import form

MAX_PAGE_BYTES = 30_000


def test_find_without_javascript_keeps_the_fields_and_offers_the_schools(client, db_session):
    tree = make_tree(db_session)
    data = {**form(0), "unit_id": "", "unit_q": "dai tu", "unit_find": "1", "full_name": "Trần Thị Bình"}
    response = client.post("/register", data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and db_session.scalar(select(User.id)) is None  # a search, not a registration
    assert 'value="Trần Thị Bình"' in page and 'value="0912 345 678"' in page and 'value="dai tu"' in page
    assert "mat-khau-1" not in page  # never sent back
    radios = re.findall(r'<input type="radio" name="unit_id" value="(\d+)"', page)
    assert radios == [str(tree["s1"].id)]  # a school: the district of the same name is not offered
    assert "THPT Đại Từ" in page and "Huyện Đại Từ, Tỉnh Thử" in page
    assert '<p class="unit-picker-status" id="unit_id-picker-status" role="status"></p>' in page
    assert "field-error" not in page

    # The entrant ticks the radio button and sends the form: registered.
    response = client.post("/register", data=form(tree["s1"].id, unit_q="dai tu"))
    assert response.status_code == 302
    assert db_session.scalar(select(User.unit_id).where(User.full_name == "Nguyễn Văn An")) == tree["s1"].id


def test_find_says_so_when_nothing_matches(client, db_session):
    make_tree(db_session)
    data = {**form(0), "unit_id": "", "unit_q": "khong co truong nay", "unit_find": "1"}
    page = client.post("/register", data=data).get_data(as_text=True)
    assert 'role="status">Không tìm thấy đơn vị nào.' in page and 'type="radio" name="unit_id"' not in page


def test_a_refused_form_shows_the_chosen_school_and_keeps_it(client, db_session):
    tree = make_tree(db_session)
    page = client.post("/register", data=form(tree["s2"].id, phone="12")).get_data(as_text=True)
    assert f'<input type="hidden" name="unit_id" value="{tree["s2"].id}">' in page
    assert "Đã chọn: THPT Nguyễn Huệ — Huyện Đại Từ, Tỉnh Thử" in page


def test_no_unit_chosen_is_an_error_tied_to_the_picker(client, db_session):
    make_tree(db_session)
    page = client.post("/register", data={**form(0), "unit_id": ""}).get_data(as_text=True)
    box = re.search(r'<input type="search" id="unit_id-picker-q"[^>]*>', page).group(0)
    assert 'aria-invalid="true"' in box and "unit_id-error" in box
    assert 'id="unit_id-error"' in page and 'for="unit_id-picker-q"' in page


def test_the_page_stays_small_with_ten_thousand_schools_and_the_last_one_registers(client, db_session):
    last = seed_big_tree(db_session)
    page = client.get("/register").get_data()
    assert len(page) < MAX_PAGE_BYTES, f"/register is {len(page):,} bytes"
    found = client.get("/register", query_string={"unit_q": LAST_NAME}).get_data(as_text=True)
    assert len(found.encode()) < MAX_PAGE_BYTES
    assert re.findall(r'name="unit_id" value="(\d+)"', found) == [str(last.id)]
    assert client.get("/api/units/search", query_string={"q": LAST_CODE, "leaf": 1}).json["units"][0]["id"] == last.id
    response = client.post("/register", data=form(last.id))
    assert response.status_code == 302
    assert db_session.scalar(select(User.unit_id).where(User.phone == "0912345678")) == last.id


def test_a_school_no_longer_valid_is_refused(client, db_session):
    school = make_tree(db_session)["s1"]
    school.valid_to = date(2020, 1, 1)  # merged into another school years ago
    db_session.flush()
    page = client.post("/register", data=form(school.id)).get_data(as_text=True)
    assert "Đơn vị này không còn (hoặc chưa có) trong danh sách" in page
    assert db_session.scalar(select(User.id)) is None
