"""PostgreSQL stopped for 10 s under a round of 200 entrants: answers meanwhile are refused ``unavailable`` (never
falsely acknowledged), no acknowledged answer is lost, nothing answers a 500, and acknowledgements are back within
the stated time of the database coming back."""

from __future__ import annotations

import time

from tests.faults.rounds import (
    Load,
    Probe,
    acks_back_after,
    door,
    durability,
    http_status,
    report,
    wait_all_finalised,
)

DOWN_S = 10.0
BACK_S = 10.0
FINALISED_S = 30.0


def test_postgres_stopped_for_10_s(live, cookies):
    round_id = live.new_round("PostgreSQL stopped", minutes=1.0)
    board = Probe(http_status(f"{live.url}/api/rounds/{round_id}/leaderboard", timeout_s=10), every_s=0.25)
    entry = Probe(door(live.url, timeout_s=10), every_s=0.5)
    with board, entry, Load(live.url, round_id, cookies) as load:
        load.at(12)
        stopped = time.time()
        live.postgres.stop()
        time.sleep(max(0.0, stopped + DOWN_S - time.time()))
        live.postgres.start()
        started = time.time()
    figures = load.figures
    outcome = durability(figures, live.database_url, round_id)
    finalised_s = wait_all_finalised(live.database_url, round_id, timeout_s=120)
    refused = figures["errors"].get("answer:unavailable", 0)
    acks_back_s = acks_back_after(figures, started)
    report("PostgreSQL stopped for 10 s", acked=outcome["acked"], stored=outcome["stored"],
           acked_but_missing=len(outcome["missing"]), refused_unavailable=refused, acks_back_s=acks_back_s,
           board_back_s=board.good_again_after(started), finalised_s_after_last_deadline=finalised_s,
           board=board.outcomes(), door=entry.outcomes(), errors=figures["errors"])
    assert outcome["missing"] == []
    assert outcome["acked"] > 0 and outcome["stored"] >= outcome["acked"]
    assert refused > 0, "no answer met the outage: it came too late to test anything"
    assert "http_500" not in board.outcomes()
    assert acks_back_s is not None and acks_back_s <= BACK_S
    assert finalised_s <= FINALISED_S
