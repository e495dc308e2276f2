"""Prize rules and award sets: organisers set a contest's or a round's rules (scoped and audited), and each new
published version of a round's results (a correction, a disqualification) computes a new award set version of it,
and of the later rounds of the contest whose winners it may change (one individual prize per entrant per contest).
The computation is ``compute.compute_awards`` (pure); this module reads its inputs and stores its outputs."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from contest.access.permissions import Action, can, unit_scope
from contest.audit.service import record as audit
from contest.errors import DomainError
from contest.leaderboards.models import PublishedResult, PublishedRow
from contest.leaderboards.reads import latest_version
from contest.prizes.compute import Award, RankedRow, UnitInfo, changelog, compute_awards
from contest.prizes.models import PrizeAward, PrizeAwardSet, PrizeRule
from contest.prizes.rules import PrizeRules, checked, from_json
from contest.rounds.models import Contest, Round
from contest.units.models import Unit


def rule_row(session: Session, contest_id: int, round_id: int | None) -> PrizeRule | None:
    return session.scalar(select(PrizeRule).where(PrizeRule.contest_id == contest_id,
                                                  PrizeRule.round_id.is_(None) if round_id is None
                                                  else PrizeRule.round_id == round_id))


def effective_rules(session: Session, round_: Round) -> tuple[PrizeRules, str]:
    """The round's rules and where they come from: ``round`` (its own), ``contest`` or ``none``."""
    own = rule_row(session, round_.contest_id, round_.id)
    if own is not None:
        return from_json(own.rules), "round"
    shared = rule_row(session, round_.contest_id, None)
    if shared is not None:
        return from_json(shared.rules), "contest"
    return PrizeRules(), "none"


def set_rules(session: Session, actor, *, contest_id: int, round_id: int | None, raw: Mapping,
              now: datetime) -> PrizeRules:
    """Set the prize rules of a contest (``round_id`` None) or of one of its rounds, from the form's values, for
    an organiser who may manage it (contest-level staff; never a unit organiser), audited as ``prizes.rules``;
    then recompute the prizes of every published round they change. ``clear`` in ``raw``: a round's own rules go
    and the contest's apply again."""
    contest = session.get(Contest, contest_id)
    round_ = session.get(Round, round_id) if round_id is not None else None
    if contest is None or (round_id is not None and (round_ is None or round_.contest_id != contest_id)):
        raise DomainError("not_found", _l("There is no such round."))
    action = Action.CONTEST_MANAGE if round_id is None else Action.ROUND_MANAGE
    if not can(session, actor, action, contest=contest_id) or unit_scope(actor) is not None:
        raise DomainError("forbidden", _l("You may not set the prizes of this contest."))
    row = rule_row(session, contest_id, round_id)
    before = row.rules if row is not None else None
    if raw.get("clear") and round_id is not None:
        rules, after = None, None
        if row is not None:
            session.delete(row)
    else:
        rules = checked(raw)
        after = rules.to_json()
        if row is None:
            row = PrizeRule(contest_id=contest_id, round_id=round_id)
            session.add(row)
        row.rules, row.updated_at, row.updated_by_id = after, now, actor.id
    audit(session, actor_id=actor.id, action="prizes.rules", now=now,
          target_type="round" if round_id is not None else "contest", target_id=round_id or contest_id,
          details={"contest": contest.title, "round": round_.title if round_ else None, "from": before, "to": after})
    session.commit()
    first = round_ if round_ is not None else None
    recompute(session, contest_id=contest_id, from_round=first, actor_id=actor.id, now=now,
              reason="rules", changed_round=None)
    return rules if rules is not None else effective_rules(session, round_)[0]


def after_publish(session: Session, result: PublishedResult, *, actor_id: int | None, now: datetime) -> None:
    """The publication hook (``results.publish.on_published``): a new award set version of the round from the
    new results version, and of the later rounds whose winners change with it."""
    round_ = session.get(Round, result.round_id)
    recompute(session, contest_id=round_.contest_id, from_round=round_, actor_id=actor_id, now=now,
              reason=f"results v{result.version}", changed_round=round_.id)


