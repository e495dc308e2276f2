"""Server CPU per entrant let in at a round's opening, in-process: the Socket.IO connect (its login loaded) and the
``attempt_start`` (a paper drawn and stored), by the in-memory opening (contest.realtime.fast_opening) and by
Flask-SocketIO's handlers, turn by turn on the same app.

    .venv/bin/python -m bench.opening_cost --database-url postgresql://postgres@127.0.0.1:5432/olympiad_opening

The database is emptied and created afresh (a SQLite file in a temporary folder without ``--database-url``). Each
turn lets in ``--entrants`` entrants who have not started: their logins are opened beforehand, outside the clock.
CPU time (``time.process_time``) over entrants, with the test client in the same process, as in
``bench.event_cost``; the database server's own CPU is not in it. Prints one JSON line.
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from pathlib import Path

from sqlalchemy import select

from contest import create_app
from contest.accounts.logins import open_login
from contest.accounts.models import Role, User
from contest.db import utcnow
from contest.extensions import db, socketio
from contest.realtime.fast_opening import SETTING
from contest.realtime.flood import flood_guard


def prepared(database_url: str, entrants: int):
    """An app on an empty database with the demo seeded for ``entrants`` entrants, and a login for each."""
    app = create_app({"SECRET_KEY": "bench", "SQLALCHEMY_DATABASE_URI": database_url, "RATELIMIT_ENABLED": False,
                      "REDIS_URL": None, "WTF_CSRF_ENABLED": False, "OPENING_CONCURRENCY": 10_000})
    with app.app_context():
        db.drop_all()
        db.create_all()
    flood_guard.rate = flood_guard.burst = 1e9
    seeded = app.test_cli_runner().invoke(args=["demo", "seed", "--entrants", str(entrants)])
    if seeded.exit_code:
        raise SystemExit(seeded.output)
    with app.app_context():
        users = list(db.session.scalars(select(User).where(User.role == Role.ENTRANT).order_by(User.id)))
        tokens = [open_login(db.session, user, now=utcnow()) for user in users]
    return app, tokens


def socket_of(app, token: str):
    http = app.test_client()
    with http.session_transaction() as cookie:
        cookie["_user_id"], cookie["_fresh"] = token, True
    return socketio.test_client(app, namespace="/play", flask_test_client=http)


def one_turn(app, tokens: list[str], round_id: int) -> float:
    """CPU seconds to connect and start ``len(tokens)`` entrants; every start must succeed."""
    cpu = time.process_time()
    for token in tokens:
        sock = socket_of(app, token)
        started = sock.emit("attempt_start", {"round_id": round_id}, namespace="/play", callback=True)
        if not started.get("ok") or started["attempt"]["status"] != "in_progress":
            raise SystemExit(f"attempt_start failed: {started}")
    return time.process_time() - cpu


def main(argv: list[str] | None = None) -> None:
    parse = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parse.add_argument("--database-url", help="a disposable database; else SQLite in a temporary folder")
    parse.add_argument("--entrants", type=int, default=200, help="entrants let in per turn")
    parse.add_argument("--rounds", type=int, default=3, help="turns of each path, alternating")
    parse.add_argument("--round-id", type=int, default=1, help="the demo's open round")
    args = parse.parse_args(argv)
    with tempfile.TemporaryDirectory() as directory:
        url = args.database_url or f"sqlite:///{Path(directory)}/bench.sqlite3"
        app, tokens = prepared(url, args.entrants * args.rounds * 2)
        per_entrant: dict[str, list[float]] = {"in_memory": [], "flask": []}
        batches = iter(range(0, len(tokens), args.entrants))
        for _ in range(args.rounds):
            for name, fast in (("in_memory", True), ("flask", False)):
                app.config[SETTING] = fast
                first = next(batches)
                cpu_s = one_turn(app, tokens[first:first + args.entrants], args.round_id)
                per_entrant[name].append(cpu_s / args.entrants * 1e3)
    medians = {name: round(statistics.median(values), 2) for name, values in per_entrant.items()}
    print(json.dumps({
        "entrants_per_turn": args.entrants, "turns": args.rounds, "database": url.split(":")[0],
        "cpu_ms_per_entrant": medians,
        "every_turn_cpu_ms": {name: [round(value, 2) for value in values] for name, values in per_entrant.items()},
    }), flush=True)


if __name__ == "__main__":
    main()
