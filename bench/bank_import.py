"""Time importing a 10,000-question bank (XLSX and CSV) into a fresh SQLite database.

    .venv/bin/python -m bench.bank_import [--questions 10000]

Prints, per format: reading the file, validating (dry run) and the whole import (read + validate + write).
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from pathlib import Path

from contest import create_app
from contest.db import utcnow
from contest.extensions import db
from question_bank.formats import read_questions, write_questions
from question_bank.formats.model import BankQuestion, Option
from question_bank.importing import import_questions
from question_bank.vocabulary import Difficulty

WORDS = ("chuyển đổi số", "dịch vụ công", "trực tuyến", "Đoàn thanh niên", "nghị quyết", "tỉnh", "kỹ năng", "an toàn",
         "thông tin", "dữ liệu", "công dân", "ứng dụng", "chính quyền số", "kinh tế số", "xã hội số", "mật khẩu")
TOPICS = ("Chuyển đổi số", "Kỹ năng số", "Dịch vụ công trực tuyến", "Lịch sử Đảng và Đoàn", "Pháp luật")


def generated_bank(count: int, rng: random.Random) -> list[BankQuestion]:
    questions = []
    for number in range(1, count + 1):
        stem = " ".join(rng.choice(WORDS) for _ in range(12))
        options = tuple(Option(key, f"{' '.join(rng.choice(WORDS) for _ in range(4))} ({key}{number})")
                        for key in "ABCD")
        questions.append(BankQuestion(
            text=f"Câu {number}: {stem}?", options=options, correct=(rng.choice("ABCD"),), topic=rng.choice(TOPICS),
            difficulty=rng.choice(list(Difficulty)), explanation=" ".join(rng.choice(WORDS) for _ in range(8)),
        ))
    return questions


def timed(action):
    start = time.perf_counter()
    result = action()
    return result, time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--questions", type=int, default=10_000)
    args = parser.parse_args()
    bank = generated_bank(args.questions, random.Random(20251127))
    with tempfile.TemporaryDirectory() as folder:
        for fmt in ("xlsx", "csv"):
            data, write_s = timed(lambda fmt=fmt: write_questions(bank, fmt))
            url = f"sqlite:///{Path(folder) / f'{fmt}.sqlite3'}"
            app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench", "RATELIMIT_ENABLED": False})
            with app.app_context():
                db.create_all()
                read, read_s = timed(lambda fmt=fmt, data=data: read_questions(data, fmt))
                dry, dry_s = timed(lambda read=read: import_questions(db.session, read, now=utcnow(), dry_run=True))
                plan, import_s = timed(lambda fmt=fmt, data=data: import_questions(
                    db.session, read_questions(data, fmt), now=utcnow()))
                assert dry.ok and plan.ok and len(plan.questions) == args.questions, plan.problems[:3]
                db.engine.dispose()
            print(f"{fmt}: {args.questions} questions, {len(data) / 1e6:.1f} MB; export {write_s:.2f} s, "
                  f"read {read_s:.2f} s, validate (dry run) {dry_s:.2f} s, "
                  f"full import (read + validate + write) {import_s:.2f} s = {args.questions / import_s:,.0f} q/s")


if __name__ == "__main__":
    main()
