"""Who may do what on the organiser side: one table of roles per action, one check (``can``), and the SQL filters
that keep a unit organiser's lists inside their subtree.

Roles: admins do everything. An organiser has one ``StaffRole``:

- ``CONTEST``: contests, rounds, results, freeze/publish/correct, whole-round settings and exports, pausing and
  extending rounds in flight, disqualifications, extra time or attempts, the unit tree (unless limited to chosen
  contests: every contest shares the tree);
- ``BANK``: the question bank (questions, topics, import, export) and item statistics;
- ``UNIT``: read-only, their unit subtree's units, entrants, participation and results;
- ``UNIT_MANAGER``: what ``UNIT`` sees, and keeps their subtree's entrants (fix, deactivate, reset codes, lists,
  disqualify from their contests, extra time or attempts) and units (add, rename, move, end, merge within it).

Scopes: an organiser's contests (``OrganiserContest`` rows; none: every contest) and, for unit organisers, the
subtree of ``User.scope_unit`` (the materialised path: one ``LIKE 'prefix%'`` on the indexed ``units.path``).

Every organiser view is wrapped by ``requires(action)``, which records its action on the view (the URL-map test
checks that every organiser route has one) and answers 403 when ``can`` says no, 404 for a round or contest that
does not exist. The CLI acts as the server's operator, an admin (``OPERATOR``): every ``flask`` command of the
app is wrapped by ``cli_requires(action)``, which records its action on the command (the CLI test checks that every
command has one) and asks ``can`` for ``OPERATOR``.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from datetime import datetime
from functools import wraps

import click
from flask import abort, g
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from sqlalchemy import select, true
from sqlalchemy.orm import Session

from contest.accounts.models import UNIT_ROLES, Role, StaffRole
from contest.units.models import Unit
from contest.units.service import subtree_filter


class Action(enum.StrEnum):
    HOME = "home"
    STAFF = "staff"  # staff accounts and their scopes
    AUDIT = "audit"
    CONTEST_LIST = "contest.list"
    CONTEST_CREATE = "contest.create"
    CONTEST_VIEW = "contest.view"
    CONTEST_MANAGE = "contest.manage"  # edit a contest, its aggregate, create and edit its rounds
    ROUND_VIEW = "round.view"  # results, live monitor, live rankings (a unit organiser: their subtree)
    ROUND_MANAGE = "round.manage"  # freeze, unfreeze, publish, correct, tie-breaks, pause, resume, extend
    ROUND_EXPORT = "round.export"  # ranking, units, answers (a unit organiser: their subtree's rows)
    BANK_VIEW = "bank.view"
    BANK_EDIT = "bank.edit"  # create, edit, (de)activate, import, topics
    BANK_EXPORT = "bank.export"
    BANK_STATS = "bank.stats"  # item statistics of a round
    END_LOGINS = "logins.end"  # end every login of an account (a lost phone, a shared password)
    UNITS_EDIT = "units.edit"  # import the unit tree
    UNITS_VIEW = "units.view"  # browse the unit tree (a unit role: their subtree)
    UNITS_MANAGE = "units.manage"  # add, rename, move, end and merge units (a unit manager: inside their subtree)
    DATA_RETENTION = "data.retention"  # erase or pseudonymise a closed contest's personal data
    DEMO_SEED = "demo.seed"  # load the demo units, bank, contest and accounts
    ENTRANTS_VIEW = "entrants.view"  # search entrants, an entrant's page and attempts (a unit role: their subtree)
    ENTRANTS_MANAGE = "entrants.manage"  # fix name/unit/birth date, (de)activate, give a password reset code
    ENTRANTS_IMPORT = "entrants.import"  # upload a list of students, print their slips
    FAIRPLAY_REVIEW = "fairplay.review"  # the review queue of flagged attempts (a unit role: their subtree's)
    FAIRPLAY_DECIDE = "fairplay.decide"  # compute the signals, clear or confirm a flag, the contest's thresholds
    DISQUALIFY = "entrants.disqualify"  # disqualify from a round or contest, reinstate (their contests, subtree)
    ROUND_ALLOW = "round.allow"  # extra time or an extra attempt for an entrant or a unit (their subtree)


READ_ONLY = frozenset({Action.HOME, Action.CONTEST_LIST, Action.CONTEST_VIEW, Action.ROUND_VIEW,
                       Action.ROUND_EXPORT, Action.ENTRANTS_VIEW, Action.FAIRPLAY_REVIEW, Action.UNITS_VIEW})
RULES: dict[StaffRole, frozenset[Action]] = {
    StaffRole.CONTEST: READ_ONLY | {Action.CONTEST_CREATE, Action.CONTEST_MANAGE, Action.ROUND_MANAGE,
                                    Action.BANK_STATS, Action.DISQUALIFY, Action.ROUND_ALLOW,
                                    Action.FAIRPLAY_DECIDE, Action.UNITS_MANAGE},
    StaffRole.BANK: frozenset({Action.HOME, Action.BANK_VIEW, Action.BANK_EDIT, Action.BANK_EXPORT,
                               Action.BANK_STATS}),
    StaffRole.UNIT: READ_ONLY,
    StaffRole.UNIT_MANAGER: READ_ONLY | {Action.ENTRANTS_MANAGE, Action.ENTRANTS_IMPORT, Action.DISQUALIFY,
                                         Action.ROUND_ALLOW, Action.UNITS_MANAGE},
}
ADMIN_ONLY = frozenset({Action.STAFF, Action.AUDIT, Action.END_LOGINS, Action.UNITS_EDIT, Action.DATA_RETENTION,
                        Action.DEMO_SEED})


class Operator:
    """The principal of ``flask`` commands: whoever runs them on the server administers it."""

    id = None
    role = Role.ADMIN
    organiser_role = None
    scope_unit = None
    scope_unit_id = None
    is_authenticated = True


OPERATOR = Operator()


def contest_ids(session: Session, user) -> frozenset[int] | None:
    """The contests ``user`` works on; None means every contest (admins, and organisers without contest rows)."""
    from contest.rounds.models import OrganiserContest

    if user.role == Role.ADMIN:
        return None
    ids = frozenset(session.scalars(select(OrganiserContest.contest_id).where(OrganiserContest.user_id == user.id)))
    return ids or None


def unit_scope(user) -> Unit | None:
    """The root of the subtree ``user`` is limited to; None: every unit (admins, contest organisers and bank
    editors work on whole rounds)."""
    if user.role == Role.ADMIN or user.organiser_role not in UNIT_ROLES:
        return None
    return user.scope_unit


def role_problems(role: StaffRole, unit_code: str | None) -> dict[str, object]:
    """``{field: message}`` when an organiser of ``role`` cannot have that unit scope: a unit organiser needs one,
    the others work on whole rounds."""
    if role in UNIT_ROLES and not unit_code:
        return {"scope_unit": _l("A unit organiser needs the code of their unit.")}
    if role not in UNIT_ROLES and unit_code:
        return {"scope_unit": _l("Only unit organisers are limited to a unit: leave the unit empty.")}
    return {}


def can(session: Session, user, action: Action, *, contest: int | None = None, unit: Unit | None = None,
        contests=...) -> bool:
    """Whether ``user`` may do ``action`` — on contest id ``contest`` and unit ``unit`` when given. ``contests``:
    ``contest_ids(session, user)`` when the caller has it already."""
    if user is None or not user.is_authenticated or user.role not in (Role.ORGANISER, Role.ADMIN):
        return False
    if user.role == Role.ADMIN:
        return True
    role = user.organiser_role
    if action in ADMIN_ONLY or action not in RULES[role]:
        return False
    if role in UNIT_ROLES and user.scope_unit is None:
        return False  # a unit organiser whose unit was removed sees nothing rather than everything
    scope = contest_ids(session, user) if contests is ... else contests
    if action is Action.CONTEST_CREATE and scope is not None:
        return False  # organisers limited to chosen contests manage those only
    if action is Action.UNITS_MANAGE and scope is not None and role not in UNIT_ROLES:
        return False  # every contest shares the tree: a contest organiser of some contests leaves it as it is
    if contest is not None and scope is not None and contest not in scope:
        return False
    limit = unit_scope(user)
    return unit is None or limit is None or unit.path.startswith(limit.path)


def units_in(scope: Unit | None):
    """A subquery of the unit ids of ``scope``'s subtree, for ``column.in_(...)``; None when unlimited."""
    return select(Unit.id).where(subtree_filter(scope)).scalar_subquery() if scope is not None else None


