"""Leaderboard benchmark (issue 5): the Redis store at 1,000,000 ranked entrants, and ``flask boards rebuild``.

    .venv/bin/python -m bench.boards [--entrants 1000000] [--samples 5000] [--redis-url redis://127.0.0.1:6379/15]
                                     [--database-url postgresql://postgres@127.0.0.1:5432/postgres] [--attempts N]

1. Redis: 1,000,000 entrants across 700 schools in 140 districts of 67 provinces (each entrant on four boards:
   everyone, province, district, school), loaded pipelined; then p50/p99 of recording a result (Lua, keeps the
   better), top 100 of everyone and of a province, one entrant's rank, and a whole public query (top 100 + rank).
2. Rebuild: a scratch PostgreSQL database (created and dropped here) holding ``--attempts`` attempts (default
   1,000,000, several per entrant) generated server-side with ``generate_series``; the time of
   ``Leaderboards.rebuild_round`` and of the ``flask boards rebuild ROUND`` command, from stream to Redis.
Keys live under a fresh prefix and are deleted at the end; ``--skip-rebuild`` or ``--skip-redis`` run one part.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import time
import uuid
from datetime import UTC, datetime

from bench.servers import REPO
from bench.stats import latency_summary

PROVINCES, DISTRICTS, SCHOOLS = 67, 140, 700
T0 = 1_760_000_000_000  # epoch ms of the bench round's submissions


def unit_chain(school: int) -> tuple[int, int, int]:
    """Ids (province, district, school) of school number ``school``; provinces 1…67, districts 1001…, schools 10001…"""
    district = school % DISTRICTS
    return 1 + district % PROVINCES, 1001 + district, 10001 + school


def timed(samples: list[float], fn, *args):
    started = time.perf_counter()
    value = fn(*args)
    samples.append((time.perf_counter() - started) * 1000)
    return value


def bench_redis(url: str, entrants: int, samples: int) -> dict:
    from contest.leaderboards.keys.encoding import encode
    from contest.leaderboards.keys.ranking import Ranking, Result
    from contest.leaderboards.stores.interface import Placement
    from contest.leaderboards.stores.redis_store import RedisStore

    store = RedisStore.from_url(url, prefix=f"bench-lb-{uuid.uuid4().hex[:8]}:")
    live, rng = Ranking(), random.Random(5)
    memory_before = store.redis.info("memory")["used_memory"]

    def result(entrant: int) -> Result:
        # 30 questions, full marks common (a huge tie), durations in whole seconds to make ties on them too.
        score = 30 if rng.random() < 0.4 else rng.randint(0, 29)
        return Result(entrant, entrant, score, rng.randint(30, 600) * 1000, T0 + rng.randint(0, 7 * 86_400_000))

    try:
        started = time.perf_counter()
        loaded = store.load("r1", (Placement(e, encode(live, result(e)), unit_chain(e % SCHOOLS))
                                   for e in range(1, entrants + 1)))
        fill_s = time.perf_counter() - started
        memory = store.redis.info("memory")["used_memory"] - memory_before
        record, top_all, top_province, rank, query = [], [], [], [], []
        for _ in range(samples):
            entrant = rng.randint(1, entrants)
            timed(record, store.record, "r1", Placement(entrant, encode(live, result(entrant)),
                                                        unit_chain(entrant % SCHOOLS)))
        for _ in range(samples):
            entrant = rng.randint(1, entrants)
            timed(top_all, store.top, "r1", None, 0, 100)
            timed(top_province, store.top, "r1", rng.randint(1, PROVINCES), 0, 100)
            timed(rank, store.rank, "r1", None, entrant)
            started = time.perf_counter()
            store.top("r1", None, 0, 100)
            store.rank("r1", None, entrant)
            store.count("r1", None)
            query.append((time.perf_counter() - started) * 1000)
        return {
            "entrants": loaded, "fill_s": round(fill_s, 1), "redis_memory_mib": round(memory / 2**20),
            "record_ms": latency_summary(record), "top100_all_ms": latency_summary(top_all),
            "top100_province_ms": latency_summary(top_province), "rank_ms": latency_summary(rank),
            "top100_rank_count_ms": latency_summary(query),
        }
    finally:
        store.clear("r1")


def scratch_database(base: str) -> str:
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    from contest.config import database_uri

    url = make_url(database_uri(base)).set(database=f"olympiad_bench_{uuid.uuid4().hex[:8]}")
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{url.database}"'))
    admin.dispose()
    return url.render_as_string(hide_password=False)


def drop_database(url: str) -> None:
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    admin = create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{parsed.database}" WITH (FORCE)'))
    admin.dispose()


def fill_database(session, attempts: int, entrants: int) -> int:
    """Units, a contest and a round with the ORM; users and attempts generated by PostgreSQL itself."""
    from sqlalchemy import text

    from contest.rounds.models import Contest, Round
    from contest.units.models import Unit

    now = datetime.now(UTC)
    units = [Unit(id=p, code=f"P{p}", name=f"Tỉnh {p}", level="Tỉnh", path=f"/{p}/", depth=0)
             for p in range(1, PROVINCES + 1)]
    for school in range(SCHOOLS):
        province, district, school_id = unit_chain(school)
        if school < DISTRICTS:
            units.append(Unit(id=district, code=f"D{district}", name=f"Huyện {district}", level="Huyện",
                              parent_id=province, path=f"/{province}/{district}/", depth=1))
        units.append(Unit(id=school_id, code=f"S{school_id}", name=f"Trường {school_id}", level="Trường",
                          parent_id=district, path=f"/{province}/{district}/{school_id}/", depth=2, member_count=2000))
    session.add_all(units)
    session.flush()
    contest = Contest(title="Bench", description="", board_levels=[], created_at=now)
    round_ = Round(contest=contest, title="Bench", opens_at=now, closes_at=now.replace(year=now.year + 1),
                   time_limit_s=900, question_count=30, blueprint=[], created_at=now)
    session.add(round_)
    session.commit()
    session.execute(text("""
        INSERT INTO users (id, role, full_name, unit_id, password_hash, active, created_at)
        SELECT g, 'entrant', 'Thí sinh ' || g, 10001 + (g % :schools), 'x', true, now()
        FROM generate_series(1, :entrants) AS g"""), {"schools": SCHOOLS, "entrants": entrants})
    session.execute(text("""
        INSERT INTO attempts (round_id, user_id, number, status, paper, started_at, deadline, finished_at, score,
                              max_score, duration_ms)
        SELECT :round, 1 + (g - 1) % :entrants, 1 + (g - 1) / :entrants, 'submitted', '[]',
               s, s + interval '15 minutes', s + d * interval '1 millisecond',
               CASE WHEN random() < 0.4 THEN 30 ELSE floor(random() * 30)::int END, 30, d
        FROM (SELECT g, now() - random() * interval '6 days' AS s, 30000 + floor(random() * 570000)::int AS d
              FROM generate_series(1, :attempts) AS g) AS gen"""),
                    {"round": round_.id, "entrants": entrants, "attempts": attempts})
    session.commit()
    session.execute(text("ANALYZE"))
    return round_.id


def bench_rebuild(database_url: str, redis_url: str, attempts: int) -> dict:
    from contest import create_app
    from contest.extensions import db
    from contest.leaderboards.recording import Leaderboards
    from contest.leaderboards.stores.redis_store import RedisStore

    url = scratch_database(database_url)
    prefix = f"bench-lb-{uuid.uuid4().hex[:8]}:"
    store = RedisStore.from_url(redis_url, prefix=prefix)
    entrants = attempts * 7 // 10
    try:
        app = create_app({"SQLALCHEMY_DATABASE_URI": url, "REDIS_URL": None, "SECRET_KEY": "bench"})
        with app.app_context():
            db.create_all()
            started = time.perf_counter()
            round_id = fill_database(db.session, attempts, entrants)
            fill_s = time.perf_counter() - started
            started, cpu = time.perf_counter(), time.process_time()
            ranked = Leaderboards(store).rebuild_round(db.session, round_id)
            rebuild_s, rebuild_cpu_s = time.perf_counter() - started, time.process_time() - cpu
            db.session.remove()
            db.engine.dispose()
        env = {**os.environ, "DATABASE_URL": url, "REDIS_URL": redis_url, "OLYMPIAD_LEADERBOARD_PREFIX": prefix}
        started = time.perf_counter()
        command = subprocess.run([sys.executable, "-m", "flask", "--app", "contest", "boards", "rebuild",
                                  str(round_id)], cwd=REPO, env=env, capture_output=True, text=True, check=True)
        command_s = time.perf_counter() - started
        return {"attempts": attempts, "entrants": entrants, "ranked": ranked, "fill_db_s": round(fill_s, 1),
                "rebuild_round_s": round(rebuild_s, 1), "rebuild_round_python_cpu_s": round(rebuild_cpu_s, 1),
                "flask_boards_rebuild_s": round(command_s, 1),
                "command_output": command.stdout.strip()}
    finally:
        store.clear("r1")
        for key in store.redis.scan_iter(match=prefix + "*", count=1000):
            store.redis.unlink(key)
        drop_database(url)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entrants", type=int, default=1_000_000)
    parser.add_argument("--samples", type=int, default=5000)
    parser.add_argument("--attempts", type=int, default=1_000_000)
    parser.add_argument("--redis-url", default=os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/15"))
    parser.add_argument("--database-url",
                        default=os.environ.get("DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres"))
    parser.add_argument("--skip-redis", action="store_true")
    parser.add_argument("--skip-rebuild", action="store_true")
    args = parser.parse_args(argv)
    report = {"load_average": os.getloadavg()}
    print(json.dumps(report), flush=True)
    if not args.skip_redis:
        report["redis"] = bench_redis(args.redis_url, args.entrants, args.samples)
        print(json.dumps(report["redis"], indent=2), flush=True)
    if not args.skip_rebuild:
        report["rebuild"] = bench_rebuild(args.database_url, args.redis_url, args.attempts)
        print(json.dumps(report["rebuild"], indent=2), flush=True)


if __name__ == "__main__":
    main()
