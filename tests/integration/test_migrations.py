"""The migrations build exactly the schema the models describe: no pending autogenerate diff."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine

import contest.models  # noqa: F401  (the whole schema)
from contest.extensions import db
from tests.conftest import _drop_database, _test_database_url
from tests.server.running import app_env, flask_cli


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
