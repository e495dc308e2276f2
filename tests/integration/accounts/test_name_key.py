"""``users.name_key`` (what the public name search matches) follows the full name however a user is written:
registration, staff creation, a rename, a bulk insert of dicts."""

from __future__ import annotations

from datetime import date

from sqlalchemy import insert, select

from contest.accounts.models import NAME_LENGTH, Role, User
from contest.accounts.service import Registration, register_entrant
from contest.db import utcnow
from contest.organiser.service import create_organiser
from contest.search_text import fold
from tests.factories import make_tree, make_user


def key_of(session, user_id: int) -> str:
    session.expire_all()  # read what was stored, not the object in memory
    return session.scalar(select(User.name_key).where(User.id == user_id))


def test_registration_staff_creation_and_renames_keep_the_key(db_session):
    school = make_tree(db_session)["s1"]
    entrant = register_entrant(db_session, Registration(
        full_name="  Nguyễn   Văn An ", birth_date=date(2007, 5, 1), phone="0912345678",
        password="mat-khau-1", unit_id=school.id, consent=True), now=utcnow())
    assert key_of(db_session, entrant.id) == "nguyen van an"
    organiser = create_organiser(db_session, email="daitu@example.org", full_name="Bí thư ĐẠI TỪ",
                                 password="secret-pass", now=utcnow())
    assert key_of(db_session, organiser.id) == "bi thu dai tu"
    made = make_user(db_session, unit=school, full_name="Trần Thị Bình")
    assert key_of(db_session, made.id) == "tran thi binh"

    db_session.get(User, entrant.id).full_name = "Đặng Thu Hà"
    db_session.commit()
    assert key_of(db_session, entrant.id) == "dang thu ha"


def test_bulk_inserts_of_dicts_get_the_key_too(db_session):
    now = utcnow()
    rows = [{"role": Role.ENTRANT, "full_name": name, "phone": f"090000000{i}", "password_hash": "x",
             "created_at": now} for i, name in enumerate(["Hồ Ngọc Yến", "Bùi Quang Huy"])]
    db_session.execute(insert(User), rows)
    stored = dict(db_session.execute(select(User.full_name, User.name_key).where(User.phone.like("09000000%"))).all())
    assert stored == {"Hồ Ngọc Yến": "ho ngoc yen", "Bùi Quang Huy": "bui quang huy"}


def test_a_key_longer_than_the_name_is_cut_to_the_column(db_session):
    name = "한" * NAME_LENGTH  # each Hangul syllable is three letters after NFD
    user = make_user(db_session, full_name=name)
    db_session.commit()  # PostgreSQL refuses a value longer than the column
    assert key_of(db_session, user.id) == fold(name)[:NAME_LENGTH] and len(fold(name)) == 3 * NAME_LENGTH
