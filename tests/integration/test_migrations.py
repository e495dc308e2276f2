"""The migrations build exactly the schema the models describe (no pending autogenerate diff), and fill in what
they add for the rows already there."""

from __future__ import annotations

import unicodedata

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
