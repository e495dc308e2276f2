"""The secret key, the SQLite file, exports and uploads are readable by their owner only."""

from __future__ import annotations

import os
import sqlite3
import stat

import pytest
from flask import Flask

from contest.config import load_config
from contest.private_files import create_private, private_sqlite
from question_bank import uploads


def mode(path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture(autouse=True)
def permissive_umask():
    """Under umask 0 a file made the ordinary way is 0666: the modes below come from the code, not the umask."""
    previous = os.umask(0)
    yield
    os.umask(previous)


def test_the_instance_folder_and_its_secret_key_are_private(tmp_path, monkeypatch):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.delenv("OLYMPIAD_SECRET_KEY", raising=False)
    instance = tmp_path / "instance"
    app = Flask("probe", instance_path=str(instance))
    load_config(app, None)
    key = instance / "secret_key"
    assert mode(instance) == 0o700 and mode(key) == 0o600
    assert app.config["SECRET_KEY"] == key.read_text()
    key.chmod(0o644)  # a key left readable by an older version is tightened at the next start
    again = Flask("probe", instance_path=str(instance))
    load_config(again, None)
    assert again.config["SECRET_KEY"] == app.config["SECRET_KEY"] and mode(key) == 0o600


def test_the_sqlite_file_and_its_wal_are_private(tmp_path):
    database = tmp_path / "olympiad.sqlite3"
    private_sqlite(str(database))
    assert mode(database) == 0o600
    connection = sqlite3.connect(database)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("CREATE TABLE t (x)")
    connection.execute("INSERT INTO t VALUES (1)")
    connection.commit()
    for name in ("olympiad.sqlite3", "olympiad.sqlite3-wal", "olympiad.sqlite3-shm"):
        assert mode(tmp_path / name) == 0o600, name
    connection.close()
    private_sqlite(":memory:")  # nothing to do, and no file named so


def test_an_existing_file_is_tightened(tmp_path):
    path = tmp_path / "old.csv"
    path.write_text("x")
    path.chmod(0o644)
    create_private(path)
    assert mode(path) == 0o600 and path.read_text() == "x"


def test_uploads_wait_in_a_private_folder(tmp_path):
    folder = tmp_path / "bank_uploads"
    token = uploads.store(folder, b"cau_hoi,dap_an_dung\n")
    assert mode(folder) == 0o700 and mode(folder / token) == 0o600
