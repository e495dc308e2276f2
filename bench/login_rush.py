"""A login rush as it happens at a round's opening: N entrants logging in within a window, each a real client that
honours ``Retry-After`` (429/503) with jitter and tries again until it is in. Prints one JSON line.

    .venv/bin/python -m bench.login_rush --url http://127.0.0.1:8080 --entrants 10000 --window 60

What it reports: how long until every entrant was in, logins per second, latency of each try, and every status
seen (a 500 is a failure of the server; 429 and 503 are the server saying "wait", which the client obeys).
"""

from __future__ import annotations

from gevent import monkey

monkey.patch_all()

import argparse  # noqa: E402
import json  # noqa: E402
import random  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from collections import Counter  # noqa: E402
from pathlib import Path  # noqa: E402

import gevent  # noqa: E402
import requests  # noqa: E402
from gevent.pool import Pool  # noqa: E402

from bench.sessions import cookie_header, load_cache, save_cache  # noqa: E402
from bench.stats import latency_summary  # noqa: E402

DEMO_PASSWORD = "demo-pass"
GIVE_UP_S = 600


def phone(number: int) -> str:
    return f"09{number:08d}"


def rush(url: str, entrants: int, first: int, window_s: float, concurrency: int, rng: random.Random) -> dict:
    statuses: Counter = Counter()
    latency_ms: list[float] = []
    done_at: list[float] = []
    cookies: dict[str, str] = {}
    started = time.monotonic()

    def one(number: int, due: float) -> None:
        gevent.sleep(max(0.0, due - time.monotonic()))
        http = requests.Session()
        while time.monotonic() - started < GIVE_UP_S:
            sent = time.monotonic()
            try:
                reply = http.post(f"{url}/api/session", json={"login": phone(number), "password": DEMO_PASSWORD},
                                  timeout=30)
            except requests.RequestException as error:
                statuses[type(error).__name__] += 1
                gevent.sleep(1 + rng.random() * 2)
                continue
            latency_ms.append((time.monotonic() - sent) * 1000)
            statuses[reply.status_code] += 1
            if reply.status_code == 200:
                done_at.append(time.monotonic() - started)
                cookies[phone(number)] = cookie_header(http.cookies)
                return
            wait = float(reply.headers.get("Retry-After") or 2)
            gevent.sleep(wait + rng.random() * wait)  # as the page does: the wait it was told, plus jitter

    pool = Pool(concurrency)
    for index in range(entrants):
        pool.spawn(one, first + index, started + window_s * index / entrants)
    pool.join()
    done_at.sort()
    return {"entrants": entrants, "window_s": window_s, "in": len(done_at),
            "all_in_after_s": round(done_at[-1], 1) if len(done_at) == entrants else None,
            "half_in_after_s": round(done_at[len(done_at) // 2], 1) if done_at else None,
            "logins_per_s": round(len(done_at) / done_at[-1], 1) if done_at else None,
            "statuses": {str(key): count for key, count in sorted(statuses.items(), key=str)},
            "server_errors_500": statuses.get(500, 0), "try_ms": latency_summary(latency_ms), "cookies": cookies}


def main(argv: list[str] | None = None) -> None:
    parse = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parse.add_argument("--url", required=True)
    parse.add_argument("--entrants", type=int, default=10_000)
    parse.add_argument("--first-entrant", type=int, default=1)
    parse.add_argument("--window", type=float, default=60.0, help="seconds over which the entrants arrive")
    parse.add_argument("--concurrency", type=int, default=10_000, help="clients in flight at most")
    parse.add_argument("--seed", type=int, default=1)
    parse.add_argument("--sessions", type=Path, help="add the new sessions to this cookie cache of bench.harness")
    args = parse.parse_args(argv)
    result = rush(args.url, args.entrants, args.first_entrant, args.window, args.concurrency, random.Random(args.seed))
    cookies = result.pop("cookies")
    if args.sessions:
        save_cache(args.sessions, {**load_cache(args.sessions), **cookies})
    print(json.dumps(result), flush=True)
    sys.exit(0 if result["server_errors_500"] == 0 else 1)


if __name__ == "__main__":
    main()
