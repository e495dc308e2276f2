"""Contest and round services: creating, editing and validating them, organisers' contest scopes, and listing
rounds for entrants."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field, replace
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, exists, func, select
from sqlalchemy.orm import Session

from contest.accounts.models import Role, User
from contest.attempts.models import Attempt
from contest.audit import service as audit
from contest.errors import DomainError
from contest.rounds.models import Contest, NameStyle, OrganiserContest, Prediction, Review, Round
from contest.units.models import Unit
from question_bank import key_guard
from question_bank.key_rule import RoundPool
from question_bank.models import Question, Topic
from question_bank.vocabulary import Difficulty

TITLE_MAX = 200
DESCRIPTION_MAX = 5000


@dataclass(frozen=True)
class RoundSpec:
    title: str
    opens_at: datetime
    closes_at: datetime
    time_limit_s: int
    question_count: int
    attempts_allowed: int = 1
    blueprint: list[dict] = field(default_factory=list)  # [{"topic_id", "difficulty", "count"}]
    prediction: Prediction = Prediction.OFF
    review: Review = Review.AFTER_CLOSE
    grace_s: int = 5
    pool_tags: list[str] = field(default_factory=list)  # draw only questions with one of these tags (none: any)

    @classmethod
    def of(cls, round_: Round) -> RoundSpec:
        """The spec of a stored round (to pre-fill its edit form)."""
        return cls(title=round_.title, opens_at=round_.opens_at, closes_at=round_.closes_at,
                   time_limit_s=round_.time_limit_s, question_count=round_.question_count,
                   attempts_allowed=round_.attempts_allowed, blueprint=list(round_.blueprint or []),
                   prediction=round_.prediction, review=round_.review, grace_s=round_.grace_s,
                   pool_tags=list(round_.pool_tags or []))


@dataclass(frozen=True)
class ContestSpec:
    title: str
    description: str = ""
    board_levels: list[str] = field(default_factory=list)  # unit level labels whose boards the contest shows
    name_style: NameStyle = NameStyle.FULL


ROUND_FIELDS = ("title", "opens_at", "closes_at", "time_limit_s", "question_count", "attempts_allowed", "blueprint",
                "prediction", "review", "grace_s", "pool_tags")
POOL_TAGS_MAX, TAG_MAX = 20, 100
CONTEST_FIELDS = ("title", "description", "board_levels", "name_style")


# Contests ---------------------------------------------------------------------------------------------------


def create_contest(session: Session, *, title: str, now: datetime, description: str = "",
                   board_levels: list[str] | None = None, name_style: NameStyle = NameStyle.FULL,
                   actor_id: int | None = None) -> Contest:
    """Validate and store a contest. ``board_levels`` must be level labels present in the unit tree."""
    spec = _valid_contest(session, ContestSpec(title=title, description=description,
                                               board_levels=list(board_levels or []), name_style=name_style))
    contest = Contest(title=spec.title, description=spec.description, board_levels=spec.board_levels,
                      name_style=spec.name_style, created_at=now, created_by_id=actor_id)
    session.add(contest)
    session.flush()
    audit.record(session, actor_id=actor_id, action="contest.created", now=now, target_type="contest",
                 target_id=contest.id, details={"title": contest.title})
    session.commit()
    return contest


def update_contest(session: Session, *, contest_id: int, spec: ContestSpec, now: datetime,
                   actor_id: int | None = None) -> Contest:
    """Change a contest's title, description, board levels or name style (any time: rounds keep their own
    settings). The audit entry lists each changed field with its old and new value."""
    contest = session.get(Contest, contest_id)
    if contest is None:
        raise DomainError("not_found", _l("There is no such contest."))
    spec = _valid_contest(session, spec)
    changes = _apply(contest, spec, CONTEST_FIELDS)
    audit.record(session, actor_id=actor_id, action="contest.updated", now=now, target_type="contest",
                 target_id=contest.id, details={"title": contest.title, "changes": changes})
    session.commit()
    return contest


def _valid_contest(session: Session, spec: ContestSpec) -> ContestSpec:
    errors: dict[str, object] = {}
    title = " ".join(spec.title.split())
    if not title:
        errors["title"] = _l("Enter a title.")
    elif len(title) > TITLE_MAX:
        errors["title"] = _l("The title is longer than %(n)d characters.", n=TITLE_MAX)
    if len(spec.description) > DESCRIPTION_MAX:
        errors["description"] = _l("The description is longer than %(n)d characters.", n=DESCRIPTION_MAX)
    known = set(unit_levels(session))
    unknown = [level for level in spec.board_levels if level not in known]
    if unknown:
        errors["board_levels"] = _l("The unit tree has no level named %(levels)s.", levels=", ".join(unknown))
    if errors:
        raise DomainError("validation", fields=errors)
    levels = list(dict.fromkeys(spec.board_levels))
    return replace(spec, title=title, description=spec.description.strip(), board_levels=levels,
                   name_style=NameStyle(spec.name_style))


def unit_levels(session: Session) -> list[str]:
    """The level labels of the unit tree, from the top down ('Tỉnh', 'Huyện', 'Trường')."""
    rows = session.execute(select(Unit.level, func.min(Unit.depth)).group_by(Unit.level)
                           .order_by(func.min(Unit.depth), Unit.level))
    return [level for level, _depth in rows]


def list_contests(session: Session, *, now: datetime, only: frozenset[int] | None = None) -> list[dict]:
    """Contests, newest first, each with its number of rounds and of rounds open now; ``only`` limits them to
    an organiser's contest scope (None: all)."""
    stmt = (select(Contest, func.count(Round.id),
                   func.count(Round.id).filter(Round.opens_at <= now, Round.closes_at > now))
            .outerjoin(Round, Round.contest_id == Contest.id).group_by(Contest.id)
            .order_by(Contest.created_at.desc(), Contest.id.desc()))
    if only is not None:
        stmt = stmt.where(Contest.id.in_(only))
    return [{"contest": contest, "rounds": rounds, "open": open_now}
            for contest, rounds, open_now in session.execute(stmt)]


