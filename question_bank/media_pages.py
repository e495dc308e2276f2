"""``/media/<sha256>.<ext>``: the bank's pictures, for entrants and organisers alike.

An address names its content (``question_bank.media``), so an answer never changes: it is cached a year by
browsers and proxies (``immutable``: not even revalidated on reload), with the hash as its ETag. The address of a
picture says nothing about the question or option showing it, so it needs no login and leaks no key.
"""

from __future__ import annotations

from flask import Blueprint, Response, abort, request

from contest.extensions import db
from question_bank.image_store import RecentImages
from question_bank.media import split_name

bp = Blueprint("question_bank_media", __name__)

CACHE_CONTROL = "public, max-age=31536000, immutable"
RECENT = RecentImages()  # this process's; every process reads the same database


@bp.get("/media/<name>")
def image(name: str):
    """The picture, or 404 for a name the bank does not hold (or not spelled as ``<sha256>.<ext>``)."""
    found = RECENT.get(db.session, name)
    if found is None:
        abort(404)
    mime, data = found
    response = Response(data, mimetype=mime)
    response.headers["Cache-Control"] = CACHE_CONTROL
    response.set_etag(split_name(name)[0])
    return response.make_conditional(request)
