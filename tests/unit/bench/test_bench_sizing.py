from __future__ import annotations

import pytest

from bench.sizing import per_visit_cpu_s, sizing, table

RUN = {"finished": 10_000, "questions": 10, "think_s": 10.0, "server": {"rss_per_connection_kib": 48.0},
       "machine": {"cpu_s_by_kind": {"app": 150.0, "postgresql": 30.0, "redis": 3.0, "nginx": 12.0, "client": 90.0}}}


def test_cost_per_visit_leaves_the_client_out():
    assert per_visit_cpu_s(RUN) == {"app": 0.015, "postgresql": 0.003, "redis": 0.0003, "nginx": 0.0012}


def test_cores_scale_with_the_visits_started_each_second():
    # 50,000 entrants on 100 s visits start 500 a second: the app needs 0.015 × 500 = 7.5 cores, at 60 %: 12.5 → 13
    row = sizing(RUN, 50_000)
    assert row["cores"] == {"app": 13, "postgresql": 3, "redis": 1, "nginx": 1}
    assert row["answers_per_s"] == 5_000
    assert row["app_memory_gib"] == pytest.approx(2.3, abs=0.05)
    assert sizing(RUN, 250_000)["cores"]["app"] == 63


def test_nothing_finished_is_refused_and_the_table_has_a_row_per_target():
    with pytest.raises(ValueError):
        per_visit_cpu_s({**RUN, "finished": 0})
    assert table(RUN, [50_000, 250_000], 0.6).count("\n") == 3
