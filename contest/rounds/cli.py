"""``flask contest create``, ``flask contest add-round``, ``flask contest list``."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import click
from flask.cli import AppGroup

from contest.access.permissions import Action, cli_requires
from contest.attempts.runtime import runtime
from contest.db import utcnow
from contest.errors import DomainError
from contest.extensions import db
from contest.rounds.models import NameStyle, Prediction, Review
from contest.rounds.service import RoundSpec, create_contest, create_round, list_rounds

contest_cli = AppGroup("contest", help="Contests and rounds.")


def fail(error: DomainError) -> None:
    for field, message in (error.fields or {"": error.message}).items():
        click.echo(f"error: {field + ': ' if field else ''}{message}", err=True)
    raise SystemExit(1)


def parse_blueprint(text: str) -> list[dict]:
    """'3:NB:4,3:TH:6' -> [{"topic_id": 3, "difficulty": "NB", "count": 4}, …] (topic id, difficulty, count)."""
    cells = []
    for part in filter(None, (p.strip() for p in text.split(","))):
        try:
            topic, difficulty, count = part.split(":")
            cells.append({"topic_id": int(topic) if topic else None, "difficulty": difficulty or None,
                          "count": int(count)})
        except ValueError:
            raise click.BadParameter(f"{part!r} is not TOPIC_ID:DIFFICULTY:COUNT") from None
    return cells


@contest_cli.command("create")
@cli_requires(Action.CONTEST_CREATE)
@click.option("--title", required=True)
@click.option("--description", default="")
@click.option("--levels", default="", help="Unit levels shown on boards, comma-separated (e.g. 'Tỉnh,Trường').")
@click.option("--names", type=click.Choice([s.value for s in NameStyle]), default="full",
              help="How names appear on public boards.")
def create(title: str, description: str, levels: str, names: str) -> None:
    """Create a contest."""
    try:
        contest = create_contest(db.session, title=title, description=description, now=utcnow(),
                                 board_levels=[lv.strip() for lv in levels.split(",") if lv.strip()],
                                 name_style=NameStyle(names))
    except DomainError as error:
        fail(error)
    click.echo(f"created contest {contest.id}: {contest.title}")


@contest_cli.command("add-round")
@cli_requires(Action.CONTEST_MANAGE)
@click.argument("contest_id", type=int)
@click.option("--title", required=True)
@click.option("--opens", type=click.DateTime(), default=None, help="UTC; default now.")
@click.option("--closes", type=click.DateTime(), default=None, help="UTC; default --days after opening.")
@click.option("--days", type=float, default=7.0, show_default=True)
@click.option("--time-limit", "minutes", type=float, default=10, show_default=True, help="Minutes per attempt.")
@click.option("--questions", type=int, default=10, show_default=True)
@click.option("--attempts", type=int, default=1, show_default=True)
@click.option("--blueprint", default="", help="TOPIC_ID:DIFFICULTY:COUNT,… (empty: the whole active bank).")
@click.option("--prediction", type=click.Choice([p.value for p in Prediction]), default="off", show_default=True)
@click.option("--review", type=click.Choice([r.value for r in Review]), default="after_close", show_default=True)
@click.option("--grace", type=int, default=5, show_default=True, help="Seconds allowed for answers in transit.")
def add_round(contest_id: int, title: str, opens: datetime | None, closes: datetime | None, days: float,
              minutes: float, questions: int, attempts: int, blueprint: str, prediction: str, review: str,
              grace: int) -> None:
    """Add a round to a contest."""
    opens_at = opens.replace(tzinfo=UTC) if opens else utcnow()
    closes_at = closes.replace(tzinfo=UTC) if closes else opens_at + timedelta(days=days)
    spec = RoundSpec(title=title, opens_at=opens_at, closes_at=closes_at, time_limit_s=round(minutes * 60),
                     question_count=questions, attempts_allowed=attempts, blueprint=parse_blueprint(blueprint),
                     prediction=Prediction(prediction), review=Review(review), grace_s=grace)
    try:
        round_ = create_round(db.session, runtime().bank, contest_id=contest_id, spec=spec, now=utcnow())
    except DomainError as error:
        fail(error)
    click.echo(f"created round {round_.id}: {round_.title}, open {opens_at:%Y-%m-%d %H:%M} – "
               f"{closes_at:%Y-%m-%d %H:%M} UTC")


@contest_cli.command("list")
@cli_requires(Action.CONTEST_LIST)
def list_command() -> None:
    """List rounds with their status."""
    for item in list_rounds(db.session, now=utcnow()):
        click.echo(f"{item['id']:>4}  {item['status']:<8}  {item['contest_title']} / {item['title']}  "
                   f"({item['question_count']} questions, {item['time_limit_s'] // 60} min, "
                   f"{item['attempts_allowed']} attempts)")
