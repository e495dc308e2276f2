"""``flask units import PATH [--dry-run]``."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import AppGroup

from contest.access.permissions import Action, cli_requires
from contest.db import utcnow
from contest.extensions import db
from contest.units.service import import_units
from contest.units.tree_import import ALIASES, REQUIRED, ImportPlan
from question_bank.formats.tabular import TableError, detect_format, read_table

units = AppGroup("units", help="Manage the unit tree.")


def read_unit_file(path: Path):
    return read_table(path.read_bytes(), detect_format(path.name), ALIASES, REQUIRED)


def report(plan: ImportPlan, dry_run: bool) -> None:
    for problem in plan.problems:
        click.echo(f"row {problem.row}, column {problem.column}: {problem.text()}", err=True)
    if not plan.ok:
        click.echo(f"{len(plan.problems)} problem(s); nothing was written.", err=True)
        return
    verb = "would create" if dry_run else "created"
    click.echo(f"{verb} {len(plan.created)}, {'would update' if dry_run else 'updated'} {len(plan.updated)}, "
               f"unchanged {len(plan.unchanged)}")
    if dry_run:
        for code in plan.created:
            click.echo(f"  + {code}")
        for code, fields in plan.updated.items():
            click.echo(f"  ~ {code}: {', '.join(fields)}")


@units.command("import")
@cli_requires(Action.UNITS_EDIT)
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Validate and show what would change, write nothing.")
def import_command(path: Path, dry_run: bool) -> None:
    """Import units from CSV or XLSX (columns ma, ten, cap, ma_cap_tren, so_doan_vien)."""
    try:
        table = read_unit_file(path)
    except TableError as error:
        click.echo(f"error: {error}", err=True)
        raise SystemExit(1) from None
    plan = import_units(db.session, table, now=utcnow(), dry_run=dry_run, source=path.name)
    report(plan, dry_run)
    if not plan.ok:
        raise SystemExit(1)
