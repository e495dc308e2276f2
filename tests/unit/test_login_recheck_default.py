"""How often a socket's login is looked up in the database: a fallback with Redis (whose message ends sockets in
every process at once), the only way without it."""

from __future__ import annotations

import pytest
from flask import Flask

from contest.config import load_config


@pytest.mark.parametrize(("redis_url", "recheck_s"), [(None, 60.0), ("redis://127.0.0.1:6379/0", 600.0)])
def test_the_recheck_is_rare_where_redis_carries_the_endings(tmp_path, redis_url, recheck_s):
    app = Flask(__name__, instance_path=str(tmp_path))
    load_config(app, {"REDIS_URL": redis_url, "SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    assert app.config["LOGIN_RECHECK_S"] == recheck_s


def test_a_recheck_set_on_purpose_is_kept(tmp_path):
    app = Flask(__name__, instance_path=str(tmp_path))
    load_config(app, {"REDIS_URL": "redis://127.0.0.1:6379/0", "LOGIN_RECHECK_S": 5, "SECRET_KEY": "x",
                      "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    assert app.config["LOGIN_RECHECK_S"] == 5