def recompute(session: Session, *, contest_id: int, from_round: Round | None, actor_id: int | None, now: datetime,
              reason: str, changed_round: int | None) -> list[PrizeAwardSet]:
    """Recompute the prizes of the contest's published rounds from ``from_round`` on (all: None), in round order,
    each with the entrants who won an individual prize in an earlier round excluded (when its rules say one per
    contest). A round gets a new award set version when its awards, rules or results version changed, or when it
    is ``changed_round`` (its results were just published: every results version has its award set). Audited as
    ``prizes.awarded``, committed."""
    rounds = list(session.scalars(select(Round).where(Round.contest_id == contest_id)
                                  .order_by(Round.opens_at, Round.id)))
    units = unit_infos(session)
    excluded: set[int] = set()
    made = []
    started = from_round is None
    for round_ in rounds:
        started = started or round_.id == from_round.id
        result = latest_version(session, round_.id)
        previous = latest_set(session, round_.id)
        if not started:
            if previous is not None:
                excluded |= {award.user_id for award in awards_of(session, previous.id) if award.user_id}
            continue
        if result is None:
            continue
        rules, _source = effective_rules(session, round_)
        awards = compute_awards(published_rows(session, result.id), rules, units, excluded)
        excluded |= {award.user_id for award in awards if award.individual}
        if previous is None and rules.empty and round_.id != changed_round:
            continue
        before = [as_award(award) for award in awards_of(session, previous.id)] if previous else []
        if (previous is not None and round_.id != changed_round and previous.results_version == result.version
                and previous.rules == rules.to_json() and set(before) == set(awards)):
            continue
        made.append(_store(session, round_, result, rules, awards, before, previous, actor_id=actor_id, now=now,
                           reason=reason))
    session.commit()
    return made


def _store(session: Session, round_: Round, result: PublishedResult, rules: PrizeRules, awards: list[Award],
           before: list[Award], previous: PrizeAwardSet | None, *, actor_id, now, reason) -> PrizeAwardSet:
    changes = changelog(before, awards)
    prize_set = PrizeAwardSet(round_id=round_.id, version=(previous.version if previous else 0) + 1,
                              results_version=result.version, rules=rules.to_json(), reason=reason,
                              changelog=changes, created_at=now, created_by_id=actor_id)
    session.add(prize_set)
    session.flush()
    if awards:
        session.execute(insert(PrizeAward), [
            {"set_id": prize_set.id, "prize": a.prize, "level": a.level, "place": a.place, "user_id": a.user_id,
             "unit_id": a.unit_id, "rank": a.rank, "score": a.score, "value": a.value} for a in awards])
    audit(session, actor_id=actor_id, action="prizes.awarded", now=now, target_type="round", target_id=round_.id,
          details={"round": round_.title, "version": prize_set.version, "results_version": result.version,
                   "reason": reason, "awards": len(awards), "changes": len(changes)})
    return prize_set


def unit_infos(session: Session) -> dict[int, UnitInfo]:
    """Every unit as the prizes need it."""
    return {row.id: UnitInfo(row.id, row.code, row.level,
                             tuple(int(part) for part in row.path.strip("/").split("/") if part), row.member_count)
            for row in session.execute(select(Unit.id, Unit.code, Unit.level, Unit.path, Unit.member_count))}


def published_rows(session: Session, result_id: int) -> list[RankedRow]:
    return [RankedRow(row.rank, row.user_id, row.unit_id, row.score) for row in session.execute(
        select(PublishedRow.rank, PublishedRow.user_id, PublishedRow.unit_id, PublishedRow.score)
        .where(PublishedRow.result_id == result_id).order_by(PublishedRow.rank))]


def latest_set(session: Session, round_id: int) -> PrizeAwardSet | None:
    """The round's latest award set (what every page shows), or None."""
    return session.scalar(select(PrizeAwardSet).where(PrizeAwardSet.round_id == round_id)
                          .order_by(PrizeAwardSet.version.desc()).limit(1))


def award_sets(session: Session, round_id: int) -> list[PrizeAwardSet]:
    """Every award set of the round, the latest first (the changelog's page)."""
    return list(session.scalars(select(PrizeAwardSet).where(PrizeAwardSet.round_id == round_id)
                                .order_by(PrizeAwardSet.version.desc())))


def awards_of(session: Session, set_id: int) -> list[PrizeAward]:
    return list(session.scalars(select(PrizeAward).where(PrizeAward.set_id == set_id).order_by(PrizeAward.id)))


def as_award(row: PrizeAward) -> Award:
    return Award(row.prize, row.level, row.place, row.user_id, row.unit_id, row.rank, row.score, row.value)
