"""``flask demo seed [--entrants N]``: idempotent, so it can run at every ``make run``."""

from __future__ import annotations

import random
from pathlib import Path

import click
from flask.cli import AppGroup
from sqlalchemy import insert, select

from contest.accounts.models import Role, User
from contest.accounts.passwords import hash_password
from contest.db import utcnow
from contest.demo.people import demo_people
from contest.extensions import db
from contest.units.cli import read_unit_file, report
from contest.units.service import import_units, leaf_units

DATA = Path(__file__).resolve().parent / "data"
DEMO_ORGANISER = "admin@example.org"
DEMO_ORGANISER_PASSWORD = "demo-admin-pass"
DEMO_ENTRANT_PASSWORD = "demo-pass"
SEED = 20251127

demo = AppGroup("demo", help="Demo data.")


@demo.command("seed")
@click.option("--entrants", default=200, show_default=True, help="How many demo entrants to have.")
def seed(entrants: int) -> None:
    """Load the demo units, question bank, organiser and entrants (phones 0900000001…, password demo-pass)."""
    now = utcnow()
    plan = import_units(db.session, read_unit_file(DATA / "demo_units.csv"), now=now, source="demo")
    report(plan, dry_run=False)
    if not plan.ok:
        raise SystemExit(1)
    _seed_bank()
    _seed_organiser()
    created = seed_entrants(entrants)
    click.echo(f"entrants: {created} created, {entrants} in the demo")


def _seed_bank() -> None:
    try:
        from question_bank.demo import seed_demo_bank
    except ImportError:  # the question bank lands in its own issue
        return
    click.echo(seed_demo_bank(db.session, DATA / "demo_question_bank.xlsx", now=utcnow()))


def _seed_organiser() -> None:
    if db.session.scalar(select(User.id).where(User.email == DEMO_ORGANISER)):
        return
    db.session.add(User(role=Role.ADMIN, full_name="Ban tổ chức (demo)", email=DEMO_ORGANISER,
                        password_hash=hash_password(DEMO_ORGANISER_PASSWORD), created_at=utcnow()))
    db.session.commit()
    click.echo(f"organiser {DEMO_ORGANISER} created (password {DEMO_ORGANISER_PASSWORD})")


def seed_entrants(count: int) -> int:
    """Create the missing ones of ``count`` demo entrants, spread round-robin over the leaf units."""
    schools = leaf_units(db.session, limit=100_000)
    people = demo_people(count, random.Random(SEED))
    phones = select(User.phone).where(User.phone.between(people[0].phone, people[-1].phone))
    existing = set(db.session.scalars(phones)) if people else set()
    missing = [person for person in people if person.phone not in existing]
    if not missing:
        return 0
    password_hash = hash_password(DEMO_ENTRANT_PASSWORD)  # once: the same password for everyone
    now = utcnow()
    rows = [
        {"role": Role.ENTRANT, "full_name": person.full_name, "birth_date": person.birth_date,
         "phone": person.phone, "unit_id": schools[int(person.phone) % len(schools)].id,
         "password_hash": password_hash, "created_at": now, "active": True}
        for person in missing
    ]
    for start in range(0, len(rows), 2000):
        db.session.execute(insert(User), rows[start : start + 2000])
    db.session.commit()
    return len(rows)
