"""Holding an uploaded file while its import job checks it, waits for the organiser's confirmation and imports it.

The file waits in ``instance/bank_uploads`` under a random token that only its job knows (a zip of pictures sent
with it beside it, ``<token>.zip``); files older than a day are removed on the next upload.
"""

from __future__ import annotations

import secrets
import time
from pathlib import Path

from contest.private_files import private_dir, write_private

KEEP_SECONDS = 24 * 3600


def store(folder: Path, data: bytes, images: bytes | None = None) -> str:
    private_dir(folder)  # an uploaded bank holds its answer key
    _remove_stale(folder)
    token = secrets.token_urlsafe(16)
    write_private(folder / token, data)
    if images:
        write_private(images_path(folder, token), images)
    return token


def images_path(folder: Path, token: str) -> Path:
    """Where the zip of pictures uploaded with ``token``'s file waits (it may not exist)."""
    return folder / f"{token}.zip"


def discard(folder: Path, token: str) -> None:
    if token and "/" not in token and not token.startswith("."):
        (folder / token).unlink(missing_ok=True)
        images_path(folder, token).unlink(missing_ok=True)


def _remove_stale(folder: Path) -> None:
    cutoff = time.time() - KEEP_SECONDS
    for path in folder.iterdir():
        if path.is_file() and path.stat().st_mtime < cutoff:
            path.unlink(missing_ok=True)
