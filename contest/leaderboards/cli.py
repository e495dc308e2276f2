"""``flask boards rebuild [ROUND_ID] [--contest ID]``: rebuild boards from the database."""

from __future__ import annotations

import time

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import select

from contest.access.permissions import Action, cli_requires
from contest.extensions import db
from contest.leaderboards.runtime import leaderboards
from contest.rounds.models import Contest, Round

boards_cli = AppGroup("boards", help="Leaderboards.")


@boards_cli.command("rebuild")
@cli_requires(Action.ROUND_MANAGE)
@click.argument("round_id", type=int, required=False)
@click.option("--contest", "contest_id", type=int, default=None, help="Rebuild this contest's board too.")
def rebuild(round_id: int | None, contest_id: int | None) -> None:
    """Rebuild a round's boards (every unit at every level) from stored attempts; without ROUND_ID, every
    round's and every contest's."""
    boards = leaderboards(current_app)
    if round_id is not None and db.session.get(Round, round_id) is None:
        raise click.ClickException(f"there is no round {round_id}")
    round_ids = [round_id] if round_id is not None else list(db.session.scalars(select(Round.id)))
    contest_ids = [contest_id] if contest_id is not None else (
        [] if round_id is not None else list(db.session.scalars(select(Contest.id))))
    for rid in round_ids:
        started = time.perf_counter()
        count = boards.rebuild_round(db.session, rid)
        click.echo(f"round {rid}: {count} entrants ranked in {time.perf_counter() - started:.1f} s")
    for cid in contest_ids:
        started = time.perf_counter()
        count = boards.rebuild_contest(db.session, cid)
        boards.public_contest_changed(db.session, cid)  # the public's board too, while a round is cut
        click.echo(f"contest {cid}: {count} entrants ranked in {time.perf_counter() - started:.1f} s")
