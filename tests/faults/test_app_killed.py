"""kill -9 of one of the two app processes in the middle of a round: no acknowledged answer is lost, the other
process keeps serving through nginx, the sweeper finalises the attempts whose entrants were cut off, and the
killed process, restarted, is healthy again within the stated time."""

from __future__ import annotations

import time

from tests.faults.rounds import Load, Probe, door, durability, report, wait_all_finalised

DOOR_BACK_S = 5.0  # new connections through nginx are served again within this of the kill
RESTART_S = 60.0  # the restarted process answers /healthz within this (imports are slow on a busy box)
FINALISED_S = 20.0  # every attempt is finalised within this of the last deadline


def test_kill_9_of_an_app_process_loses_no_acknowledged_answer(live, cookies):
    round_id = live.new_round("kill -9", minutes=1.0)
    victim = live.apps[0]
    with Probe(door(live.url), every_s=0.25) as probe, Load(live.url, round_id, cookies) as load:
        load.at(12)
        killed = time.time()
        victim.kill()
        time.sleep(2)
        victim.start()
        restart_s = victim.wait_healthy()
    figures = load.figures
    outcome = durability(figures, live.database_url, round_id)
    finalised_s = wait_all_finalised(live.database_url, round_id, timeout_s=120)
    door_back_s = probe.good_again_after(killed)
    report("kill -9 of an app process", acked=outcome["acked"], stored=outcome["stored"],
           acked_but_missing=len(outcome["missing"]), cut_off=figures["unfinished"],
           door_back_s=door_back_s, restart_healthy_s=round(restart_s + 2, 1),
           finalised_s_after_last_deadline=finalised_s, door=probe.outcomes(), errors=figures["errors"])
    assert outcome["missing"] == []
    assert outcome["acked"] > 0 and outcome["stored"] >= outcome["acked"]
    assert figures["unfinished"] > 0, "the kill cut off no entrant: it came too late to test anything"
    assert door_back_s is not None and door_back_s <= DOOR_BACK_S
    assert restart_s + 2 <= RESTART_S
    assert finalised_s <= FINALISED_S
