"""``flask demo seed [--entrants N]``: idempotent, so it can run at every ``make run``."""

from __future__ import annotations

import random
from datetime import timedelta
from pathlib import Path

import click
from flask.cli import AppGroup
from sqlalchemy import insert, select

from contest.access.permissions import Action, cli_requires
from contest.accounts.models import Role, User
from contest.accounts.passwords import hash_password
from contest.attempts.runtime import runtime
from contest.db import utcnow
from contest.demo.people import demo_people
from contest.extensions import db
from contest.rounds import content
from contest.rounds.models import Contest, Prediction
from contest.rounds.service import RoundSpec, create_contest, create_round
from contest.units.cli import read_unit_file, report
from contest.units.service import import_units, leaf_units
from question_bank.demo import seed_demo_bank

DATA = Path(__file__).resolve().parent / "data"
DEMO_ORGANISER = "admin@example.org"
DEMO_ORGANISER_PASSWORD = "demo-admin-pass"
DEMO_ENTRANT_PASSWORD = "demo-pass"
DEMO_CONTEST = "Tìm hiểu chuyển đổi số (demo)"
DEMO_RULES = """# Đối tượng
Học sinh, sinh viên và đoàn viên thanh niên trong tỉnh.

# Cách thi
- Mỗi tuần một vòng thi gồm 10 câu trắc nghiệm, làm trong 10 phút.
- Mỗi thí sinh có tối đa 3 lượt; lượt có kết quả tốt nhất được tính.
- Xếp hạng theo số câu đúng, rồi theo thời gian làm bài.
"""
DEMO_PRIZES = """- 01 giải Nhất mỗi tuần
- 02 giải Nhì, 03 giải Ba
- Giải tập thể cho trường có tỷ lệ tham gia cao nhất
"""
SEED = 20251127

demo = AppGroup("demo", help="Demo data.")


@demo.command("seed")
@cli_requires(Action.DEMO_SEED)
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
    _seed_contest(now)
    created = seed_entrants(entrants)
    click.echo(f"entrants: {created} created, {entrants} in the demo")


def _seed_bank() -> None:
    click.echo(seed_demo_bank(db.session, DATA / "demo_question_bank.xlsx", now=utcnow()))


def _seed_contest(now) -> None:
    """A contest whose first round is open from now for 7 days: 10 questions, 10 minutes, 3 attempts."""
    if db.session.scalar(select(Contest.id).where(Contest.title == DEMO_CONTEST)):
        return
    contest = create_contest(db.session, title=DEMO_CONTEST, now=now, board_levels=["Huyện/Thành phố", "Trường"],
                             description="Cuộc thi trực tuyến tìm hiểu về chuyển đổi số (dữ liệu mẫu).")
    spec = RoundSpec(title="Tuần 1", opens_at=now, closes_at=now + timedelta(days=7), time_limit_s=600,
                     question_count=10, attempts_allowed=3, prediction=Prediction.FULL_MARKS)
    round_ = create_round(db.session, runtime().bank, contest_id=contest.id, spec=spec, now=now)
    _seed_home(contest.id, now)
    click.echo(f"contest {contest.id} with round {round_.id} open until {round_.closes_at:%Y-%m-%d %H:%M} UTC")


def _seed_home(contest_id: int, now) -> None:
    """The demo contest's rules, prizes and a news post, as the demo admin writes them."""
    admin = db.session.scalar(select(User).where(User.email == DEMO_ORGANISER))
    content.save_texts(db.session, admin, contest_id=contest_id, now=now, rules=DEMO_RULES, prizes=DEMO_PRIZES)
    content.save_news(db.session, admin, contest_id=contest_id, now=now, published_at=now,
                      title="Khai mạc cuộc thi", body="Tuần 1 đã mở: mỗi thí sinh có **3 lượt** thi, 10 phút mỗi lượt.")


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
