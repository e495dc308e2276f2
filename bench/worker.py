"""A client worker process: ``python -m bench.worker SHARE.json`` runs its share of the entrants and prints its
tally as one JSON line on stdout. The harness starts ``--procs`` of them so that the client side, which is Python
too, is not what limits the figures.

The share: ``{"url", "round_id", "think_s", "ramp_per_s", "start_at", "deadline", "ack_timeout_s", "seed",
"record_acks" (optional), "entrants": [[global index, cookie header or null], ...]}``; entrant ``i`` connects at
``start_at + i / ramp``, so several workers together ramp at the global rate.
"""

from __future__ import annotations

from gevent import monkey

monkey.patch_all()

import json  # noqa: E402  (everything below is imported after patching)
import random  # noqa: E402
import resource  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import gevent  # noqa: E402

from bench.entrant import FinishLine, Plan, take_round  # noqa: E402
from bench.stats import Tally  # noqa: E402


def run(share: dict) -> Tally:
    plan = Plan(url=share["url"], round_id=share["round_id"], think_s=share["think_s"], deadline=share["deadline"],
                ack_timeout_s=share["ack_timeout_s"], record_acks=share.get("record_acks", False),
                pace=share.get("pace", "fixed"))
    tally = Tally()
    entrants = share["entrants"]
    finish = FinishLine(len(entrants))
    flows = []
    for index, cookie in entrants:
        moment = share["start_at"] + index / share["ramp_per_s"]
        if moment >= plan.deadline:
            tally.errors["connect:duration_cap"] += 1
            tally.unfinished += 1
            finish.arrive()
            continue
        gevent.sleep(max(0.0, moment - time.time()))
        rng = random.Random(share["seed"] * 1_000_003 + index)
        flows.append(gevent.spawn(take_round, plan, tally, cookie, rng, finish))
    # Every flow bounds its own waits by the deadline; the margin only covers closing sockets.
    gevent.joinall(flows, timeout=max(0.0, plan.deadline - time.time()) + 5)
    gevent.killall([flow for flow in flows if not flow.dead], block=True, timeout=2)
    usage = resource.getrusage(resource.RUSAGE_SELF)
    tally.cpu_s = usage.ru_utime + usage.ru_stime
    return tally


def main() -> None:
    share = json.loads(Path(sys.argv[1]).read_text())
    tally = run(share)
    sys.stdout.write(json.dumps(tally.to_dict()) + "\n")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