# Rounds -----------------------------------------------------------------------------------------------------


def create_round(session: Session, bank, *, contest_id: int, spec: RoundSpec, now: datetime,
                 actor_id: int | None = None) -> Round:
    """Validate ``spec`` (window, limits, a blueprint the active bank can satisfy) and store the round."""
    if session.get(Contest, contest_id) is None:
        raise DomainError("not_found", _l("There is no such contest."))
    spec = _valid_round(session, bank, spec)
    round_ = Round(contest_id=contest_id, created_at=now, **{name: getattr(spec, name) for name in ROUND_FIELDS})
    session.add(round_)
    session.flush()
    audit.record(session, actor_id=actor_id, action="round.created", now=now, target_type="round",
                 target_id=round_.id, details={"contest_id": contest_id, "title": round_.title})
    session.commit()
    return round_


def update_round(session: Session, bank, *, round_id: int, spec: RoundSpec, now: datetime,
                 actor_id: int | None = None) -> Round:
    """Replace the settings of a round that has not opened yet, with the same validation as ``create_round``.

    Refused (``conflict``) once the round has opened or has any attempt: entrants' papers and deadlines were
    made under the old settings. The audit entry lists each changed field with its old and new value.
    """
    round_ = session.get(Round, round_id, with_for_update=True)
    if round_ is None:
        raise DomainError("not_found", _l("There is no such round."))
    if round_.opens_at <= now or session.scalar(select(exists().where(Attempt.round_id == round_id))):
        raise DomainError("conflict", _l("This round has already opened, so it can no longer be changed. "
                                         "Create a new round instead."))
    spec = _valid_round(session, bank, spec)
    changes = _apply(round_, spec, ROUND_FIELDS)
    audit.record(session, actor_id=actor_id, action="round.updated", now=now, target_type="round",
                 target_id=round_.id, details={"contest_id": round_.contest_id, "title": round_.title,
                                               "changes": changes})
    session.commit()
    return round_


