"""Draws a harness run's timeline (acknowledged answers per second and their p99, app against the bare server) as
a PNG, for bench/RESULTS.md.

    .venv/bin/python -m bench.chart RUN.json bench/results-10000.png --title "10,000 entrants, 2 processes"

RUN.json is the harness's JSON line. matplotlib draws off-screen (Agg), so no display is needed.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path


def runs_of(result: dict) -> list[tuple[str, dict]]:
    """``(label, run)`` for the app run, each variant and the bare server, those that have a timeline."""
    runs = [("app", result)] + [(f"app {variant['variant']}", variant) for variant in result.get("variants", [])]
    if "bare" in result:
        runs.append(("bare server", result["bare"]))
    return [(label, run) for label, run in runs if run.get("timeline", {}).get("answers")]


def draw(result: dict, out: Path, title: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot

    figure, (rate_axis, p99_axis) = pyplot.subplots(2, 1, sharex=True, figsize=(10, 6.5))
    for label, run in runs_of(result):
        line = run["timeline"]
        seconds = range(len(line["answers"]))
        rate_axis.plot(seconds, line["answers"], label=label, linewidth=1)
        kept = [(second, p99) for second, p99 in zip(seconds, line["answer_p99_ms"], strict=True) if p99 is not None]
        p99_axis.plot([second for second, _ in kept], [p99 for _, p99 in kept], label=label, linewidth=1)
    rate_axis.set_ylabel("durable acks / s")
    p99_axis.set_ylabel("ack p99 in that second (ms)")
    p99_axis.set_yscale("log")
    p99_axis.axhline(250, color="tab:red", linestyle="--", linewidth=0.8, label="target p99 250 ms")
    p99_axis.set_xlabel("seconds since the first connect")
    for axis in (rate_axis, p99_axis):
        axis.grid(alpha=0.3)
        axis.legend(loc="upper right", fontsize="small")
    rate_axis.set_title(title)
    figure.tight_layout()
    figure.savefig(out, dpi=110)


def main(argv: list[str] | None = None) -> None:
    parse = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parse.add_argument("run", type=Path, help="the harness's JSON line")
    parse.add_argument("out", type=Path, help="the PNG to write")
    parse.add_argument("--title", default="Olympiad under load")
    args = parse.parse_args(argv)
    draw(json.loads(args.run.read_text().strip().splitlines()[-1]), args.out, args.title)


if __name__ == "__main__":
    main()
