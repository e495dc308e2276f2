"""The bank's pictures as pages and payloads name them. Pure.

A picture is named ``<sha256>.<ext>`` (the SHA-256 of its stored bytes, ``image_check``) and served at
``/media/<name>`` (``media_pages``). The name is the content's: nothing in it says which question or option shows
it, so a paper's addresses give away no part of the key.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MEDIA_PREFIX = "/media/"
_NAME = re.compile(r"([0-9a-f]{64})\.(png|jpg)")


def is_media_name(name: str) -> bool:
    return bool(_NAME.fullmatch(name or ""))


def media_url(name: str) -> str:
    return MEDIA_PREFIX + name


def split_name(name: str) -> tuple[str, str] | None:
    """``(sha256, ext)`` of a media name, or None when ``name`` is not one."""
    found = _NAME.fullmatch(name or "")
    return (found.group(1), found.group(2)) if found else None


@dataclass(frozen=True)
class ShownImage:
    """A picture as a page shows it: its size (so the page keeps its place before it loads) and its text
    alternative ("" when the text beside it says what it shows)."""

    name: str
    width: int
    height: int
    alt: str = ""

    @property
    def url(self) -> str:
        return media_url(self.name)

    def payload(self) -> dict:
        return {"url": self.url, "width": self.width, "height": self.height, "alt": self.alt}
