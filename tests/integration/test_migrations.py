"""The migrations build exactly the schema the models describe (no pending autogenerate diff), and fill in what
they add for the rows already there."""

from __future__ import annotations

import unicodedata
from datetime import timedelta

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine

import contest.models  # noqa: F401  (the whole schema)
from contest.db import UTCDateTime, utcnow
from contest.extensions import db
from contest.search_text import fold
from tests.conftest import _drop_database, _test_database_url
from tests.server.running import app_env, flask_cli

INITIAL, NAME_KEY, BEFORE_STAFF_ROLES = "bd0eb79b973a", "24c1efd17649", "c0a5e7d13b24"
BEFORE_UNIT_PATHS = "f4b2c8d61e07"


def test_upgrade_head_on_an_empty_database_matches_the_models(tmp_path_factory):
    """``flask db upgrade`` on an empty database of the current kind (SQLite, or PostgreSQL when
    ``DATABASE_URL`` is set), then Alembic's autogenerate comparison against the models.

    The upgrade runs as the ``flask`` command in its own process: a second app in this one would rebind the
    suite's module-level Flask-SocketIO server and Flask-Limiter state.
    """
    url = _test_database_url(tmp_path_factory)
    try:
        flask_cli(app_env(url), "db", "upgrade")
        engine = create_engine(url)
        try:
            with engine.connect() as connection:
                diff = compare_metadata(MigrationContext.configure(connection), db.metadata)
        finally:
            engine.dispose()
    finally:
        _drop_database(url)
    assert diff == [], "the migrations and the models differ; run `flask db migrate`:\n" + "\n".join(map(str, diff))


def test_name_key_is_backfilled_for_existing_users_and_dropped_on_downgrade(tmp_path_factory):
    """Users written before ``users.name_key`` existed get it on upgrade, over more than one page of the
    migration's backfill (1,000 users), whatever the normal form of their names."""
    names = ["Nguyễn Văn An", unicodedata.normalize("NFD", "ĐẶNG   Thị Hà"), "한" * 120] + [
        f"Trần Thị Bình {n}" for n in range(2_345)]
    url = _test_database_url(tmp_path_factory)
    engine = create_engine(url)
    try:
        env = app_env(url)
        flask_cli(env, "db", "upgrade", INITIAL)
        users = sa.table("users", sa.column("role"), sa.column("full_name"), sa.column("password_hash"),
                         sa.column("active"), sa.column("created_at", UTCDateTime()))
        with engine.begin() as connection:
            connection.execute(users.insert(), [{"role": "entrant", "full_name": name, "password_hash": "x",
                                                 "active": True, "created_at": utcnow()} for name in names])
        flask_cli(env, "db", "upgrade", NAME_KEY)
        with engine.connect() as connection:
            keys = connection.execute(sa.text("SELECT name_key FROM users ORDER BY id")).scalars().all()
        assert keys == [fold(name)[:120] for name in names]
        assert keys[:2] == ["nguyen van an", "dang thi ha"] and keys[-1] == "tran thi binh 2344"

        flask_cli(env, "db", "downgrade", INITIAL)
        engine.dispose()
        columns = {column["name"] for column in sa.inspect(engine).get_columns("users")}
        assert "full_name" in columns and "name_key" not in columns
    finally:
        engine.dispose()
        _drop_database(url)


def test_existing_organisers_get_the_role_their_scope_implies(tmp_path_factory):
    """Organisers written before ``users.staff_role``: without a unit scope contest organisers, with one unit
    organisers; entrants and admins have none."""
    url = _test_database_url(tmp_path_factory)
    engine = create_engine(url)
    try:
        env = app_env(url)
        flask_cli(env, "db", "upgrade", BEFORE_STAFF_ROLES)
        units = sa.table("units", sa.column("id"), sa.column("code"), sa.column("name"), sa.column("search_key"),
                         sa.column("level"), sa.column("path"), sa.column("depth"))
        users = sa.table("users", sa.column("id"), sa.column("role"), sa.column("full_name"),
                         sa.column("name_key"), sa.column("password_hash"), sa.column("active"),
                         sa.column("scope_unit_id"), sa.column("created_at", UTCDateTime()))
        with engine.begin() as connection:
            connection.execute(units.insert(), [{"id": 1, "code": "P1", "name": "Tỉnh", "search_key": "",
                                                 "level": "Tỉnh", "path": "/1/", "depth": 0}])
            connection.execute(users.insert(), [
                {"id": n, "role": role, "full_name": role, "name_key": role, "password_hash": "x", "active": True,
                 "scope_unit_id": scope, "created_at": utcnow()}
                for n, role, scope in [(1, "organiser", None), (2, "organiser", 1), (3, "entrant", None),
                                       (4, "admin", None)]])
        flask_cli(env, "db", "upgrade")
        with engine.connect() as connection:
            roles = connection.execute(sa.text("SELECT staff_role FROM users ORDER BY id")).scalars().all()
        assert roles == ["contest", "unit", None, None]
    finally:
        engine.dispose()
        _drop_database(url)


def test_rows_published_before_unit_paths_get_the_tree_of_the_migration_day(tmp_path_factory):
    """``published_rows.unit_path`` is filled for the rows already there from the tree as it stands when the
    migration runs (the tree of their publication day is not known any more); a row without a unit gets none."""
    from sqlalchemy.orm import Session

    from contest.accounts.models import Role, User
    from contest.leaderboards.models import PublishedResult, PublishedRow
    from contest.rounds.models import Contest, Round
    from contest.units.models import Unit

    url = _test_database_url(tmp_path_factory)
    engine = create_engine(url)
    try:
        env = app_env(url)
        flask_cli(env, "db", "upgrade", BEFORE_UNIT_PATHS)
        now = utcnow()
        with Session(engine) as session:
            province = Unit(code="P1", name="Tỉnh Thử", level="Tỉnh", path="", depth=0)
            session.add(province)
            session.flush()
            school = Unit(code="S1", name="THPT Đại Từ", level="Trường", parent_id=province.id, path="", depth=1)
            session.add(school)
            session.flush()
            province.path, school.path = f"/{province.id}/", f"/{province.id}/{school.id}/"
            round_ = Round(contest=Contest(title="Thi", created_at=now), title="Tuần 1",
                           opens_at=now - timedelta(days=1), closes_at=now, time_limit_s=60, question_count=1,
                           attempts_allowed=1, grace_s=5, created_at=now)
            users = [User(role=Role.ENTRANT, full_name=name, name_key=name, password_hash="x", unit_id=unit,
                          created_at=now) for name, unit in (("An", school.id), ("Bình", None))]
            session.add_all([round_, *users])
            session.flush()
            result = PublishedResult(round_id=round_.id, version=1, created_at=now)
            session.add(result)
            session.flush()
            session.execute(PublishedRow.__table__.insert(), [
                {"result_id": result.id, "rank": rank, "user_id": user.id, "attempt_id": rank,
                 "unit_id": user.unit_id, "score": 1, "max_score": 1, "duration_ms": 1, "finished_at": now,
                 "attempts": 1} for rank, user in enumerate(users, start=1)])
            session.commit()
            ids = province.id, school.id
        flask_cli(env, "db", "upgrade")
        with engine.connect() as connection:
            paths = connection.execute(sa.select(PublishedRow.unit_path).order_by(PublishedRow.rank)).scalars().all()
        assert paths == [[[ids[0], "P1", "Tỉnh Thử", "Tỉnh"], [ids[1], "S1", "THPT Đại Từ", "Trường"]], []]
    finally:
        engine.dispose()
        _drop_database(url)
