"""``python -m bench.harness``: N simulated entrants against ``/play`` over real websockets; one JSON line out.

Against the app (``--url`` of a running server, or ``--serve-app`` to start ``python wsgi.py`` here) and/or the bare
reference server (``--bare`` adds it to the same run and prints app ÷ bare ratios; ``--bare-only`` runs it alone).
See bench/README.md for a full run and how to read the line.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
import time
from pathlib import Path

import requests

from bench import db_count
from bench.load import LoadSpec, run_load
from bench.pacing import PACES
from bench.servers import REPO, app_server, bare_server
from bench.sessions import sessions_for
from bench.stats import comparison

RESULTS = REPO / "bench" / "results"  # git-ignored


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.harness", description=__doc__.splitlines()[0])
    target = parser.add_argument_group("target")
    target.add_argument("--url", help="a running app, e.g. http://127.0.0.1:5000")
    target.add_argument("--server-pid", type=int, action="append",
                        help="its pid, for RSS and CPU figures; repeated for each answering process of a cluster")
    target.add_argument("--serve-app", action="store_true", help="start `python wsgi.py` on a free port for the run")
    target.add_argument("--serve-env", action="append", default=[], metavar="KEY=VALUE",
                        help="extra environment for --serve-app (repeatable)")
    target.add_argument("--variant", action="append", default=[], metavar="KEY=VALUE[,KEY=VALUE]",
                        help="with --serve-app: run the app again with these settings added, in the same command")
    target.add_argument("--bare", action="store_true", help="also run the same load against bench/bare_server.py")
    target.add_argument("--bare-only", action="store_true", help="run against bench/bare_server.py alone")
    load = parser.add_argument_group("load")
    load.add_argument("--entrants", type=int, default=200)
    load.add_argument("--round-id", default="auto", help="an open round's id, or `auto`: the first of "
                                                         "GET /api/rounds?status=open")
    load.add_argument("--think", type=float, default=2.0, help="seconds between one entrant's answers")
    load.add_argument("--pace", choices=PACES, default="fixed",
                      help="fixed: --think apart; farm: a scripted bot farm; human: human-like reading times")
    load.add_argument("--ramp", type=float, default=100.0, help="new connections per second")
    load.add_argument("--duration", type=float, default=300.0, help="cap in seconds on each load run")
    load.add_argument("--procs", type=int, default=2, help="client worker processes")
    load.add_argument("--ack-timeout", type=float, default=30.0, help="seconds to wait for any acknowledgement")
    load.add_argument("--questions", type=int, default=10,
                      help="bare server's paper length when there is no app run to copy it from")
    load.add_argument("--seed", type=int, default=1)
    logins = parser.add_argument_group("logins")
    logins.add_argument("--first-entrant", type=int, default=1, help="demo entrant number of the first (phone 09…)")
    logins.add_argument("--password", default="demo-pass")
    logins.add_argument("--login-rate", type=float, default=20.0, help="logins per second in the login phase")
    logins.add_argument("--sessions", type=Path, default=RESULTS / "sessions.json", help="cookie cache file")
    logins.add_argument("--fresh-logins", action="store_true", help="ignore the cookie cache")
    database = parser.add_argument_group("database check (app runs)")
    database.add_argument("--database-url", default=None, help="default: DATABASE_URL, else instance/ SQLite")
    database.add_argument("--db-count-sql", help="SQL returning the round's stored answers; binds :round_id")
    database.add_argument("--db-count", default="bench.db_count:count_answers", metavar="MODULE:FUNCTION",
                          help="(database_url, round_id) -> int, used when --db-count-sql is not given")
    args = parser.parse_args(argv)
    if not args.bare_only and not (args.url or args.serve_app):
        parser.error("give --url or --serve-app (or --bare-only)")
    if args.variant and not args.serve_app:
        parser.error("--variant needs --serve-app: the harness restarts the app for each")
    return args


def progress(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def demo_logins(first: int, count: int) -> list[str]:
    from contest.demo.people import demo_phone

    return [demo_phone(number) for number in range(first, first + count)]


def open_round_id(url: str, cookie: str | None) -> int:
    reply = requests.get(f"{url}/api/rounds", params={"status": "open"}, headers={"Cookie": cookie or ""},
                         timeout=30)
    body = reply.json()
    rounds = body.get("rounds", body) if isinstance(body, dict) else body
    if not rounds:
        raise SystemExit("no open round: create one, or pass --round-id")
    return int(rounds[0]["id"])


def spec_for(args: argparse.Namespace, url: str, round_id, cookies: list[str | None]) -> LoadSpec:
    return LoadSpec(url=url, round_id=round_id, cookies=cookies, think_s=args.think, ramp_per_s=args.ramp,
                    duration_s=args.duration, procs=args.procs, ack_timeout_s=args.ack_timeout, seed=args.seed,
                    pace=args.pace)


def count_or_reason(count, database_url: str, round_id) -> tuple[int | None, str | None]:
    try:
        return count(database_url, round_id), None
    except Exception as error:  # any failure of a pluggable hook is reported, not fatal
        return None, f"{type(error).__name__}: {error}"


def settings_env(serve_env: list[str], variant: str | None) -> dict[str, str]:
    """``--serve-env`` pairs (a value may hold commas) and then the variant's comma-separated ones."""
    pairs = serve_env + (variant.split(",") if variant else [])
    return dict(pair.split("=", 1) for pair in pairs if pair)