def entrant_filter(column, scope: Unit | None):
    """A WHERE clause keeping rows whose unit id ``column`` (e.g. ``User.unit_id``) lies in ``scope``'s subtree."""
    ids = units_in(scope)
    return column.in_(ids) if ids is not None else true()


def entrants_attempts(scope: Unit | None):
    """A WHERE clause keeping the attempts of entrants in ``scope``'s subtree (everything when None)."""
    from contest.accounts.models import User
    from contest.attempts.models import Attempt

    if scope is None:
        return true()
    return Attempt.user_id.in_(select(User.id).where(entrant_filter(User.unit_id, scope)))


def unit_ids(session: Session, scope: Unit | None) -> frozenset[int] | None:
    """The unit ids of ``scope``'s subtree (None: unlimited), to keep rows computed in memory (a final ranking,
    unit rankings) inside it."""
    return None if scope is None else frozenset(session.scalars(select(Unit.id).where(subtree_filter(scope))))


def keep_within(session: Session, scope: Unit | None, rows: list, unit_of: Callable = lambda row: row.unit_id) -> list:
    """``rows`` (computed in memory: a final ranking, unit rankings) whose unit lies in ``scope``'s subtree, the
    subtree's ids read in SQL; all of them when ``scope`` is None."""
    ids = unit_ids(session, scope)
    return rows if ids is None else [row for row in rows if unit_of(row) in ids]


