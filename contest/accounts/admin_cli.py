"""``flask users search``, ``set-unit``, ``deactivate``, ``reset-code`` and ``disqualify``: the entrant
administration of the organiser pages from the command line, as the server's operator (every unit), audited the
same way."""

from __future__ import annotations

import click
from flask import current_app

from contest.access.permissions import OPERATOR, Action, cli_requires
from contest.accounts import admin_service
from contest.accounts.cli import fail, users
from contest.accounts.service import find_user
from contest.db import utcnow
from contest.errors import DomainError
from contest.extensions import db
from contest.leaderboards.results import disqualify as service
from contest.leaderboards.runtime import extension
from contest.realtime.notifier import SocketIONotifier


def _entrant(login: str):
    user = find_user(db.session, login)
    if user is None:
        raise click.ClickException(f"no user has the phone or email {login}")
    return user


def _apply(change):
    """``change()``'s result; a ``DomainError`` is printed, a line per field, and ends the command with code 1."""
    try:
        return change()
    except DomainError as error:
        fail(error)


@users.command("search")
@cli_requires(Action.ENTRANTS_VIEW)
@click.argument("query")
@click.option("--page", type=int, default=1, show_default=True)
def search(query: str, page: int) -> None:
    """Entrants by name or unit (accents and case do not matter), phone or CCCD: one tab-separated line each."""
    found = admin_service.search_entrants(db.session, query, scope=None, page=page)
    for user in found.entrants:
        click.echo("\t".join([str(user.id), user.full_name, user.phone or "", user.unit.code if user.unit else "",
                              "active" if user.active else "deactivated"]))
    click.echo(f"{found.total} entrants (page {found.page} of {found.pages})", err=True)


@users.command("set-unit")
@cli_requires(Action.ENTRANTS_MANAGE)
@click.argument("login")
@click.argument("unit_code")
def set_unit(login: str, unit_code: str) -> None:
    """Move the entrant with this phone or email to the unit with this code (a leaf unit)."""
    user = _entrant(login)
    _apply(lambda: admin_service.update_entrant(db.session, user.id, full_name=user.full_name,
                                                birth_date=user.birth_date, unit_code=unit_code, scope=None,
                                                now=utcnow(), actor_id=None))
    click.echo(f"user {user.id}: unit {unit_code}")


@users.command("deactivate")
@cli_requires(Action.ENTRANTS_MANAGE)
@click.argument("login")
@click.option("--reactivate", is_flag=True, help="Let the entrant log in again instead.")
def deactivate(login: str, reactivate: bool) -> None:
    """Deactivate an entrant (they cannot log in; every login of theirs ends at once), or ``--reactivate``."""
    user = _entrant(login)
    _apply(lambda: admin_service.set_active(db.session, user.id, active=reactivate, scope=None, now=utcnow(),
                                            actor_id=None, notifier=SocketIONotifier()))
    click.echo(f"user {user.id}: {'active' if reactivate else 'deactivated'}")


@users.command("reset-code")
@cli_requires(Action.ENTRANTS_MANAGE)
@click.argument("login")
def reset_code(login: str) -> None:
    """Print a one-time code with which the entrant sets a new password at /reset (valid RESET_CODE_MINUTES)."""
    user = _entrant(login)
    minutes = int(current_app.config["RESET_CODE_MINUTES"])
    _user, code, expires = _apply(lambda: admin_service.issue_reset_code(
        db.session, user.id, scope=None, now=utcnow(), minutes=minutes, actor_id=None))
    click.echo(f"{code}\t(user {user.id}, valid until {expires.isoformat(timespec='minutes')}; at /reset)")


@users.command("disqualify")
@cli_requires(Action.DISQUALIFY)
@click.argument("login")
@click.option("--round", "round_id", type=int, help="The round to disqualify them from.")
@click.option("--contest", "contest_id", type=int, help="Or the whole contest.")
@click.option("--reason", required=True, help="Why (kept, shown to the entrant, in the changelog of results).")
@click.option("--reinstate", is_flag=True, help="Lift the disqualification instead.")
def disqualify(login: str, round_id: int | None, contest_id: int | None, reason: str, reinstate: bool) -> None:
    """Disqualify the entrant with this phone or email from a round or a whole contest (off the boards at once, a
    new version of published results), or ``--reinstate`` them."""
    user = _entrant(login)
    act = service.reinstate if reinstate else service.disqualify
    _apply(lambda: act(db.session, actor=OPERATOR, entrant_id=user.id, round_id=round_id, contest_id=contest_id,
                       reason=reason, now=utcnow(), boards=extension(current_app).boards))
    where = f"round {round_id}" if round_id is not None else f"contest {contest_id}"
    click.echo(f"user {user.id}: {'reinstated in' if reinstate else 'disqualified from'} {where}")
