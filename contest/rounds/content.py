"""A contest's home content: rules, prizes, a banner image and news posts, edited by the organisers who manage the
contest (``Action.CONTEST_MANAGE`` on that contest, checked here whatever the caller) and shown on its public home
page and on ``/``.

Texts are Markdown, stored as typed and rendered through the sanitiser when shown (``contest.markup``). A banner
is checked as an image by Pillow (its real format, not its name or the browser's type), bounded in bytes and in
pixels, and stored with its sha256, which versions its URL. Every change is audited in the same commit.
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass
from datetime import datetime

from flask_babel import lazy_gettext as _l
from PIL import Image, UnidentifiedImageError
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from contest.access.permissions import Action, can
from contest.audit import service as audit
from contest.errors import DomainError
from contest.markup import TEXT_MAX
from contest.rounds.models import Contest, ContestHome, NewsPost

BANNER_MAX_BYTES = 2 * 1024 * 1024
BANNER_MAX_SIDE = 4000  # pixels, either side
BANNER_MIN_SIDE = 16
BANNER_TYPES = {"PNG": "image/png", "JPEG": "image/jpeg", "WEBP": "image/webp", "GIF": "image/gif"}
NEWS_TITLE_MAX = 200
NEWS_PAGE = 10


@dataclass(frozen=True)
class NewsPage:
    posts: list[NewsPost]
    page: int
    pages: int
    total: int


def home_of(session: Session, contest_id: int) -> ContestHome | None:
    """The contest's home content, or None when nothing was ever saved (the banner's bytes are not loaded)."""
    return session.get(ContestHome, contest_id)


def save_texts(session: Session, actor, *, contest_id: int, rules: str, prizes: str, now: datetime) -> ContestHome:
    """Store the contest's rules and prize list (Markdown)."""
    home = _editable(session, actor, contest_id)
    fields = {name: _l("At most %(count)s characters.", count=TEXT_MAX)
              for name, text in (("rules", rules), ("prizes", prizes)) if len(text) > TEXT_MAX}
    if fields:
        raise DomainError("validation", fields=fields)
    changed = [name for name, text in (("rules", rules), ("prizes", prizes)) if getattr(home, name) != text]
    home.rules, home.prizes, home.updated_at = rules, prizes, now
    audit.record(session, actor_id=actor.id, action="contest.home_texts", now=now, target_type="contest",
                 target_id=contest_id, details={"changed": changed})
    session.commit()
    return home


def set_banner(session: Session, actor, *, contest_id: int, data: bytes, now: datetime) -> ContestHome:
    """Store ``data`` as the contest's banner once Pillow has read it as a PNG, JPEG, WebP or GIF within the
    bounds above; anything else is refused with a message saying why and the old banner stays."""
    home = _editable(session, actor, contest_id)
    kind, width, height = checked_image(data)
    home.banner, home.banner_type = data, BANNER_TYPES[kind]
    home.banner_hash, home.banner_width, home.banner_height = hashlib.sha256(data).hexdigest(), width, height
    home.updated_at = now
    audit.record(session, actor_id=actor.id, action="contest.banner_set", now=now, target_type="contest",
                 target_id=contest_id, details={"type": home.banner_type, "bytes": len(data),
                                                "width": width, "height": height})
    session.commit()
    return home


def remove_banner(session: Session, actor, *, contest_id: int, now: datetime) -> None:
    home = _editable(session, actor, contest_id)
    if home.banner_hash is None:
        return
    home.banner = home.banner_type = home.banner_hash = home.banner_width = home.banner_height = None
    home.updated_at = now
    audit.record(session, actor_id=actor.id, action="contest.banner_removed", now=now, target_type="contest",
                 target_id=contest_id)
    session.commit()


