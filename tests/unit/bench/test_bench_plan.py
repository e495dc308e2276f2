from __future__ import annotations

from bench.load import LoadSpec, shares
from bench.sessions import login_schedule


def test_shares_deal_entrants_round_robin_with_one_clock():
    spec = LoadSpec(url="http://x", round_id=3, cookies=["c0", None, "c2", "c3", "c4"], think_s=2, ramp_per_s=10,
                    duration_s=60, procs=2)
    first, second = shares(spec, start_at=100.0)
    assert first["entrants"] == [[0, "c0"], [2, "c2"], [4, "c4"]]
    assert second["entrants"] == [[1, None], [3, "c3"]]
    assert first["deadline"] == second["deadline"] == 160.0
    assert first["round_id"] == 3


def test_no_more_workers_than_entrants():
    spec = LoadSpec(url="http://x", round_id=1, cookies=[None], think_s=1, ramp_per_s=1, duration_s=5, procs=4)
    assert len(shares(spec, start_at=0.0)) == 1


def test_login_schedule_spreads_at_the_rate():
    assert login_schedule(3, 2.0, start=10.0) == [10.0, 10.5, 11.0]
    assert login_schedule(0, 2.0, start=10.0) == []


def test_a_variant_adds_its_settings_over_the_serve_env():
    from bench.harness import settings_env

    serve = ["OLYMPIAD_LOGIN_LIMIT_PER_IP=100 per minute", 'OLYMPIAD_SQLALCHEMY_ENGINE_OPTIONS={"a": 1, "b": 2}']
    assert settings_env(serve, None) == {"OLYMPIAD_LOGIN_LIMIT_PER_IP": "100 per minute",
                                         "OLYMPIAD_SQLALCHEMY_ENGINE_OPTIONS": '{"a": 1, "b": 2}'}
    env = settings_env(serve, "OLYMPIAD_ANSWER_FAST_PATH=false,OLYMPIAD_LOGIN_LIMIT_PER_IP=5 per minute")
    assert env["OLYMPIAD_ANSWER_FAST_PATH"] == "false" and env["OLYMPIAD_LOGIN_LIMIT_PER_IP"] == "5 per minute"
