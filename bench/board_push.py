"""What pushing board snapshots to a crowd of watchers costs the entrants' answer acknowledgements, in one run.

    python -m bench.board_push --round-id 2 --layout split --watchers 5000 --entrants 500

Starts the app (``--layout single``: one process takes answers and serves ``/board``; ``split``: a second,
identical process serves the watchers, as nginx routes ``audience=board`` connections in deploy/nginx.conf),
then runs the same harness load twice on the answering process: A with nobody watching, B with ``--watchers``
connected to ``/board`` and getting a changed snapshot every second. In both runs ``--churn`` other entrants
submit an empty attempt once a second over HTTP, so the board changes every tick either way and the only
difference between A and B is the pushes. Prints one JSON line: both runs' answer acknowledgement latencies (whole
run and plateau), what B added, every process's CPU share, and the watchers' push counts and delays.

Needs a seeded database (``DATABASE_URL``) with ``--first-entrant + 2 × (entrants + churn)`` demo entrants, and
``REDIS_URL`` for ``split`` (both processes must see the same boards). Each run uses fresh entrants.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import signal
import subprocess
import sys
import threading
import time

from bench.servers import REPO, app_server, cpu_s
from bench.stats import ratio

RESULTS = REPO / "bench" / "results"  # git-ignored
WATCHERS_RAMP = 500  # new watchers per second


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--round-id", required=True)
    parser.add_argument("--layout", choices=("single", "split"), default="split")
    parser.add_argument("--watchers", type=int, default=5000)
    parser.add_argument("--entrants", type=int, default=500)
    parser.add_argument("--churn", type=int, default=90, help="entrants submitting one per second in each run")
    parser.add_argument("--first-entrant", type=int, default=1)
    parser.add_argument("--think", type=float, default=1.0)
    parser.add_argument("--ramp", type=float, default=250.0, help="entrants connecting per second")
    parser.add_argument("--login-rate", type=float, default=40.0)
    parser.add_argument("--board-nice", type=int, default=10,
                        help="niceness of the board process (split): pushes yield the CPU to answers")
    parser.add_argument("--watchers-nice", type=int, default=19,
                        help="niceness of the watchers' client, which stands for phones elsewhere")
    args = parser.parse_args(argv)
    if args.layout == "split" and not os.environ.get("REDIS_URL"):
        parser.error("--layout split needs REDIS_URL: the board process reads the boards the other one records")
    return args


def progress(message: str) -> None:
    print(f"[board_push {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def start_watchers(url: str, churn_url: str, round_id: str, count: int, churn: int, churn_first: int,
                   nice: int) -> subprocess.Popen:
    connecting_s = count / WATCHERS_RAMP
    argv = ["nice", "-n", str(nice), sys.executable, "-m", "bench.watchers", "--url", url, "--round-id", round_id,
            "--count", str(count), "--ramp", str(WATCHERS_RAMP), "--duration", "900", "--churn", str(churn),
            "--churn-first", str(churn_first), "--churn-delay", str(connecting_s + 2), "--churn-url", churn_url]
    return subprocess.Popen(argv, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL,
                            text=True)


def wait_until_watching(crowd: subprocess.Popen, count: int, timeout_s: float) -> int:
    """Read the watchers' ``watching N`` lines until all ``count`` watch (or ``timeout_s``); how many do. Their
    stderr keeps being drained afterwards so that the client never blocks on a full pipe."""
    seen = {"watching": 0}
    done = threading.Event()

    def read() -> None:
        for line in crowd.stderr:
            if line.startswith("watching "):
                seen["watching"] = int(line.split()[1])
                if seen["watching"] >= count:
                    done.set()

    threading.Thread(target=read, daemon=True).start()
    done.wait(timeout_s)
    return seen["watching"]


def run_harness(args: argparse.Namespace, url: str, pid: int, first: int) -> dict:
    argv = [sys.executable, "-m", "bench.harness", "--url", url, "--server-pid", str(pid), "--round-id",
            args.round_id, "--entrants", str(args.entrants), "--first-entrant", str(first), "--think",
            str(args.think), "--ramp", str(args.ramp), "--login-rate", str(args.login_rate), "--fresh-logins"]
    out = subprocess.run(argv, cwd=REPO, stdout=subprocess.PIPE, stdin=subprocess.DEVNULL, check=True).stdout
    return json.loads(out.decode().strip().splitlines()[-1])


def stop_watchers(watchers: subprocess.Popen) -> dict:
    watchers.send_signal(signal.SIGTERM)
    out = watchers.stdout.read()
    watchers.wait(timeout=120)
    return json.loads(out.strip().splitlines()[-1])


def one_run(args: argparse.Namespace, name: str, answering, board, watchers: int, first: int,
            churn_first: int) -> dict:
    progress(f"run {name}: {watchers} watchers on {board.url}, {args.entrants} entrants on {answering.url}")
    crowd = start_watchers(board.url, answering.url, args.round_id, watchers, args.churn, churn_first,
                           args.watchers_nice)
    watching = wait_until_watching(crowd, watchers, timeout_s=watchers / WATCHERS_RAMP + 120)
    progress(f"run {name}: {watching} watching; the entrants come")
    cpu_before = {p.pid: cpu_s(p.pid) for p in {answering, board}}
    started = time.time()
    load = run_harness(args, answering.url, answering.pid, first)
    wall = time.time() - started
    cpu = {p.pid: round(100 * (cpu_s(p.pid) - cpu_before[p.pid]) / wall, 1) for p in {answering, board}}
    watched = stop_watchers(crowd)
    return {
        "answers_acked": load["answers_acked"], "errors": load["errors"], "answers_per_s": load["answers_per_s"],
        "ack_ms": load["ack_ms"], "plateau": load["plateau"], "lost": load.get("lost"),
        "cpu_pct": {"answering": cpu[answering.pid], **({"board": cpu[board.pid]} if board is not answering else {})},
        "watchers": {key: watched[key] for key in ("connected", "watching", "pushes", "pushes_per_watcher",
                                                   "push_delay_ms", "errors", "churn_submits", "churn_errors",
                                                   "client_cpu_s")},
        "machine": load["machine"],
    }


def added(a: dict, b: dict) -> dict:
    """What B's pushes added to the answer acknowledgements (ms), and B ÷ A."""
    figures = {}
    for label, pick in (("p50", lambda r: r["ack_ms"]["p50"]), ("p99", lambda r: r["ack_ms"]["p99"]),
                        ("plateau_p99", lambda r: r["plateau"]["ack_ms"]["p99"])):
        first, second = pick(a), pick(b)
        figures[label] = None if first is None or second is None else round(second - first, 1)
        figures[f"{label}_ratio"] = ratio(second, first)
    return figures


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    env = {"OLYMPIAD_LOGIN_LIMIT_PER_IP": "100000 per minute"}
    per_run = args.entrants + args.churn
    with app_server(env, RESULTS) as answering:
        board_server = None
        if args.layout == "split":
            board_server = app_server(env, RESULTS)
            board_server.argv = ["nice", "-n", str(args.board_nice), *board_server.argv]
        with board_server or contextlib.nullcontext(answering) as board:
            first_a, first_b = args.first_entrant, args.first_entrant + per_run
            a = one_run(args, "A", answering, board, 0, first_a, first_a + args.entrants)
            b = one_run(args, "B", answering, board, args.watchers, first_b, first_b + args.entrants)
    print(json.dumps({"layout": args.layout, "board_nice": args.board_nice if args.layout == "split" else None,
                      "watchers_nice": args.watchers_nice, "watchers": args.watchers, "entrants": args.entrants,
                      "think_s": args.think, "churn": args.churn, "a_no_watchers": a, "b_watchers": b,
                      "added_by_pushes_ms": added(a, b)}, ensure_ascii=False), flush=True)


if __name__ == "__main__":
    main()
