"""Server CPU per ``answer`` event, in-process: the in-memory path (contest.realtime.fast_answer) against the
ordinary Flask-SocketIO path, on the same app, the same attempt and the same client, turn by turn.

    .venv/bin/python -m bench.event_cost --answers 3000 --rounds 5

CPU time (``time.process_time``: every thread of this process) divided by answers
is steadier than wall-clock latency on a shared machine: other work on the box slows both paths' wall time but
hardly what each costs. The client (Flask-SocketIO's test client) runs in the same process, so both figures carry
its cost; their difference is what the Flask request context costs per answer. Prints one JSON line.
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from pathlib import Path

from contest import create_app
from contest.attempts.runtime import EXTENSION
from contest.demo.cli import DEMO_ENTRANT_PASSWORD
from contest.demo.people import demo_phone
from contest.extensions import db, socketio
from contest.realtime.fast_answer import SETTING
from contest.realtime.flood import flood_guard


class NullWriter:
    """Takes answers and stores nothing: what is left to measure is the event's own path."""

    needs_app_context = False

    def store(self, row) -> None:
        pass

    def has_pending(self, attempt_id: int) -> bool:
        return False

    def barrier(self) -> None:
        pass


def prepared(directory: Path, writer: str):
    """An app on a fresh SQLite file with the demo seeded, and a logged-in entrant's socket with an attempt."""
    app = create_app({"SECRET_KEY": "bench", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{directory}/bench.sqlite3",
                      "RATELIMIT_ENABLED": False, "REDIS_URL": None, "WTF_CSRF_ENABLED": False})
    app.instance_path = str(directory)
    with app.app_context():
        db.create_all()
    flood_guard.rate = flood_guard.burst = 1e9  # one client sends thousands of answers a second here
    seeded = app.test_cli_runner().invoke(args=["demo", "seed", "--entrants", "1"])
    if seeded.exit_code:
        raise SystemExit(seeded.output)
    http = app.test_client()
    reply = http.post("/api/session", json={"login": demo_phone(1), "password": DEMO_ENTRANT_PASSWORD})
    if not reply.json.get("ok"):
        raise SystemExit(f"login failed: {reply.json}")
    sock = socketio.test_client(app, namespace="/play", flask_test_client=http)
    started = sock.emit("attempt_start", {"round_id": 1}, namespace="/play", callback=True)
    if not started.get("ok"):
        raise SystemExit(f"attempt_start failed: {started}")
    if writer == "null":
        app.extensions[EXTENSION].writer = NullWriter()
    return app, sock, started["attempt"]


def one_turn(sock, attempt: dict, answers: int, seq: int) -> tuple[float, float, int]:
    """CPU and wall seconds for ``answers`` answers, and the next seq."""
    slots = [(question["slot"], question["options"][0]["key"]) for question in attempt["questions"]]
    cpu, wall = time.process_time(), time.perf_counter()
    for index in range(answers):
        slot, key = slots[index % len(slots)]
        seq += 1
        reply = sock.emit("answer", {"attempt_id": attempt["id"], "slot": slot, "choice": [key], "seq": seq},
                          namespace="/play", callback=True)
        if not reply.get("ok"):
            raise SystemExit(f"answer refused: {reply}")
    return time.process_time() - cpu, time.perf_counter() - wall, seq


def main(argv: list[str] | None = None) -> None:
    parse = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parse.add_argument("--answers", type=int, default=3000, help="answers per turn")
    parse.add_argument("--rounds", type=int, default=5, help="turns of each path, alternating")
    parse.add_argument("--writer", choices=("null", "inline"), default="null",
                       help="null: store nothing, to measure the event path alone; inline: commit each to SQLite")
    args = parse.parse_args(argv)
    with tempfile.TemporaryDirectory() as directory:
        app, sock, attempt = prepared(Path(directory), args.writer)
        per_answer = {"in_memory": [], "flask": []}
        wall = {"in_memory": [], "flask": []}
        seq = int(time.time() * 1000)
        for _ in range(args.rounds):
            for name, fast in (("in_memory", True), ("flask", False)):
                app.config[SETTING] = fast
                cpu_s, wall_s, seq = one_turn(sock, attempt, args.answers, seq)
                per_answer[name].append(cpu_s / args.answers * 1e6)
                wall[name].append(wall_s / args.answers * 1e6)
        sock.disconnect(namespace="/play")
    medians = {name: round(statistics.median(values), 1) for name, values in per_answer.items()}
    print(json.dumps({
        "answers_per_turn": args.answers, "turns": args.rounds, "writer": args.writer,
        "cpu_us_per_answer": medians,
        "wall_us_per_answer": {name: round(statistics.median(values), 1) for name, values in wall.items()},
        "flask_context_cpu_us": round(medians["flask"] - medians["in_memory"], 1),
        "every_turn_cpu_us": {name: [round(value, 1) for value in values] for name, values in per_answer.items()},
    }), flush=True)


if __name__ == "__main__":
    main()
