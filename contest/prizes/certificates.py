"""Certificates: the contest's template (set by organisers, scoped and audited; images checked and re-encoded
with Pillow), what a certificate states, issuing one with its verification code (once per entrant, round,
results version and prize version: downloading again gives the same code), and what ``/verify/<code>`` shows.

Every entrant of a published round gets a participation certificate; a prize winner's states their prize. A
certificate is superseded when a later results version or prize version of its round exists."""

from __future__ import annotations

import io
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from PIL import Image, UnidentifiedImageError
from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from contest.access.permissions import Action, can, unit_scope
from contest.accounts.models import User
from contest.audit.service import record as audit
from contest.errors import DomainError
from contest.i18n import CONTEST_TIME_ZONE
from contest.leaderboards.exports.rows import unit_paths
from contest.leaderboards.models import PublishedResult, PublishedRow
from contest.leaderboards.reads import latest_version
from contest.private_files import private_dir, write_private
from contest.prizes.certificate_pdf import Design, image, unknown_placeholders
from contest.prizes.labels import prize_label
from contest.prizes.models import Certificate, CertificateTemplate, PrizeAward
from contest.prizes.service import latest_set
from contest.rounds.models import Contest, Round
from contest.units.models import Unit

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud or typed from paper
CODE_LENGTH = 10
MAX_IMAGE_BYTES = 2 * 1024 * 1024
MAX_IMAGE_SIDE = 4000
DEFAULT_TITLE = "GIẤY CHỨNG NHẬN"
DEFAULT_BODY = "Đã tham gia {round} – {contest}\nĐạt {score}/{max_score} điểm, xếp hạng {rank}/{entrants}."


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def template_of(session: Session, contest_id: int) -> CertificateTemplate:
    """The contest's template, or the default one (not stored) when none was set."""
    found = session.get(CertificateTemplate, contest_id)
    return found or CertificateTemplate(contest_id=contest_id, title=DEFAULT_TITLE, body=DEFAULT_BODY, signer="")


def checked_image(data: bytes, field: str) -> bytes:
    """A PNG or JPEG upload re-encoded as PNG (whatever else the file held is dropped), or a ``validation``
    DomainError on ``field``."""
    def invalid(message):
        return DomainError("validation", message, fields={field: message})

    if len(data) > MAX_IMAGE_BYTES:
        raise invalid(_l("The image is larger than 2 MB."))
    try:
        with Image.open(io.BytesIO(data)) as probe:
            probe.verify()
        with Image.open(io.BytesIO(data)) as picture:
            if picture.format not in ("PNG", "JPEG"):
                raise invalid(_l("Upload a PNG or JPEG image."))
            if max(picture.size) > MAX_IMAGE_SIDE:
                raise invalid(_l("The image is larger than %(n)s pixels on a side.", n=MAX_IMAGE_SIDE))
            picture.load()
            out = io.BytesIO()
            picture.convert("RGBA").save(out, "PNG", optimize=True)
            return out.getvalue()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise invalid(_l("This file is not an image that can be read.")) from None


def set_template(session: Session, actor, *, contest_id: int, title: str, body: str, signer: str,
                 logo: bytes | None, signature: bytes | None, directory: Path, now: datetime) -> CertificateTemplate:
    """Set the contest's certificate template (contest-level organisers only), audited as
    ``certificates.template``; ``logo``/``signature``: new images (None: keep the ones there)."""
    contest = session.get(Contest, contest_id)
    if contest is None:
        raise DomainError("not_found", _l("There is no such contest."))
    if not can(session, actor, Action.CONTEST_MANAGE, contest=contest_id) or unit_scope(actor) is not None:
        raise DomainError("forbidden", _l("You may not change this contest's certificate."))
    title, body, signer = (title or "").strip(), (body or "").strip(), (signer or "").strip()
    problems = {}
    if not title or len(title) > 200:
        problems["title"] = _l("Give a title of at most 200 characters.")
    if not body or len(body) > 2000:
        problems["body"] = _l("Give a text of at most 2,000 characters.")
    elif unknown := unknown_placeholders(body):
        problems["body"] = _l("Unknown placeholder %(names)s.", names=", ".join(f"{{{n}}}" for n in unknown))
    if len(signer) > 200:
        problems["signer"] = _l("At most 200 characters.")
    images = {}
    for field, data in (("logo", logo), ("signature", signature)):
        if data:
            try:
                images[field] = checked_image(data, field)
            except DomainError as error:
                problems.update(error.fields)
    if problems:
        raise DomainError("validation", next(iter(problems.values())), fields=problems)
    found = session.get(CertificateTemplate, contest_id)
    if found is None:
        found = CertificateTemplate(contest_id=contest_id)
        session.add(found)
    found.title, found.body, found.signer, found.updated_at, found.updated_by_id = title, body, signer, now, actor.id
    for field, data in images.items():
        name = f"contest-{contest_id}-{field}-{secrets.token_hex(4)}.png"
        write_private(private_dir(directory) / name, data)
        setattr(found, field, name)
    audit(session, actor_id=actor.id, action="certificates.template", now=now, target_type="contest",
          target_id=contest_id, details={"title": title, "body": body, "signer": signer, "images": sorted(images)})
    session.commit()
    return found


