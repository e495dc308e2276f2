"""The prize committee's export of a round's latest prizes (CSV or XLSX): each prize, its winner's full name and
unit path, rank and score, and (for contest-level staff, who reach and verify winners: ``may_see_personal_data``)
phone, email, citizen ID and birth date. A unit organiser gets their subtree's prizes without contacts. Scoped and
audited here, in the service; each export with contacts is a disclosure (``contest.privacy.disclosure``). The
file is small (the prizes only), so it is written in the request. Headers are this module's own."""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from contest.access.permissions import Action, can, unit_ids, unit_scope
from contest.accounts.models import User
from contest.audit.service import record as audit
from contest.errors import DomainError
from contest.leaderboards.exports.rows import unit_paths, write_csv, write_xlsx
from contest.privacy.disclosure import may_see_personal_data, record_disclosure
from contest.prizes.labels import prize_label
from contest.prizes.models import PrizeAwardSet
from contest.prizes.service import awards_of, latest_set
from contest.rounds.models import Round
from contest.units.models import Unit

HEADER = ("prize_version", "results_version", "prize_code", "prize", "level", "place", "rank", "entrant_id", "name",
          "unit_code", "unit_path", "score", "value")
CONTACTS = ("phone", "email", "citizen_id", "birth_date")


def prize_rows(session: Session, prize_set: PrizeAwardSet, *, contacts: bool,
               within: frozenset[int] | None) -> Iterator[tuple]:
    """The header, then each award of the set (``within``: only those whose unit is in it)."""
    yield HEADER + (CONTACTS if contacts else ())
    awards = awards_of(session, prize_set.id)
    people = {row.id: row for row in session.execute(
        select(User.id, User.full_name, User.unit_id, User.phone, User.email, User.citizen_id, User.birth_date)
        .where(User.id.in_({a.user_id for a in awards if a.user_id})))}
    paths = unit_paths(session)
    codes = dict(session.execute(select(Unit.id, Unit.code)).all())
    for award in awards:
        person = people.get(award.user_id)
        unit_id = person.unit_id if person else award.unit_id
        if within is not None and unit_id not in within:
            continue
        label = prize_label(award.prize, award.level, paths.get(award.unit_id, "").rpartition(" / ")[2])
        row = (prize_set.version, prize_set.results_version, award.prize, label, award.level, award.place,
               award.rank, award.user_id, person.full_name if person else "", codes.get(unit_id, ""),
               paths.get(unit_id, ""), award.score, award.value)
        if contacts:
            row += ((person.phone or "", person.email or "", person.citizen_id or "",
                     person.birth_date.isoformat() if person.birth_date else "") if person else ("", "", "", ""))
        yield row


def export_prizes(session: Session, actor, *, round_id: int, fmt: str, now: datetime) -> tuple[bytes, str]:
    """The file's bytes and name. Refused (``forbidden``) unless ``actor`` may export the round; scoped to their
    unit subtree; contacts only for ``may_see_personal_data``. Audited as ``prizes.export`` (and a disclosure
    with contacts), committed."""
    round_ = session.get(Round, round_id)
    if round_ is None:
        raise DomainError("not_found", _l("There is no such round."))
    if fmt not in ("csv", "xlsx"):
        raise DomainError("bad_request", _l("There is no such export."))
    if not can(session, actor, Action.ROUND_EXPORT, contest=round_.contest_id):
        raise DomainError("forbidden", _l("You may not export this round."))
    prize_set = latest_set(session, round_id)
    if prize_set is None:
        raise DomainError("conflict", _l("There are no prizes yet: set the rules and publish the results."))
    contacts = may_see_personal_data(actor)
    within = unit_ids(session, unit_scope(actor))
    rows = list(prize_rows(session, prize_set, contacts=contacts, within=within))
    if fmt == "csv":
        text = io.StringIO(newline="")
        write_csv(rows, text)
        data = ("\ufeff" + text.getvalue()).encode("utf-8")
    else:
        out = io.BytesIO()
        write_xlsx(rows, "prizes", out)
        data = out.getvalue()
    audit(session, actor_id=actor.id, action="prizes.export", now=now, target_type="round", target_id=round_id,
          details={"version": prize_set.version, "fmt": fmt, "rows": len(rows) - 1, "contacts": contacts})
    if contacts:
        record_disclosure(session, actor_id=actor.id, what="export.prizes", round_=round_, rows=len(rows) - 1,
                          now=now, details={"fmt": fmt, "prize_version": prize_set.version})
    session.commit()
    return data, f"round-{round_id}-prizes-v{prize_set.version}.{fmt}"
