"""``flask bank import PATH``, ``flask bank export PATH`` and ``flask bank stats ROUND_ID [PATH] [--refresh]``."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask.cli import AppGroup

from contest.access.permissions import Action, cli_requires
from contest.db import utcnow
from contest.errors import DomainError
from contest.extensions import db
from question_bank.exporting import export_questions
from question_bank.formats import FORMATS, detect_format, read_questions
from question_bank.formats.tabular import TableError
from question_bank.import_plan import Defaults, ImportPlan
from question_bank.importing import import_questions
from question_bank.service import find_topic
from question_bank.stored_stats import export_round_stats, refresh_round_stats
from question_bank.vocabulary import parse_difficulty

bank = AppGroup("bank", help="Import and export the question bank.")
FORMAT_CHOICE = click.Choice(sorted(FORMATS))
PROGRESS_FROM = 500  # questions; smaller imports finish before a bar is worth drawing


def fail(message: str) -> None:
    click.echo(f"error: {message}", err=True)
    raise SystemExit(1)


def describe(plan: ImportPlan, dry_run: bool) -> str:
    verb = "would import" if dry_run else "imported"
    text = f"{verb} {len(plan.questions)} question(s)"
    if plan.skipped:
        text += f", {len(plan.skipped)} already in the bank"
    if plan.new_topics:
        text += f"; new topics: {', '.join(plan.new_topics)}"
    return text


@bank.command("import")
@cli_requires(Action.BANK_EDIT)
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--format", "fmt", type=FORMAT_CHOICE, help="Default: from the file name (.xlsx, .csv, .gift, .txt).")
@click.option("--topic", default="", help="Topic of the rows that name none (Aiken files never do).")
@click.option("--difficulty", default="", help="Difficulty of the rows that name none: NB, TH, VD, VDC or 1-4.")
@click.option("--dry-run", is_flag=True, help="Validate and report, write nothing.")
@click.option("--skip-existing", is_flag=True, help="Skip questions already in the bank instead of refusing them.")
@click.option("--images", "images_path", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="A zip of the pictures the file's hinh_anh, hinh_a … hinh_h columns name.")
def import_command(path: Path, fmt: str | None, topic: str, difficulty: str, dry_run: bool,
                   skip_existing: bool, images_path: Path | None) -> None:
    """Import questions, all or nothing; each bad row is reported as 'row N, column C: reason'."""
    level = parse_difficulty(difficulty) if difficulty else None
    if difficulty and level is None:
        fail(f"unknown difficulty {difficulty}")
    data = path.read_bytes()
    try:
        read = read_questions(data, fmt or detect_format(path.name, data))
    except TableError as error:
        fail(str(error))
    total = len(read.questions)
    with click.progressbar(length=total, label="importing", hidden=total < PROGRESS_FROM, file=sys.stderr) as bar:
        try:
            plan = import_questions(db.session, read, now=utcnow(), dry_run=dry_run, skip_existing=skip_existing,
                                    defaults=Defaults(topic=topic, difficulty=level), source=path.name,
                                    progress=bar.update, images=images_path.read_bytes() if images_path else None)
        except TableError as error:
            fail(str(error))
    for problem in plan.problems:
        click.echo(f"row {problem.row}, column {problem.column}: {problem.text()}", err=True)
    if not plan.ok:
        fail(f"{len(plan.problems)} problem(s); nothing was written.")
    click.echo(describe(plan, dry_run))


@bank.command("export")
@cli_requires(Action.BANK_EXPORT)
@click.argument("path", type=click.Path(dir_okay=False, writable=True, path_type=Path))
@click.option("--format", "fmt", type=FORMAT_CHOICE, help="Default: from the file name.")
@click.option("--topic", default="", help="Only this topic.")
@click.option("--include-inactive", is_flag=True, help="Also deactivated questions.")
def export_command(path: Path, fmt: str | None, topic: str, include_inactive: bool) -> None:
    """Export the current revision of the bank's questions."""
    try:
        fmt = fmt or detect_format(path.name)
    except TableError as error:
        fail(str(error))
    topic_id = None
    if topic:
        found = find_topic(db.session, topic)
        if found is None:
            fail(f"no topic named {topic}")
        topic_id = found.id
    # The command line is the server's operator: every key, as for an admin, and audited the same way.
    data, count, _withheld = export_questions(db.session, fmt, now=utcnow(), topic_id=topic_id,
                                              include_inactive=include_inactive, every_key=True)
    path.write_bytes(data)
    click.echo(f"exported {count} question(s) to {path}")


@bank.command("stats")
@cli_requires(Action.BANK_STATS)
@click.argument("round_id", type=int)
@click.argument("path", type=click.Path(dir_okay=False, writable=True, path_type=Path), required=False)
@click.option("--format", "fmt", type=click.Choice(["csv", "xlsx"]), help="Default: from the file name.")
@click.option("--refresh", is_flag=True, help="Compute the statistics again and store them (else the stored ones).")
def stats_command(round_id: int, path: Path | None, fmt: str | None, refresh: bool) -> None:
    """Item statistics of a round (its submitted and expired attempts): one row per question in PATH.

    The rows stored for the round are written; a round without any is computed and stored first. --refresh
    computes and stores them again (then PATH may be left out)."""
    if path is None and not refresh:
        fail("name a .csv or .xlsx file, or pass --refresh")
    fmt = fmt or (path.suffix.lower().lstrip(".") if path else None)
    if path is not None and fmt not in ("csv", "xlsx"):
        fail("name the file .csv or .xlsx, or pass --format")
    try:
        if refresh:
            count = refresh_round_stats(db.session, round_id, utcnow())
            click.echo(f"statistics of {count} question(s) computed and stored")
        if path is not None:
            data, count = export_round_stats(db.session, round_id, fmt, utcnow())
            path.write_bytes(data)
            click.echo(f"statistics of {count} question(s) written to {path}")
    except DomainError as error:
        fail(f"there is no round {round_id}" if error.code == "not_found" else str(error.message))
