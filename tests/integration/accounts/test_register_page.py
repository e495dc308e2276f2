from __future__ import annotations

from sqlalchemy import select

from contest.accounts.consent import CONSENT_VERSION
from contest.accounts.models import User
from tests.factories import make_tree, make_user


def form(unit_id: int, **overrides) -> dict:
    data = {"full_name": "  Nguyễn   Văn An ", "birth_date": "2007-05-01", "phone": "0912 345 678",
            "email": "", "citizen_id": "", "unit_id": str(unit_id), "password": "mat-khau-1",
            "confirm": "mat-khau-1", "consent": "y", "consent_version": CONSENT_VERSION}
    data.update(overrides)
    return data


def test_register_creates_entrant_logs_in_and_shows_profile(client, db_session):
    school = make_tree(db_session)["s1"]
    response = client.post("/register", data=form(school.id, citizen_id="001204000123"))
    assert response.status_code == 302 and response.headers["Location"].endswith("/account")
    user = db_session.scalar(select(User).where(User.phone == "0912345678"))
    assert user.full_name == "Nguyễn Văn An" and user.unit_id == school.id and user.citizen_id == "001204000123"
    assert user.password_hash.startswith("$argon2id$")
    page = client.get("/account").get_data(as_text=True)
    assert "Nguyễn Văn An" in page and "Tỉnh Thử › Huyện Đại Từ › THPT Đại Từ" in page


def test_duplicate_phone_and_citizen_id_get_generic_field_errors_not_500(client, db_session):
    """The caller learns which field cannot be used, not that someone is registered with it."""
    school = make_tree(db_session)["s1"]
    make_user(db_session, unit=school, phone="0912345678")
    db_session.get(User, db_session.scalar(select(User.id))).citizen_id = "001204000123"
    db_session.flush()
    response = client.post("/register", data=form(school.id, phone="+84912345678", citizen_id="001204000123"))
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Không thể dùng số điện thoại này để đăng ký. Nếu đây là số của bạn, hãy đăng nhập." in page
    assert "Không thể dùng số CCCD này để đăng ký" in page
    assert "đã được đăng ký" not in page
    assert db_session.scalar(select(User.id).where(User.full_name == "Nguyễn Văn An")) is None


def test_each_bad_field_is_named_and_nothing_is_written(client, db_session):
    tree = make_tree(db_session)
    response = client.post("/register", data=form(tree["d1"].id, phone="12345", citizen_id="123",
                                                   email="not-mail", birth_date="2025-01-01", password="short",
                                                   confirm="short"))
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    for fragment in ("10 chữ số", "12 chữ số", "email", "ngày sinh", "8 ký tự", "trường"):
        assert fragment in page.lower() or fragment in page, fragment
    assert db_session.scalar(select(User.id)) is None


def test_english_is_one_click_away(client, db_session):
    make_tree(db_session)
    client.get("/lang/en")
    assert "Create my account" in client.get("/register").get_data(as_text=True)
    client.get("/lang/vi")
    assert "Tạo tài khoản" in client.get("/register").get_data(as_text=True)


def test_login_page_redirects_only_to_local_next(client, db_session):
    make_user(db_session, unit=make_tree(db_session)["s1"], phone="0912345678")
    response = client.post("/login?next=https://evil.example/x", data={"login": "0912345678",
                                                                       "password": "correct-horse"})
    assert response.headers["Location"] == "/account"
    client.post("/logout")
    response = client.post("/login?next=/account/password", data={"login": "0912345678",
                                                                   "password": "correct-horse"})
    assert response.headers["Location"] == "/account/password"


def test_personal_data_stays_off_the_public_home_page(client, db_session):
    user = make_user(db_session, unit=make_tree(db_session)["s1"], phone="0912345678")
    client.post("/login", data={"login": "0912345678", "password": "correct-horse"})
    home = client.get("/").get_data(as_text=True)
    assert user.phone not in home and "2007" not in home


def test_arabic_indic_digits_are_refused_with_a_clear_message_and_full_width_accepted(client, db_session):
    school = make_tree(db_session)["s1"]
    page = client.post("/register", data=form(school.id, phone="٠٩١٢٣٤٥٦٧٨", citizen_id="٠٠١٢٠٤٠٠٠١٢٣"))
    assert page.get_data(as_text=True).count("Chỉ nhập số bằng các chữ số 0-9.") == 2
    assert db_session.scalar(select(User.id)) is None
    full_width = form(school.id, phone="０９１２３４５６７８", citizen_id="００１２０４０００１２３")
    response = client.post("/register", data=full_width)
    assert response.status_code == 302
    user = db_session.scalar(select(User))
    assert (user.phone, user.citizen_id) == ("0912345678", "001204000123")


def test_the_same_number_in_full_width_digits_cannot_register_twice(client, db_session):
    school = make_tree(db_session)["s1"]
    make_user(db_session, unit=school, phone="0912345678")
    page = client.post("/register", data=form(school.id, phone="０９１２ ３４５ ６７８")).get_data(as_text=True)
    assert "Không thể dùng số điện thoại này để đăng ký" in page


def test_names_lose_zero_width_characters_and_refuse_direction_overrides(client, db_session):
    school = make_tree(db_session)["s1"]
    page = client.post("/register", data=form(school.id, full_name="An \u202eNguyễn")).get_data(as_text=True)
    assert "Tên có chứa ký tự điều khiển hướng văn bản" in page
    page = client.post("/register", data=form(school.id, full_name="\u200b\u3164")).get_data(as_text=True)
    assert "Hãy nhập họ và tên." in page
    assert db_session.scalar(select(User.id)) is None
    assert client.post("/register", data=form(school.id, full_name="Nguyễn\u200b An")).status_code == 302
    assert db_session.scalar(select(User.full_name)) == "Nguyễn An"


def test_every_error_at_once_with_a_note_on_the_cleared_passwords(client, db_session):
    """A form the form itself refuses (an empty name, passwords that differ, no date) still gets the service's
    checks (the phone, the unit, the consent): one submit shows every problem."""
    tree = make_tree(db_session)
    response = client.post("/register", data=form(tree["d1"].id, full_name="", birth_date="", phone="12345",
                                                   confirm="khac-hẳn", consent=""))
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    for message in ("Trường này là bắt buộc.", "Hai mật khẩu không khớp", "10 chữ số", "Hãy chọn trường hoặc đơn vị",
                    "Hãy đánh dấu vào ô để đồng ý", "password-cleared"):
        assert message in page, message
    assert 'value="mat-khau-1"' not in page  # the passwords are not sent back
    assert db_session.scalar(select(User.id)) is None


def test_a_new_entrant_lands_on_the_open_round(client, db_session):
    from tests.integration.attempts.conftest import make_round

    school = make_tree(db_session)["s1"]
    round_ = make_round(db_session)
    response = client.post("/register", data=form(school.id))
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/rounds/{round_.id}/play")
    client.delete("/api/session", json={})
    make_round(db_session)  # two open rounds: the list of rounds
    response = client.post("/register", data=form(school.id, phone="0912345679"))
    assert response.headers["Location"].endswith("/rounds")
