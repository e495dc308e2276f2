"""``flask data retention --contest ID [--before DATE] [--dry-run] --mode erase|pseudonymise``."""

from __future__ import annotations

from datetime import datetime

import click
from flask import current_app
from flask.cli import AppGroup

from contest.access.permissions import Action, cli_requires
from contest.db import utcnow
from contest.errors import DomainError
from contest.extensions import db
from contest.i18n import CONTEST_TIME_ZONE
from contest.leaderboards.exports.jobs import export_dir
from contest.privacy.retention import MODES, retire_personal_data

data = AppGroup("data", help="Personal data: retention.")


@data.command("retention")
@cli_requires(Action.DATA_RETENTION)
@click.option("--contest", "--season", "contest_id", type=int, required=True,
              help="The contest (the season of rounds) whose entrants' personal data goes.")
@click.option("--mode", type=click.Choice(MODES), required=True,
              help="pseudonymise: name -> 'Thí sinh #id', contacts cleared, birth year kept; erase: nothing kept.")
@click.option("--before", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="Only entrants not active since this day (Vietnam time), e.g. 2026-06-30.")
@click.option("--dry-run", is_flag=True, help="Count, change nothing.")
def retention(contest_id: int, mode: str, before: datetime | None, dry_run: bool) -> None:
    """Erase or pseudonymise the personal data of a closed contest's entrants, keeping results and rankings.
    Refused while a round of the contest is open or upcoming; staff and entrants of another running contest are
    skipped; running it again changes nothing. Audited."""
    try:
        report = retire_personal_data(
            db.session, contest_id=contest_id, mode=mode, now=utcnow(), dry_run=dry_run,
            before=before.replace(tzinfo=CONTEST_TIME_ZONE) if before else None,
            export_directory=export_dir(current_app.instance_path))
    except DomainError as error:
        raise click.ClickException(str(error.message)) from None
    verb = "would change" if dry_run else "changed"
    click.echo(f"contest {contest_id}, {mode}: {verb} {report.changed} entrants; {report.already} already done; "
               f"skipped {report.skipped_staff} staff, {report.skipped_active} in a running contest, "
               f"{report.skipped_recent} active since --before; {report.export_files} export files deleted")
