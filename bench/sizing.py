"""A sizing table from one measured run: how many cores of each kind (app processes, PostgreSQL, Redis, nginx) and
how much app memory a given number of concurrent entrants needs, at the run's pace.

    .venv/bin/python -m bench.sizing RUN.json --entrants 50000 250000

The model is deliberately plain. One entrant's visit (connect, start, every answer, submit) cost the CPU the run
measured per kind divided by the entrants who finished it. N concurrent entrants, each visit lasting
``questions × think`` seconds, start N / (questions × think) visits a second, so a kind needs
cost-per-visit × that rate cores, divided by the utilisation a production box should run at (0.6 by default:
headroom for the opening rush). Memory is the measured RSS per connection times N. Pure arithmetic except the
command line.
"""

from __future__ import annotations

import argparse
import json
import math
from pathlib import Path

KINDS = ("app", "postgresql", "redis", "nginx")


def per_visit_cpu_s(run: dict) -> dict[str, float]:
    """CPU seconds of each kind per finished visit in ``run`` (the harness's JSON for the app)."""
    finished = run["finished"]
    used = run["machine"]["cpu_s_by_kind"]
    if not finished:
        raise ValueError("no entrant finished: nothing to size from")
    return {kind: used.get(kind, 0.0) / finished for kind in KINDS}


def sizing(run: dict, entrants: int, utilisation: float = 0.6) -> dict:
    """Cores per kind (rounded up) and app memory for ``entrants`` concurrent entrants at ``run``'s pace."""
    visit_s = run["questions"] * run["think_s"]
    visits_per_s = entrants / visit_s
    cores = {kind: math.ceil(cost * visits_per_s / utilisation) if cost else 0
             for kind, cost in per_visit_cpu_s(run).items()}
    memory_gib = run["server"]["rss_per_connection_kib"] * entrants / 1024**2
    return {"entrants": entrants, "answers_per_s": round(entrants / run["think_s"]), "cores": cores,
            "app_memory_gib": round(memory_gib, 1)}


def table(run: dict, targets: list[int], utilisation: float) -> str:
    """The sizing as a Markdown table."""
    rows = [sizing(run, target, utilisation) for target in targets]
    lines = ["| concurrent entrants | answers/s | app cores | PostgreSQL cores | Redis cores | nginx cores "
             "| app memory |", "|---|---|---|---|---|---|---|"]
    for row in rows:
        c = row["cores"]
        lines.append(f"| {row['entrants']:,} | {row['answers_per_s']:,} | {c['app']} | {c['postgresql']} | "
                     f"{c['redis']} | {c['nginx']} | {row['app_memory_gib']} GiB |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parse = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parse.add_argument("run", type=Path, help="the harness's JSON line")
    parse.add_argument("--entrants", type=int, nargs="+", default=[50_000, 250_000])
    parse.add_argument("--utilisation", type=float, default=0.6)
    args = parse.parse_args(argv)
    print(table(json.loads(args.run.read_text().strip().splitlines()[-1]), args.entrants, args.utilisation))


if __name__ == "__main__":
    main()