def _valid_round(session: Session, bank, spec: RoundSpec) -> RoundSpec:
    """``spec`` with its title tidied and empty blueprint cells dropped; ``DomainError('validation')`` naming
    each bad field (the blueprint's message names every short cell)."""
    spec = replace(spec, title=" ".join(spec.title.split()),
                   blueprint=[dict(cell) for cell in spec.blueprint if cell.get("count") != 0],
                   pool_tags=clean_tags(spec.pool_tags))
    errors = round_problems(spec)
    if not errors:
        short = bank.shortfalls(session, spec.blueprint, spec.question_count, tags=frozenset(spec.pool_tags),
                                opens_at=spec.opens_at)
        if short:
            errors["blueprint"] = "; ".join(str(line) for line in short)
    if errors:
        raise DomainError("validation", fields=errors)
    return spec


def round_problems(spec: RoundSpec) -> dict[str, object]:
    errors: dict[str, object] = {}
    if not spec.title.strip():
        errors["title"] = _l("Enter a title.")
    elif len(spec.title) > TITLE_MAX:
        errors["title"] = _l("The title is longer than %(n)d characters.", n=TITLE_MAX)
    if spec.closes_at <= spec.opens_at:
        errors["closes_at"] = _l("The round must close after it opens.")
    if not 10 <= spec.time_limit_s <= 24 * 3600:
        errors["time_limit_s"] = _l("The time limit must be between 10 seconds and 24 hours.")
    if not 1 <= spec.question_count <= 200:
        errors["question_count"] = _l("A round has between 1 and 200 questions.")
    if not 1 <= spec.attempts_allowed <= 10:
        errors["attempts_allowed"] = _l("Entrants may have between 1 and 10 attempts.")
    if len(spec.pool_tags) > POOL_TAGS_MAX or any(len(tag) > TAG_MAX for tag in spec.pool_tags):
        errors["pool_tags"] = _l("Up to %(n)d tags of at most %(length)d characters each.", n=POOL_TAGS_MAX,
                                 length=TAG_MAX)
    if not 0 <= spec.grace_s <= 60:
        errors["grace_s"] = _l("The grace for answers in transit is between 0 and 60 seconds.")
    if any(not _whole(cell.get("count")) or cell["count"] < 0 for cell in spec.blueprint):
        errors["blueprint"] = _l("Each count in the blueprint is a whole number, 0 or more.")
    elif spec.blueprint and sum(cell["count"] for cell in spec.blueprint) != spec.question_count:
        errors["blueprint"] = _l("The blueprint's counts must add up to the number of questions.")
    return errors


def clean_tags(tags: list[str]) -> list[str]:
    """Tags as the bank stores them (NFC, spaces collapsed), without empties or repeats, in the order given."""
    tidy = (" ".join(unicodedata.normalize("NFC", tag).split()) for tag in tags)
    return list(dict.fromkeys(tag for tag in tidy if tag))


def round_warnings(session: Session, round_: Round, now: datetime) -> list[str]:
    """What the organiser should know about the round's answers before it opens: answers shown right after
    submitting while further attempts remain, and questions shared with another open or upcoming round (their
    answers stay hidden in review until every round that can draw them has closed)."""
    warnings = []
    if round_.review == Review.AFTER_SUBMIT and round_.attempts_allowed > 1:
        warnings.append(str(_l("Entrants see the correct answers after their first attempt and can use them in "
                               "the next ones. Allow one attempt, or show the answers after the round closes.")))
    if round_.review != Review.NEVER:
        shared = key_guard.shared_with(session, RoundPool.of(round_), now)
        if shared:
            warnings.append(str(_l("This round can draw the same questions as %(rounds)s: their answers stay hidden "
                                   "in review until those rounds close. Give each round its own tags to keep "
                                   "their questions apart.", rounds=", ".join(title for _id, title in shared))))
    return warnings