def checked_image(data: bytes) -> tuple[str, int, int]:
    """``(Pillow format, width, height)`` of an acceptable banner, else a ``DomainError`` on the ``banner`` field.
    The pixel bound is checked from the header, before any pixel is decoded (no decompression bomb)."""
    def refuse(message):
        return DomainError("validation", message, fields={"banner": message})

    if not data:
        raise refuse(_l("Choose an image file."))
    if len(data) > BANNER_MAX_BYTES:
        raise refuse(_l("The image is too large: at most %(size)s MB.", size=BANNER_MAX_BYTES // (1024 * 1024)))
    try:
        with Image.open(io.BytesIO(data)) as image:
            kind, (width, height) = image.format, image.size
            if kind not in BANNER_TYPES:
                raise refuse(_l("Upload a PNG, JPEG, WebP or GIF image."))
            if max(width, height) > BANNER_MAX_SIDE or min(width, height) < BANNER_MIN_SIDE:
                raise refuse(_l("The image must be between %(low)s and %(high)s pixels on each side.",
                                low=BANNER_MIN_SIDE, high=BANNER_MAX_SIDE))
            image.verify()  # a truncated or corrupt file fails here
    except DomainError:
        raise
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, Image.DecompressionBombError):
        raise refuse(_l("This file is not an image we can read (PNG, JPEG, WebP or GIF).")) from None
    return kind, width, height


def banner_bytes(session: Session, contest_id: int) -> tuple[bytes, str, str] | None:
    """``(bytes, content type, sha256)`` of the contest's banner, or None."""
    row = session.execute(select(ContestHome.banner, ContestHome.banner_type, ContestHome.banner_hash)
                          .where(ContestHome.contest_id == contest_id, ContestHome.banner_hash.is_not(None))).first()
    return None if row is None else (row[0], row[1], row[2])


# News -------------------------------------------------------------------------------------------------------


def news_page(session: Session, contest_id: int, *, now: datetime | None, page: int = 1,
              per_page: int = NEWS_PAGE) -> NewsPage:
    """A contest's news, newest first; ``now`` given: only posts published by then (what the public sees),
    None: every post (the organisers' list)."""
    where = [NewsPost.contest_id == contest_id]
    if now is not None:
        where.append(NewsPost.published_at <= now)
    total = session.scalar(select(func.count()).select_from(NewsPost).where(*where)) or 0
    pages = max(1, -(-total // per_page))
    page = min(max(page, 1), pages)
    posts = list(session.scalars(select(NewsPost).where(*where)
                                 .order_by(NewsPost.published_at.desc(), NewsPost.id.desc())
                                 .offset((page - 1) * per_page).limit(per_page)))
    return NewsPage(posts, page, pages, total)


def news_post(session: Session, actor, *, contest_id: int, post_id: int) -> NewsPost:
    """One post of a contest the actor manages, to edit."""
    _editable(session, actor, contest_id)
    return _post(session, contest_id, post_id)


def save_news(session: Session, actor, *, contest_id: int, title: str, body: str, published_at: datetime,
              now: datetime, post_id: int | None = None) -> NewsPost:
    """Add a post, or (``post_id``) change one."""
    _editable(session, actor, contest_id)
    title = " ".join(title.split())
    fields = {}
    if not title:
        fields["title"] = _l("Give the post a title.")
    elif len(title) > NEWS_TITLE_MAX:
        fields["title"] = _l("At most %(count)s characters.", count=NEWS_TITLE_MAX)
    if len(body) > TEXT_MAX:
        fields["body"] = _l("At most %(count)s characters.", count=TEXT_MAX)
    if fields:
        raise DomainError("validation", fields=fields)
    if post_id is None:
        post = NewsPost(contest_id=contest_id, created_at=now)
        session.add(post)
    else:
        post = _post(session, contest_id, post_id)
    post.title, post.body, post.published_at, post.updated_at = title, body, published_at, now
    session.flush()
    audit.record(session, actor_id=actor.id, action="contest.news_added" if post_id is None else "contest.news_edited",
                 now=now, target_type="news", target_id=post.id, details={"contest_id": contest_id, "title": title})
    session.commit()
    return post


def delete_news(session: Session, actor, *, contest_id: int, post_id: int, now: datetime) -> None:
    _editable(session, actor, contest_id)
    post = _post(session, contest_id, post_id)
    session.execute(delete(NewsPost).where(NewsPost.id == post.id))
    audit.record(session, actor_id=actor.id, action="contest.news_deleted", now=now, target_type="news",
                 target_id=post_id, details={"contest_id": contest_id, "title": post.title})
    session.commit()


def _editable(session: Session, actor, contest_id: int) -> ContestHome:
    """The contest's home row (made when missing) once ``actor`` may manage the contest."""
    if session.get(Contest, contest_id) is None:
        raise DomainError("not_found", _l("There is no such contest."))
    if not can(session, actor, Action.CONTEST_MANAGE, contest=contest_id):
        raise DomainError("forbidden")
    home = session.get(ContestHome, contest_id)
    if home is None:
        home = ContestHome(contest_id=contest_id, rules="", prizes="")
        session.add(home)
    return home


def _post(session: Session, contest_id: int, post_id: int) -> NewsPost:
    post = session.get(NewsPost, post_id)
    if post is None or post.contest_id != contest_id:
        raise DomainError("not_found", _l("There is no such news post."))
    return post


def latest_news(session: Session, contest_ids: list[int], *, now: datetime) -> dict[int, NewsPost]:
    """Each contest's newest published post (for the cards of ``/``)."""
    if not contest_ids:
        return {}
    newest = (select(NewsPost.contest_id, func.max(NewsPost.published_at).label("at"))
              .where(NewsPost.contest_id.in_(contest_ids), NewsPost.published_at <= now)
              .group_by(NewsPost.contest_id).subquery())
    posts = session.scalars(select(NewsPost).join(newest, (newest.c.contest_id == NewsPost.contest_id)
                                                  & (newest.c.at == NewsPost.published_at)).order_by(NewsPost.id))
    return {post.contest_id: post for post in posts}
