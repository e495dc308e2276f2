"""Files only the server's own user may read: the SQLite database, the secret key, exports and uploads.

Created with their mode from the start (``os.open`` with 0600, folders 0700) rather than chmod-ed after, so
no other local user can open one in between; existing ones are tightened too.
"""

from __future__ import annotations

import os
from pathlib import Path

FILE_MODE = 0o600
DIR_MODE = 0o700


def private_dir(path: Path) -> Path:
    path.mkdir(mode=DIR_MODE, parents=True, exist_ok=True)
    path.chmod(DIR_MODE)
    return path


def create_private(path: Path) -> None:
    """An empty file readable by the owner only, or an existing one made so."""
    try:
        os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, FILE_MODE))
    except FileExistsError:
        path.chmod(FILE_MODE)


def open_private(path: Path, mode: str = "wb", **kwargs):
    """``open(path, mode)`` for writing, the file created (or truncated) with mode 0600."""
    create_private(path)
    return open(path, mode, **kwargs)


def write_private(path: Path, data: str | bytes) -> None:
    with open_private(path, "wb" if isinstance(data, bytes) else "w") as out:
        out.write(data)


def private_sqlite(database: str | None) -> None:
    """The SQLite file of a ``sqlite:///path`` engine created 0600 before SQLite creates it with the umask's
    mode; SQLite gives its -wal and -shm files the database file's mode."""
    if not database or database == ":memory:" or database.startswith("file:"):
        return
    path = Path(database)
    create_private(path)
    for extra in ("-wal", "-shm", "-journal"):
        sibling = path.with_name(path.name + extra)
        if sibling.exists():
            sibling.chmod(FILE_MODE)
