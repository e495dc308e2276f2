"""What an entrant shares of their result: a public page at an address only they are given (an HMAC of the round
and entrant with the app's secret, so nobody can walk through entrants' pages), showing their public name (in the
contest's style), their score, rank and prize, and an Open Graph image of the same drawn with Pillow and cached
on disk per results and prize version. Nothing else: no phone, birth date, email, citizen ID, and of the unit
only its name, which the public boards show anyway."""

from __future__ import annotations

import hashlib
import hmac
import io
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont
from sqlalchemy import select
from sqlalchemy.orm import Session

from contest.accounts.models import User
from contest.leaderboards.models import PublishedRow
from contest.leaderboards.reads import latest_version
from contest.private_files import private_dir, write_private
from contest.prizes.certificate_pdf import font_path
from contest.prizes.queries import entrant_prizes, shown_name
from contest.prizes.service import latest_set
from contest.rounds.models import Contest, Round
from contest.units.models import Unit

TOKEN_HEX = 20
OG_SIZE = (1200, 630)


def share_token(secret: str, round_id: int, user_id: int) -> str:
    """``<entrant id>-<signature>``: the address part of the entrant's share page."""
    digest = hmac.new(secret.encode(), f"share:{round_id}:{user_id}".encode(), hashlib.sha256).hexdigest()
    return f"{user_id}-{digest[:TOKEN_HEX]}"


def user_of_token(secret: str, round_id: int, token: str) -> int | None:
    head, _, _ = token.partition("-")
    if not head.isdigit() or len(head) > 12:
        return None
    return int(head) if hmac.compare_digest(share_token(secret, round_id, int(head)), token) else None


@dataclass(frozen=True)
class Shared:
    round_id: int
    round_title: str
    contest_title: str
    name: str
    unit: str
    score: int
    max_score: int
    rank: int
    entrants: int
    prizes: tuple[str, ...]
    versions: tuple[int, int]  # results version, prize version: the image's cache key


def shared_result(session: Session, round_id: int, user_id: int) -> Shared | None:
    """The entrant's public result in the round's latest published version, or None."""
    round_ = session.get(Round, round_id)
    result = latest_version(session, round_id) if round_ is not None else None
    if result is None:
        return None
    row = session.execute(select(PublishedRow.rank, PublishedRow.score, PublishedRow.max_score, User.full_name,
                                 Unit.name.label("unit"))
                          .join(User, User.id == PublishedRow.user_id).outerjoin(Unit, Unit.id == User.unit_id)
                          .where(PublishedRow.result_id == result.id, PublishedRow.user_id == user_id)).first()
    if row is None:
        return None
    contest = session.get(Contest, round_.contest_id)
    prize_set = latest_set(session, round_id)
    prizes = tuple(line.label for line in entrant_prizes(session, user_id, round_id))
    return Shared(round_id, round_.title, contest.title, shown_name(row.full_name, contest.name_style),
                  row.unit or "", row.score, row.max_score, row.rank, result.entrants, prizes,
                  (result.version, prize_set.version if prize_set else 0))


def og_image(shared: Shared, *, headline: str, lines: list[str], cache: Path, user_id: int) -> Path:
    """The PNG for ``og:image`` (1200×630), drawn once per entrant, round and versions and then read from
    ``cache``."""
    path = cache / f"r{shared.round_id}-u{user_id}-v{shared.versions[0]}-p{shared.versions[1]}.png"
    if path.is_file():
        return path
    picture = Image.new("RGB", OG_SIZE, (250, 246, 240))
    draw = ImageDraw.Draw(picture)
    draw.rectangle((0, 0, OG_SIZE[0], 24), fill=(140, 20, 20))
    font = str(font_path())

    def text(y, words, size, colour=(30, 30, 30)):
        draw.text((70, y), words, font=ImageFont.truetype(font, size), fill=colour)

    text(70, f"{shared.contest_title} · {shared.round_title}", 36, (110, 110, 110))
    text(140, shared.name, 72)
    text(240, shared.unit, 36, (90, 90, 90))
    text(320, headline, 60, (140, 20, 20))
    for number, line in enumerate(lines):
        text(420 + number * 56, line, 40)
    out = io.BytesIO()
    picture.save(out, "PNG", optimize=True)
    write_private(private_dir(cache) / path.name, out.getvalue())
    return path
