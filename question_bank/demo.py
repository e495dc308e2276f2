"""The demo question bank, loaded by ``flask demo seed``."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from sqlalchemy.orm import Session

from question_bank.formats import detect_format, read_questions
from question_bank.importing import import_questions


def seed_demo_bank(session: Session, path: Path, *, now: datetime) -> str:
    """Import the demo file; questions already in the bank are skipped, so seeding twice adds nothing."""
    data = path.read_bytes()
    plan = import_questions(session, read_questions(data, detect_format(path.name, data)), now=now,
                            skip_existing=True, source=f"demo:{path.name}")
    if not plan.ok:
        problems = "; ".join(f"row {p.row}, column {p.column}: {p.text()}" for p in plan.problems)
        raise ValueError(f"the demo question bank has problems: {problems}")
    return f"question bank: {len(plan.questions)} imported, {len(plan.skipped)} already present"
