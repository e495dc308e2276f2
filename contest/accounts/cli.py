"""``flask users create-admin``, ``flask users create-organiser``, ``flask users set-role`` and ``flask users
end-logins``. The commands act as the server's operator, who may do what an admin may."""

from __future__ import annotations

import click
from flask.cli import AppGroup
from sqlalchemy import select

from contest.access.permissions import Action, cli_requires
from contest.accounts import logins, service
from contest.accounts.models import Role, StaffRole, User
from contest.db import utcnow
from contest.errors import DomainError
from contest.extensions import db
from contest.organiser.service import create_organiser, set_staff_role
from contest.realtime.notifier import SocketIONotifier

users = AppGroup("users", help="Manage staff and entrant accounts.")


ROLES = click.Choice([role.value for role in StaffRole])


def fail(error: DomainError) -> None:
    """Print what is wrong, a line per field, and stop with exit code 1."""
    for field, message in (error.fields or {"": error.message}).items():
        click.echo(f"error: {field + ': ' if field else ''}{message}", err=True)
    raise SystemExit(1) from None


def _create(role: Role, email: str, name: str, password: str, scope: str | None,
            contests: tuple[int, ...] = (), staff_role: str = StaffRole.CONTEST.value) -> None:
    try:
        if role == Role.ORGANISER:
            user = create_organiser(db.session, email=email, full_name=name, password=password,
                                    staff_role=StaffRole(staff_role), scope_unit_code=scope,
                                    contest_ids=list(contests), now=utcnow())
        else:
            user = service.create_staff(db.session, role=role, email=email, full_name=name, password=password,
                                        scope_unit_code=scope, now=utcnow())
    except DomainError as error:
        fail(error)
    click.echo(f"created {role.value} {user.email} (id {user.id})")


@users.command("create-admin")
@cli_requires(Action.STAFF)
@click.option("--email", required=True)
@click.option("--name", required=True)
@click.password_option()
def create_admin(email: str, name: str, password: str) -> None:
    """Create an admin, who sees and manages everything."""
    _create(Role.ADMIN, email, name, password, None)


@users.command("create-organiser")
@cli_requires(Action.STAFF)
@click.option("--email", required=True)
@click.option("--name", required=True)
@click.option("--role", "staff_role", type=ROLES, default=StaffRole.CONTEST.value, show_default=True,
              help="contest: contests, rounds and results; bank: the question bank; unit: read-only, one unit.")
@click.option("--unit", "scope", default=None, help="Unit organisers: code of the unit whose subtree they see.")
@click.option("--contest", "contests", type=int, multiple=True,
              help="Id of a contest they manage; repeat for several (default: every contest).")
@click.password_option()
def create_organiser_command(email: str, name: str, password: str, staff_role: str, scope: str | None,
                             contests: tuple[int, ...]) -> None:
    """Create an organiser of a role, optionally limited to chosen contests (and a unit organiser to a unit)."""
    _create(Role.ORGANISER, email, name, password, scope, contests, staff_role)


@users.command("set-role")
@cli_requires(Action.STAFF)
@click.option("--email", required=True)
@click.option("--role", "staff_role", type=ROLES, required=True)
@click.option("--unit", "scope", default=None, help="Unit organisers: code of their unit.")
def set_role_command(email: str, staff_role: str, scope: str | None) -> None:
    """Give an organiser another role (e.g. make a contest organiser a bank editor)."""
    user_id = db.session.scalar(select(User.id).where(User.email == email.strip().lower()))
    try:
        set_staff_role(db.session, user_id=user_id or 0, staff_role=StaffRole(staff_role), scope_unit_code=scope,
                       now=utcnow())
    except DomainError as error:
        fail(error)
    click.echo(f"{email}: {staff_role}")


@users.command("end-logins")
@cli_requires(Action.END_LOGINS)
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
