"""Fair-play signals at a national round's size (issue 14): computing them for 100,000 attempts must take under a
minute on this machine.

    .venv/bin/python -m bench.fairplay_signals [--attempts 100000] [--database-url sqlite:////tmp/fp.sqlite3]
                                              [--keep]

Builds a scratch database (a SQLite file by default; a PostgreSQL URL works too and its tables are dropped after)
holding one contest whose round has about ``--attempts`` attempts of 20 answers each, from the population of
``bench.fairplay_population`` (human-like entrants and bot farms, with their devices, addresses and registrations),
then times ``contest.fairplay.scan.contest_summaries`` (every read and every signal) and prints the figures as
JSON, with the precision and recall of the flags on that population.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import tempfile
import time
from datetime import UTC, datetime, timedelta

from sqlalchemy import create_engine, insert
from sqlalchemy.orm import Session

from bench.fairplay_population import QUESTIONS, T0, population, precision_recall

CHUNK = 20_000


def at(epoch: float) -> datetime:
    return datetime.fromtimestamp(epoch, UTC)


def build(engine, attempts: int, rng: random.Random) -> tuple[int, set[int], int]:
    """Fill the database; returns the contest id, the ids of the bots' attempts and the answers written."""
    import contest.models  # noqa: F401  every table, for create_all
    from contest.accounts.models import User
    from contest.attempts.models import Answer, Attempt, AttemptDevice, Status
    from contest.extensions import db
    from contest.rounds.models import Contest, Round
    from question_bank.models import Question, QuestionRevision, Topic
    from question_bank.vocabulary import Difficulty, QuestionType

    db.metadata.create_all(engine)
    humans = int(attempts / 1.24)
    pop = population(rng, humans_count=humans, bots=attempts - int(humans * 1.2))
    with Session(engine) as session:
        now = at(T0)
        contest_row = Contest(title="Bench fair play", created_at=now)
        round_ = Round(contest=contest_row, title="Tuần 1", opens_at=now, closes_at=now + timedelta(days=7),
                       time_limit_s=1800, question_count=QUESTIONS, attempts_allowed=2, grace_s=5, created_at=now)
        topic = Topic(name="Bench")
        session.add_all([contest_row, round_, topic])
        session.flush()
        for question_id, chars in pop.bank.items():
            session.add(Question(id=question_id, topic_id=topic.id, difficulty=Difficulty.RECOGNITION,
                                 type=QuestionType.SINGLE, content_key=f"k{question_id}", created_at=now,
                                 updated_at=now))
            session.add(QuestionRevision(id=question_id, question_id=question_id, number=1, text="x" * (chars - 40),
                                         options=[{"key": k, "text": "y" * 10} for k in "ABCD"], correct=["B"],
                                         created_at=now))
        session.flush()
        session.execute(insert(User), [
            {"id": user_id, "full_name": f"Entrant {user_id}", "name_key": f"entrant {user_id}",
             "password_hash": "x", "active": True, "created_at": at(registered), "registered_address": address,
             "role": "entrant"} for user_id, address, registered in pop.registrations])
        session.commit()
        round_id, contest_id = round_.id, contest_row.id
        rows, devices, answers = [], [], []
        written = 0
        for sim in pop.attempts:
            rows.append({"id": sim.attempt_id, "round_id": round_id, "user_id": sim.user_id,
                         "number": 0, "status": Status.SUBMITTED,  # numbered in _flush
                         "paper": [{"q": q, "rev": q, "opts": ["A", "B", "C", "D"]} for q, _chars in sim.papers],
                         "started_at": at(sim.started_at), "deadline": at(sim.started_at + 1800),
                         "finished_at": at(sim.started_at + sim.duration_s), "score": sim.score,
                         "max_score": QUESTIONS, "duration_ms": int(sim.duration_s * 1000), "device_id": sim.device,
                         "device_changes": 0})
            devices.append({"attempt_id": sim.attempt_id, "device_id": sim.device, "at": at(sim.started_at),
                            "took_over": False, "agent": "Android Chrome", "address": sim.address})
            for slot, answer in enumerate(sim.answers):
                answers.append({"attempt_id": sim.attempt_id, "slot": slot, "choice": [answer.choice], "seq": slot + 1,
                                "answered_at": at(answer.at), "via": "ws"})
            if len(answers) >= CHUNK:
                written += _flush(session, Attempt, AttemptDevice, Answer, rows, devices, answers)
        written += _flush(session, Attempt, AttemptDevice, Answer, rows, devices, answers)
    return contest_id, {sim.attempt_id for sim in pop.attempts if sim.bot}, written


def _flush(session, Attempt, AttemptDevice, Answer, rows, devices, answers) -> int:  # noqa: N803 (the models)
    """Write what is collected; attempts are numbered per entrant in order, as the unique constraint wants."""
    numbers: dict[int, int] = {}
    for row in rows:
        numbers[row["user_id"]] = numbers.get(row["user_id"], session.info.setdefault("numbers", {}).get(
            row["user_id"], 0)) + 1
        row["number"] = numbers[row["user_id"]]
    session.info["numbers"].update(numbers)
    if rows:
        session.execute(insert(Attempt), rows)
        session.execute(insert(AttemptDevice), devices)
    written = len(answers)
    if answers:
        session.execute(insert(Answer), answers)
    session.commit()
    rows.clear()
    devices.clear()
    answers.clear()
    return written


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--attempts", type=int, default=100_000)
    parser.add_argument("--database-url", default=None, help="default: a SQLite file in a scratch directory")
    parser.add_argument("--seed", type=int, default=14)
    parser.add_argument("--keep", action="store_true", help="keep the SQLite file (its path is printed)")
    args = parser.parse_args(argv)
    from contest import create_app
    from contest.config import database_uri
    from contest.fairplay.scan import contest_summaries
    from contest.fairplay.signals import Thresholds, flagged

    scratch = tempfile.mkdtemp(prefix="fairplay-bench-")
    url = database_uri(args.database_url or f"sqlite:///{os.path.join(scratch, 'fairplay.sqlite3')}")
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench", "REDIS_URL": None, "TESTING": True})
    engine = create_engine(url)
    started = time.perf_counter()
    with app.app_context():
        contest_id, bots, answers = build(engine, args.attempts, random.Random(args.seed))
        built_s = time.perf_counter() - started
        th = Thresholds()
        with Session(engine) as session:
            started, cpu = time.perf_counter(), time.process_time()
            summaries = contest_summaries(session, contest_id, now=at(T0 + 30 * 86400), th=th)
            compute_s, compute_cpu_s = time.perf_counter() - started, time.process_time() - cpu
        marked = {summary.attempt_id for summary in summaries if flagged(summary.findings, th)}
        precision, recall = precision_recall(marked, bots, len(summaries))
        if engine.dialect.name == "postgresql" and not args.keep:
            from contest.extensions import db

            db.metadata.drop_all(engine)
    engine.dispose()
    if not args.keep:
        shutil.rmtree(scratch, ignore_errors=True)
    print(json.dumps({
        "database": engine.dialect.name, "attempts": len(summaries), "answers": answers, "bots": len(bots),
        "build_s": round(built_s, 1), "compute_s": round(compute_s, 1),
        "compute_cpu_s": round(compute_cpu_s, 1), "flagged": len(marked),
        "precision": round(precision, 4), "recall": round(recall, 4), "cpus": os.cpu_count(),
        "load_1min": round(os.getloadavg()[0], 2), "file": url if args.keep else None,
    }, indent=2))


if __name__ == "__main__":
    main()