def rounds_drawing(session: Session, question, *, now: datetime) -> list[tuple[int, int]]:
    """``(round id, contest id)`` of every round not yet closed that can draw ``question``: a round without a
    blueprint draws from the whole active bank, one with a blueprint from its cells (a missing topic or difficulty
    matches any)."""
    from contest.rounds.models import Round

    drawing = []
    for round_id, contest_id, blueprint in session.execute(
            select(Round.id, Round.contest_id, Round.blueprint).where(Round.closes_at > now)):
        if not blueprint or any(
                cell.get("topic_id") in (None, question.topic_id)
                and cell.get("difficulty") in (None, question.difficulty.value) for cell in blueprint):
            drawing.append((round_id, contest_id))
    return drawing


def may_change_question(session: Session, user, question, *, now: datetime, contests=...) -> bool:
    """Editing or (de)activating a question changes every round that draws it: a bank editor limited to chosen
    contests may do it only when no round of another contest can draw it. ``contests`` as for ``can``."""
    scope = contest_ids(session, user) if contests is ... else contests
    if not can(session, user, Action.BANK_EDIT, contests=scope):
        return False
    return scope is None or all(contest in scope for _round, contest in rounds_drawing(session, question, now=now))


def contest_scope() -> frozenset[int] | None:
    """The contests the current organiser may see and manage; None means every contest."""
    from contest.extensions import db

    if "contest_scope" not in g:
        g.contest_scope = contest_ids(db.session, current_user)
    return g.contest_scope


def current_can(action: Action, *, contest: int | None = None, unit: Unit | None = None) -> bool:
    """``can`` for the logged-in user of this request (what templates call to show a button or not)."""
    from contest.extensions import db

    key = (action, contest, unit.id if unit is not None else None)
    memo = g.setdefault("permissions", {})
    if key not in memo:
        contests = contest_scope() if current_user.is_authenticated and current_user.is_organiser else None
        memo[key] = can(db.session, current_user, action, contest=contest, unit=unit, contests=contests)
    return memo[key]


def current_unit_scope() -> Unit | None:
    return unit_scope(current_user)


def requires(action: Action) -> Callable:
    """Guard an organiser view: logged in (else the login page), ``action`` allowed on the route's round or contest
    (``round_id``/``contest_id``: 404 when it does not exist, 403 when not allowed). Records ``action`` on the view
    as ``permission``."""

    def decorate(view):
        @wraps(view)
        @login_required
        def guarded(*args, **kwargs):
            contest = _route_contest(kwargs)
            if not current_can(action, contest=contest):
                abort(403)
            return view(*args, **kwargs)

        guarded.permission = action
        return guarded

    return decorate


def operator_can(action: Action) -> bool:
    """``can`` for the server's operator (``OPERATOR``), who runs the ``flask`` commands."""
    from contest.extensions import db

    return can(db.session, OPERATOR, action)


def cli_requires(action: Action) -> Callable:
    """Guard a ``flask`` command (put it under ``@group.command(...)``): it runs only when ``operator_can(action)``,
    else it stops with an error and exit code 1. Records ``action`` on the command's callback as ``permission``."""

    def decorate(command):
        @wraps(command)
        def guarded(*args, **kwargs):
            if not operator_can(action):
                raise click.ClickException(f"the operator may not do {action.value}")
            return command(*args, **kwargs)

        guarded.permission = action
        return guarded

    return decorate


def _route_contest(kwargs: dict) -> int | None:
    from contest.extensions import db
    from contest.rounds.models import Contest, Round

    if "round_id" in kwargs:
        contest = db.session.scalar(select(Round.contest_id).where(Round.id == kwargs["round_id"]))
    elif "contest_id" in kwargs:
        contest = db.session.scalar(select(Contest.id).where(Contest.id == kwargs["contest_id"]))
    else:
        return None
    if contest is None:
        abort(404)
    return contest