def _whole(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _apply(target, spec, names: tuple[str, ...]) -> dict[str, list]:
    """Copy ``names`` from ``spec`` onto ``target``; ``{name: [old, new]}`` for each that changed."""
    changes = {}
    for name in names:
        old, new = getattr(target, name), getattr(spec, name)
        if old != new:
            changes[name] = [_plain(old), _plain(new)]
            setattr(target, name, new)
    return changes


def _plain(value):
    """A JSON-safe form of a setting, for audit details."""
    if isinstance(value, datetime):
        return value.isoformat()
    return getattr(value, "value", value)


def blueprint_cells(session: Session) -> dict:
    """What the active bank offers the blueprint builder: ``topics`` ``[(id, name)]``, ``difficulties``
    ``[Difficulty]``, ``available`` ``{(topic_id, difficulty value): count}`` and ``total``. One grouped query."""
    rows = session.execute(select(Question.topic_id, Question.difficulty, func.count())
                           .where(Question.active).group_by(Question.topic_id, Question.difficulty))
    available = {(topic_id, Difficulty(difficulty).value): count for topic_id, difficulty, count in rows}
    topics = list(session.execute(select(Topic.id, Topic.name).order_by(Topic.name)))
    return {"topics": [(topic_id, name) for topic_id, name in topics], "difficulties": list(Difficulty),
            "available": available, "total": sum(available.values())}


def list_rounds(session: Session, *, now: datetime, status: str | None = None) -> list[dict]:
    """Rounds for entrants, newest window first: ``[{id, contest_id, contest_title, title, opens_at, …}]``."""
    rows = session.execute(select(Round, Contest.title).join(Contest).order_by(Round.opens_at.desc())).all()
    listed = []
    for round_, contest_title in rows:
        state = round_.status(now)
        if status and state != status:
            continue
        listed.append({
            "id": round_.id, "contest_id": round_.contest_id, "contest_title": contest_title,
            "title": round_.title, "opens_at": round_.opens_at.isoformat(), "closes_at": round_.closes_at.isoformat(),
            "status": state, "time_limit_s": round_.time_limit_s, "question_count": round_.question_count,
            "attempts_allowed": round_.attempts_allowed,
        })
    return listed


# Organisers' contest scopes ---------------------------------------------------------------------------------


def check_contest_ids(session: Session, contest_ids: list[int]) -> dict[str, object]:
    """``{"contests": message}`` when some id names no contest; empty when all exist."""
    wanted = set(contest_ids)
    found = set(session.scalars(select(Contest.id).where(Contest.id.in_(wanted)))) if wanted else set()
    missing = sorted(wanted - found)
    if missing:
        return {"contests": _l("There is no contest with id %(ids)s.", ids=", ".join(map(str, missing)))}
    return {}


def set_organiser_contests(session: Session, *, user_id: int, contest_ids: list[int], now: datetime,
                           actor_id: int | None = None) -> None:
    """Limit an organiser to ``contest_ids`` (empty: every contest). Admins cannot be limited."""
    user = session.get(User, user_id)
    if user is None or user.role != Role.ORGANISER:
        raise DomainError("not_found", _l("There is no such organiser."))
    errors = check_contest_ids(session, contest_ids)
    if errors:
        raise DomainError("validation", fields=errors)
    before = sorted(session.scalars(select(OrganiserContest.contest_id).where(OrganiserContest.user_id == user_id)))
    after = sorted(set(contest_ids))
    if before == after:
        return
    session.execute(delete(OrganiserContest).where(OrganiserContest.user_id == user_id))
    session.add_all(OrganiserContest(user_id=user_id, contest_id=contest_id) for contest_id in after)
    audit.record(session, actor_id=actor_id, action="account.contest_scope", now=now, target_type="user",
                 target_id=user_id, details={"before": before, "after": after})
    session.commit()
