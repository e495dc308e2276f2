"""``flask users create-admin``, ``flask users create-organiser`` and ``flask users end-logins``."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from contest.accounts import logins, service
from contest.accounts.models import Role
from contest.db import utcnow
from contest.errors import DomainError
from contest.extensions import db
from contest.organiser.service import create_organiser
from contest.realtime.notifier import SocketIONotifier

users = AppGroup("users", help="Manage staff accounts.")


def _create(role: Role, email: str, name: str, password: str, scope: str | None,
            contests: tuple[int, ...] = ()) -> None:
    try:
        if role == Role.ORGANISER:
            user = create_organiser(db.session, email=email, full_name=name, password=password,
                                    scope_unit_code=scope, contest_ids=list(contests), now=utcnow())
        else:
            user = service.create_staff(db.session, role=role, email=email, full_name=name, password=password,
                                        scope_unit_code=scope, now=utcnow())
    except DomainError as error:
        for field, message in (error.fields or {"": error.message}).items():
            click.echo(f"error: {field + ': ' if field else ''}{message}", err=True)
        raise SystemExit(1) from None
    click.echo(f"created {role.value} {user.email} (id {user.id})")


@users.command("create-admin")
@click.option("--email", required=True)
@click.option("--name", required=True)
@click.password_option()
def create_admin(email: str, name: str, password: str) -> None:
    """Create an admin, who sees and manages everything."""
    _create(Role.ADMIN, email, name, password, None)


@users.command("create-organiser")
@click.option("--email", required=True)
@click.option("--name", required=True)
@click.option("--unit", "scope", default=None, help="Code of the unit whose subtree they manage (default: all).")
@click.option("--contest", "contests", type=int, multiple=True,
              help="Id of a contest they manage; repeat for several (default: every contest).")
@click.password_option()
def create_organiser_command(email: str, name: str, password: str, scope: str | None,
                             contests: tuple[int, ...]) -> None:
    """Create an organiser, optionally limited to one unit's subtree and to chosen contests."""
    _create(Role.ORGANISER, email, name, password, scope, contests)


@users.command("end-logins")
@click.argument("login")
def end_logins(login: str) -> None:
    """End every login of the user with this phone or email (a lost phone, a shared password): their cookies
    stop working at once, their open sockets at once with REDIS_URL, else within LOGIN_RECHECK_S."""
    user = service.find_user(db.session, login)
    if user is None:
        click.echo(f"error: no user has the phone or email {login}", err=True)
        raise SystemExit(1)
    count = logins.revoke_logins(db.session, user.id, now=utcnow(), notifier=SocketIONotifier(), actor_id=None)
    click.echo(f"ended {count} logins of user {user.id}")