def run_app(args: argparse.Namespace, variant: str | None = None) -> dict:
    env = settings_env(args.serve_env, variant)
    serving = app_server(env, RESULTS) if args.serve_app else contextlib.nullcontext()
    with serving as server:
        url = server.url if server else args.url.rstrip("/")
        pid = server.pid if server else args.server_pid
        progress(f"app at {url}: sessions for {args.entrants} entrants")
        cookies, sessions = sessions_for(url, demo_logins(args.first_entrant, args.entrants), args.password,
                                         args.login_rate, args.sessions, args.fresh_logins)
        round_id = open_round_id(url, cookies[0]) if args.round_id == "auto" else _as_id(args.round_id)
        count = db_count.counter(args.db_count_sql, args.db_count)
        database_url = args.database_url or db_count.default_database_url()
        before, reason = count_or_reason(count, database_url, round_id)
        progress(f"app: load on round {round_id}")
        figures = run_load(spec_for(args, url, round_id, cookies), pid)
        after, reason_after = count_or_reason(count, database_url, round_id) if before is not None else (None, None)
        died = server.exited_early() if server else None
    stored = None if before is None or after is None else after - before
    result = {"target": "app", "url": url, "variant": variant, "round_id": round_id, **_settings(args), **figures,
              "sessions": sessions,
              "answers_in_db": stored, "lost": None if stored is None else figures["answers_acked"] - stored}
    if reason or reason_after:
        result["db_count_error"] = reason or reason_after
    if died is not None:
        result["server_exit_status"] = died  # it stopped during the run: see bench/results/app_server.log
    return result


def run_bare(args: argparse.Namespace, questions: int) -> dict:
    with bare_server(questions, RESULTS) as server:
        progress(f"bare server at {server.url}: load with {questions} questions")
        figures = run_load(spec_for(args, server.url, 1, [None] * args.entrants), server.pid)
        died = server.exited_early()
    result = {"target": "bare", "url": server.url, **_settings(args), **figures}
    if died is not None:
        result["server_exit_status"] = died
    return result


def _settings(args: argparse.Namespace) -> dict:
    return {"entrants": args.entrants, "think_s": args.think, "ramp_per_s": args.ramp, "procs": args.procs}


def _as_id(value: str):
    return int(value) if value.isdigit() else value


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    if args.bare_only:
        result = run_bare(args, args.questions)
    else:
        result = run_app(args)
        variants = [run_app(args, variant) for variant in args.variant]
        if variants:
            result["variants"] = variants
        if args.bare:
            bare = run_bare(args, result["questions"] or args.questions)
            result["bare"] = bare
            result["ratio"] = comparison(result, bare)
            for variant in variants:
                variant["ratio"] = comparison(variant, bare)
    print(json.dumps(result, ensure_ascii=False), flush=True)


if __name__ == "__main__":
    main()
