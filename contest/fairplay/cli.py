"""``flask fairplay scan CONTEST``: compute a contest's fair-play signals and update its review queue (a national
round's 100,000 attempts take under a minute: longer than a web request should, so this is the way for those)."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from contest.access.permissions import OPERATOR, Action, cli_requires
from contest.db import utcnow
from contest.errors import DomainError
from contest.extensions import db
from contest.fairplay.review import scan_contest

fairplay_cli = AppGroup("fairplay", help="Fair-play signals and the review queue.")


@fairplay_cli.command("scan")
@click.argument("contest_id", type=int)
@cli_requires(Action.FAIRPLAY_DECIDE)
def scan(contest_id: int) -> None:
    """Compute the signals of CONTEST_ID's attempts and bring its review queue up to date (audited)."""
    try:
        report = scan_contest(db.session, OPERATOR, contest_id, now=utcnow())
    except DomainError as error:
        raise click.ClickException(str(error.message)) from None
    click.echo(f"{report.attempts} attempts, {report.flagged} flagged ({report.new} new)")
