"""A province's worth of units for the tests that must hold at scale: 10,000 schools under 100 districts,
inserted in bulk (a few seconds, not a minute of ORM flushes). The school created last has a name of its own, so a
test can look for it."""

from __future__ import annotations

from sqlalchemy import String, cast, insert, select, update
from sqlalchemy.orm import Session, aliased

from contest.search_text import fold
from contest.units.models import Unit

SCHOOLS = 10_000
DISTRICTS = 100
LAST_CODE = f"BT-S{SCHOOLS}"
LAST_NAME = "THPT Hoàng Quốc Việt Cuối"
# Names that repeat from district to district, as they do in the real tree.
SCHOOL_NAMES = ("THPT Nguyễn Huệ", "THPT Lê Quý Đôn", "THCS Trần Phú", "THPT Chu Văn An", "Tiểu học Kim Đồng",
                "THCS Lý Tự Trọng", "THPT Phan Bội Châu", "THPT Đại Từ", "THCS Võ Thị Sáu", "THPT Quang Trung")


def seed_big_tree(session: Session, *, schools: int = SCHOOLS, districts: int = DISTRICTS) -> Unit:
    """A province 'BT', ``districts`` districts and ``schools`` schools spread over them; returns the last school."""
    province = Unit(code="BT", name="Tỉnh đoàn Bình Thử", search_key=fold("BT Tỉnh đoàn Bình Thử"), level="Tỉnh",
                    depth=0)
    session.add(province)
    session.flush()
    province.path = f"/{province.id}/"
    rows = [{"code": f"BT-D{d}", "name": f"Huyện Thử {d}", "level": "Huyện", "parent_id": province.id, "depth": 1,
             "path": "", "search_key": fold(f"BT-D{d} Huyện Thử {d}")} for d in range(1, districts + 1)]
    session.execute(insert(Unit), rows)
    district_ids = list(session.scalars(select(Unit.id).where(Unit.parent_id == province.id).order_by(Unit.id)))
    school_rows = []
    for n in range(1, schools + 1):
        name = LAST_NAME if n == schools else f"{SCHOOL_NAMES[n % len(SCHOOL_NAMES)]} {n}"
        code = f"BT-S{n}"
        school_rows.append({"code": code, "name": name, "level": "Trường", "depth": 2, "path": "",
                            "parent_id": district_ids[n % districts], "search_key": fold(f"{code} {name}")})
    for start in range(0, len(school_rows), 2000):  # one statement of 10,000 rows is past SQLite's variable limit
        session.execute(insert(Unit), school_rows[start:start + 2000])
    parent = aliased(Unit)
    for depth in (1, 2):
        session.execute(update(Unit).where(Unit.depth == depth, Unit.path == "").values(
            path=select(parent.path).where(parent.id == Unit.parent_id).scalar_subquery()
            + cast(Unit.id, String) + "/"), execution_options={"synchronize_session": False})
    session.flush()
    return session.scalar(select(Unit).where(Unit.code == LAST_CODE))
