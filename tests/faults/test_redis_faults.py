"""Redis is a cache, never a dependency of an answer: killed and restarted, or hung (SIGSTOP) for 15 s, under a
round of 200 entrants. No acknowledged answer is lost, the public board and the door never answer a 500, and
acknowledgements and reads are back within the stated time of Redis coming back."""

from __future__ import annotations

import time

import pytest

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

BACK_S = 10.0  # board reads, the door and acknowledgements are good again within this of Redis coming back
FINALISED_S = 20.0
HUNG_S = 15.0


def probes(url: str, round_id: int) -> tuple[Probe, Probe]:
    return (Probe(http_status(f"{url}/api/rounds/{round_id}/leaderboard", timeout_s=10), every_s=0.25),
            Probe(door(url, timeout_s=10), every_s=0.5))


def check(name: str, live, round_id: int, load: Load, board: Probe, entry: Probe, back_at: float) -> None:
    figures = load.figures
    outcome = durability(figures, live.database_url, round_id)
    finalised_s = wait_all_finalised(live.database_url, round_id, timeout_s=120)
    measured = {"board_back_s": board.good_again_after(back_at), "door_back_s": entry.good_again_after(back_at),
                "acks_back_s": acks_back_after(figures, back_at)}
    report(name, acked=outcome["acked"], stored=outcome["stored"], acked_but_missing=len(outcome["missing"]),
           **measured, slowest_board_read_s=board.slowest_s(), finalised_s_after_last_deadline=finalised_s,
           board=board.outcomes(), door=entry.outcomes(), errors=figures["errors"])
    assert outcome["missing"] == []
    assert outcome["acked"] > 0 and outcome["stored"] >= outcome["acked"]
    assert "http_500" not in board.outcomes() and "http_500" not in entry.outcomes()
    for figure, value in measured.items():
        assert value is not None and value <= BACK_S, (figure, value)
    assert finalised_s <= FINALISED_S


def kill_and_restart(redis) -> None:
    redis.kill()
    time.sleep(3)
    redis.start()


def hang(redis) -> None:
    redis.freeze()
    time.sleep(HUNG_S)
    redis.thaw()


@pytest.mark.parametrize(("name", "at_s", "fault"), [
    ("Redis killed and restarted after 3 s", 12, kill_and_restart),
    ("Redis hung (SIGSTOP) for 15 s", 10, hang),
], ids=["killed", "hung"])
def test_redis_fault_under_a_round(live, cookies, name, at_s, fault):
    round_id = live.new_round(name, minutes=1.0)
    board, entry = probes(live.url, round_id)
    with board, entry, Load(live.url, round_id, cookies) as load:
        load.at(at_s)
        fault(live.redis)
        back = time.time()
    check(name, live, round_id, load, board, entry, back)
