"""Public prize pages (no login): a round's and a contest's prizes, ``/verify/<code>`` for a certificate, an
entrant's share page and its Open Graph image; and, for the logged-in entrant, their certificate of a round and
what their result page shows of their prizes (``entrant_prize``). Names come out in the contest's style; no page
here reads a phone, a birth date or an email."""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, abort, current_app, render_template, send_file, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required

from contest.db import utcnow
from contest.errors import DomainError
from contest.extensions import db
from contest.prizes.certificate_jobs import image_dir
from contest.prizes.certificate_pdf import render
from contest.prizes.certificates import design_of, own_certificate, verify
from contest.prizes.labels import TIE_BREAKS
from contest.prizes.queries import contest_prizes, entrant_prizes, round_prizes
from contest.prizes.share import og_image, share_token, shared_result, user_of_token
from contest.rounds.models import Contest, Round

bp = Blueprint("prizes_pages", __name__)


@bp.app_template_global("entrant_prize")
def entrant_prize(round_id: int) -> dict | None:
    """The logged-in entrant's ``{labels, certificate_url, share_url}`` for a round whose results are published
    (``labels``: "Giải Ba · Tuần 3", empty without a prize); None otherwise."""
    if not current_user.is_authenticated:
        return None
    round_ = db.session.get(Round, round_id)
    shared = shared_result(db.session, round_id, current_user.id) if round_ else None
    if shared is None:
        return None
    token = share_token(current_app.secret_key, round_id, current_user.id)
    return {"labels": [f"{line.label} · {round_.title}" for line in entrant_prizes(db.session, current_user.id,
                                                                                 round_id)],
            "certificate_url": url_for("prizes_pages.certificate", round_id=round_id),
            "share_url": url_for("prizes_pages.share", round_id=round_id, token=token, _external=True),
            "share_text": _("%(round)s: %(score)s/%(max)s", round=round_.title, score=shared.score,
                            max=shared.max_score)}


@bp.get("/rounds/<int:round_id>/prizes")
def round_page(round_id: int):
    """The round's prizes (its latest award set), or a page saying there are none yet."""
    round_ = db.session.get(Round, round_id) or abort(404)
    return render_template("prizes/round.html", shown=round_prizes(db.session, round_), tie_breaks=TIE_BREAKS)


@bp.get("/contests/<int:contest_id>/prizes")
def contest_page(contest_id: int):
    """Every round's prizes of the contest."""
    contest = db.session.get(Contest, contest_id) or abort(404)
    return render_template("prizes/contest.html", contest=contest, rounds=contest_prizes(db.session, contest),
                           tie_breaks=TIE_BREAKS)


@bp.get("/verify/<string(maxlength=32):code>")
def verify_page(code: str):
    """What the certificate with this code states, and whether a later version superseded it (404: no such
    certificate)."""
    found = verify(db.session, code)
    if found is None:
        return render_template("prizes/verify.html", found=None, code=code), 404
    return render_template("prizes/verify.html", found=found, code=code)


@bp.get("/rounds/<int:round_id>/certificate.pdf")
@login_required
def certificate(round_id: int):
    """The logged-in entrant's certificate of the round's latest published results (issued on first download,
    the same code after)."""
    try:
        issued = own_certificate(db.session, current_user.id, round_id, now=utcnow())
    except DomainError as error:
        return render_template("error.html", title="404", message=str(error.message)), 404
    round_ = db.session.get(Round, round_id)
    design = design_of(db.session, round_.contest_id, image_dir(current_app.instance_path))
    pdf = render(design, issued.stated, code=issued.code,
                 verify_url=url_for("prizes_pages.verify_page", code=issued.code, _external=True))
    response = current_app.response_class(pdf, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'attachment; filename="certificate-{round_id}-{issued.code}.pdf"'
    response.cache_control.no_store = True
    return response


def _shared_or_abort(round_id: int, token: str):
    user_id = user_of_token(current_app.secret_key, round_id, token)
    shared = shared_result(db.session, round_id, user_id) if user_id is not None else None
    if shared is None:
        abort(404)
    return user_id, shared


def _headline(shared) -> tuple[str, list[str]]:
    lines = [_("Score %(score)s/%(max)s · rank %(rank)s of %(entrants)s", score=shared.score, max=shared.max_score,
               rank=shared.rank, entrants=shared.entrants)]
    return (shared.prizes[0] if shared.prizes else _("Took part")), lines + list(shared.prizes[1:])


@bp.get("/share/<int:round_id>/<string(maxlength=40):token>")
def share(round_id: int, token: str):
    """The entrant's shared result: public name, score, rank and prize, with its Open Graph tags."""
    _user_id, shared = _shared_or_abort(round_id, token)
    headline, lines = _headline(shared)
    return render_template("prizes/share.html", shared=shared, headline=headline, lines=lines,
                           image_url=url_for("prizes_pages.share_image", round_id=round_id, token=token,
                                             _external=True),
                           page_url=url_for("prizes_pages.share", round_id=round_id, token=token, _external=True))


@bp.get("/share/<int:round_id>/<string(maxlength=40):token>/image.png")
def share_image(round_id: int, token: str):
    """The share page's Open Graph image (PNG, in Vietnamese), drawn once per results and prize version."""
    user_id, shared = _shared_or_abort(round_id, token)
    with force_locale("vi"):
        headline, lines = _headline(shared)
    path = og_image(shared, headline=headline, lines=lines, user_id=user_id,
                    cache=Path(current_app.instance_path) / "share-images")
    return send_file(path, mimetype="image/png", max_age=3600)
