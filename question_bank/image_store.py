"""Writing and reading the bank's pictures (``BankImage``): units of work given the session.

An image is written once, by the SHA-256 of its bytes; writing one the bank has already changes nothing, so a
portrait used by many questions (or uploaded again) is stored once. The caller commits, with the questions that
show it: a question never names a picture that is not stored.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from question_bank.image_check import EXTENSIONS, CheckedImage
from question_bank.media import ShownImage, split_name
from question_bank.models import BankImage


def add_images(session: Session, images: Iterable[CheckedImage], *, now: datetime, actor_id: int | None) -> int:
    """Add the images the bank does not hold yet (not committed); how many were new."""
    wanted = {image.sha256: image for image in images}
    if not wanted:
        return 0
    held = set(session.scalars(select(BankImage.sha256).where(BankImage.sha256.in_(sorted(wanted)))))
    new = [image for sha, image in wanted.items() if sha not in held]
    if new:
        session.execute(insert(BankImage), [
            {"sha256": image.sha256, "mime": image.mime, "width": image.width, "height": image.height,
             "bytes": len(image.data), "data": image.data, "created_at": now, "created_by_id": actor_id}
            for image in new])
    return len(new)


def known_names(session: Session) -> frozenset[str]:
    """Every stored image's ``<sha256>.<ext>``: a file naming one needs no zip (a bank export imported again)."""
    rows = session.execute(select(BankImage.sha256, BankImage.mime))
    return frozenset(f"{sha}.{EXTENSIONS[mime]}" for sha, mime in rows)


def image_sizes(session: Session, names: Iterable[str]) -> dict[str, tuple[int, int]]:
    """``{name: (width, height)}`` of the named images the bank holds."""
    by_sha = {split[0]: name for name in names if (split := split_name(name))}
    if not by_sha:
        return {}
    rows = session.execute(select(BankImage.sha256, BankImage.width, BankImage.height)
                           .where(BankImage.sha256.in_(sorted(by_sha))))
    return {by_sha[sha]: (width, height) for sha, width, height in rows}


def shown(sizes: dict[str, tuple[int, int]], name: str | None, alt: str = "") -> ShownImage | None:
    """The picture ``name`` as a page shows it, or None (no picture, or one the bank lost)."""
    if not name or name not in sizes:
        return None
    width, height = sizes[name]
    return ShownImage(name, width, height, alt)


def image_file(session: Session, name: str) -> tuple[str, bytes] | None:
    """``(mime, bytes)`` of the image ``<sha256>.<ext>``; None when the bank has none of that name."""
    split = split_name(name)
    if split is None:
        return None
    row = session.execute(select(BankImage.mime, BankImage.data).where(BankImage.sha256 == split[0])).first()
    if row is None or EXTENSIONS[row.mime] != split[1]:
        return None
    return row.mime, row.data


class RecentImages:
    """The pictures this process served lately, by name, up to ``max_bytes`` in all. A name never changes its
    bytes, so a picture thousands of phones load at a round's opening is read from the database once per process;
    the least recently served go first. Unknown names are not remembered (the picture may be added later)."""

    def __init__(self, max_bytes: int = 64 * 1024 * 1024):
        self.max_bytes = max_bytes
        self.size = 0
        self.files: OrderedDict[str, tuple[str, bytes]] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, session: Session, name: str) -> tuple[str, bytes] | None:
        """``image_file``, from memory when this process served it lately."""
        with self.lock:
            found = self.files.get(name)
            if found is not None:
                self.files.move_to_end(name)
                return found
        found = image_file(session, name)
        if found is not None and len(found[1]) <= self.max_bytes:
            with self.lock:
                if name not in self.files:
                    self.files[name] = found
                    self.size += len(found[1])
                while self.size > self.max_bytes:
                    _old, (_mime, data) = self.files.popitem(last=False)
                    self.size -= len(data)
        return found