def design_of(session: Session, contest_id: int, directory: Path) -> Design:
    """The template ready to draw, its images read once."""
    found = template_of(session, contest_id)

    def read(name):
        path = directory / name if name else None
        return image(path.read_bytes()) if path and path.is_file() else None

    return Design(found.title, found.body, found.signer, read(found.logo), read(found.signature))


@dataclass(frozen=True)
class Verified:
    certificate: Certificate
    superseded: bool
    current: dict | None  # what a certificate issued now would state (None: the entrant is no longer ranked)


def verify(session: Session, code: str) -> Verified | None:
    """The certificate with this code and whether a later version superseded it, or None."""
    found = session.scalar(select(Certificate).where(Certificate.code == code.strip().upper()))
    if found is None:
        return None
    result = latest_version(session, found.round_id)
    prize_set = latest_set(session, found.round_id)
    superseded = ((result is not None and result.version > found.results_version)
                  or (prize_set is not None and prize_set.version > found.prize_version))
    current = None
    if superseded and result is not None:
        current = statements(session, session.get(Round, found.round_id), result, [found.user_id]).get(found.user_id)
    return Verified(found, superseded, current)


def statements(session: Session, round_: Round, result: PublishedResult,
               user_ids: list[int] | None = None) -> dict[int, dict]:
    """What each entrant's certificate of ``result`` states (in Vietnamese): all of its entrants, or
    ``user_ids``."""
    contest = session.get(Contest, round_.contest_id)
    query = (select(PublishedRow.user_id, PublishedRow.rank, PublishedRow.score, PublishedRow.max_score,
                    PublishedRow.unit_id, User.full_name)
             .join(User, User.id == PublishedRow.user_id).where(PublishedRow.result_id == result.id)
             .order_by(PublishedRow.rank))
    if user_ids is not None:
        query = query.where(PublishedRow.user_id.in_(user_ids))
    rows = session.execute(query).all()
    prize_set = latest_set(session, round_.id)
    prizes: dict[int, list[PrizeAward]] = {}
    if prize_set is not None:
        for award in session.scalars(select(PrizeAward).where(PrizeAward.set_id == prize_set.id,
                                                              PrizeAward.user_id.is_not(None))):
            prizes.setdefault(award.user_id, []).append(award)
    paths = unit_paths(session)
    names = dict(session.execute(select(Unit.id, Unit.name)).all())
    date = result.created_at.astimezone(CONTEST_TIME_ZONE).strftime("%d/%m/%Y")
    found = {}
    with force_locale("vi"):
        for row in rows:
            won = prizes.get(row.user_id, [])
            found[row.user_id] = {
                "name": row.full_name, "unit": paths.get(row.unit_id, ""), "score": row.score,
                "max_score": row.max_score, "rank": row.rank, "entrants": result.entrants,
                "prize": "; ".join(prize_label(a.prize, a.level, names.get(a.unit_id, "")) for a in won),
                "date": date, "round": round_.title, "contest": contest.title,
                "kind": "prize" if won else "participation", "unit_id": row.unit_id,
                "results_version": result.version, "prize_version": prize_set.version if prize_set else 0}
    return found


def issue(session: Session, round_: Round, statements_by_user: Mapping[int, dict], *, now: datetime) -> dict[int,
                                                                                                            Certificate]:
    """The certificates of these statements, issued once: those issued before for the same versions are read
    back, the others inserted (in chunks) and committed."""
    if not statements_by_user:
        return {}
    any_stated = next(iter(statements_by_user.values()))
    results_version, prize_version = any_stated["results_version"], any_stated["prize_version"]

    def existing():
        found = {}
        ids = list(statements_by_user)
        for start in range(0, len(ids), 1000):
            found.update({c.user_id: c for c in session.scalars(select(Certificate).where(
                Certificate.round_id == round_.id, Certificate.results_version == results_version,
                Certificate.prize_version == prize_version, Certificate.user_id.in_(ids[start:start + 1000])))})
        return found

    found = existing()
    missing = [user_id for user_id in statements_by_user if user_id not in found]
    if not missing:
        return found
    try:
        for start in range(0, len(missing), 1000):
            session.execute(insert(Certificate), [
                {"code": new_code(), "user_id": user_id, "round_id": round_.id, "results_version": results_version,
                 "prize_version": prize_version, "kind": statements_by_user[user_id]["kind"],
                 "stated": statements_by_user[user_id], "created_at": now}
                for user_id in missing[start:start + 1000]])
        session.commit()
    except IntegrityError:
        # Issued meanwhile by another request or job (the same entrant and versions): theirs stands.
        session.rollback()
        return issue(session, round_, statements_by_user, now=now)
    return existing()


def own_certificate(session: Session, user_id: int, round_id: int, *, now: datetime) -> Certificate:
    """The entrant's certificate of the round's latest published results (issued on first download), or a
    ``not_found`` DomainError when the round is not published or they are not ranked in it."""
    round_ = session.get(Round, round_id)
    result = latest_version(session, round_id) if round_ is not None else None
    if result is None:
        raise DomainError("not_found", _l("The results of this round are not published yet."))
    stated = statements(session, round_, result, [user_id])
    if user_id not in stated:
        raise DomainError("not_found", _l("You are not in the published results of this round."))
    return issue(session, round_, stated, now=now)[user_id]
