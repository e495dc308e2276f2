"""Holding an uploaded file between its dry run and the organiser's confirmation.

The file waits in ``instance/bank_uploads`` under a random token that only the uploader's session knows;
files older than a day are removed on the next upload.
"""

from __future__ import annotations

import secrets
import time
from pathlib import Path

from contest.private_files import private_dir, write_private

KEEP_SECONDS = 24 * 3600


def store(folder: Path, data: bytes) -> str:
    private_dir(folder)  # an uploaded bank holds its answer key
    _remove_stale(folder)
    token = secrets.token_urlsafe(16)
    write_private(folder / token, data)
    return token


def load(folder: Path, token: str) -> bytes | None:
    path = folder / token
    if not token or "/" in token or "\\" in token or token.startswith(".") or not path.is_file():
        return None
    return path.read_bytes()


def discard(folder: Path, token: str) -> None:
    if token and "/" not in token and not token.startswith("."):
        (folder / token).unlink(missing_ok=True)


def _remove_stale(folder: Path) -> None:
    cutoff = time.time() - KEEP_SECONDS
    for path in folder.iterdir():
        if path.is_file() and path.stat().st_mtime < cutoff:
            path.unlink(missing_ok=True)
