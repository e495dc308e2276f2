from __future__ import annotations

import pytest

from bench.stats import (
    Tally,
    comparison,
    latency_summary,
    load_figures,
    peak_per_second,
    percentile,
    plateau,
    rate,
    ratio,
    rss_per_connection_kib,
    timeline,
)


def test_percentile_is_nearest_rank():
    values = list(range(1, 101))  # 1..100
    assert percentile(values, 50) == 50
    assert percentile(values, 99) == 99
    assert percentile(values, 100) == 100
    assert percentile([7.0], 99) == 7.0
    assert percentile([3, 1, 2], 0) == 1
    assert percentile([], 50) is None


def test_latency_summary_of_nothing_is_all_none():
    assert latency_summary([]) == {"n": 0, "p50": None, "p95": None, "p99": None, "max": None}


def test_latency_summary_rounds_to_tenths():
    summary = latency_summary([1.04, 2.0, 250.26])
    assert summary == {"n": 3, "p50": 2.0, "p95": 250.3, "p99": 250.3, "max": 250.3}


def test_rate_over_window():
    assert rate(100, [10.0, 12.0]) == 50.0
    assert rate(0, [10.0, 12.0]) is None
    assert rate(5, None) is None
    assert rate(5, [3.0, 3.0]) is None


def test_ratio_and_rss_per_connection():
    assert ratio(50.0, 100.0) == 0.5
    assert ratio(None, 100.0) is None
    assert ratio(1.0, 0) is None
    assert rss_per_connection_kib(1000, 1000 + 64 * 50, 50) == 64.0
    assert rss_per_connection_kib(None, 5, 1) is None
    assert rss_per_connection_kib(1, 5, 0) is None


def test_peak_per_second_counts_whole_seconds():
    assert peak_per_second([10.1, 10.9, 11.0, 12.5]) == 2
    assert peak_per_second([]) is None


def worker_tally(offset: float) -> Tally:
    tally = Tally(connected=2, attempt_starts=2, answers_acked=4, submits=2, finished=2, questions=2, cpu_s=1.5)
    tally.timed("attempt_start", offset + 0.0, offset + 0.01)
    tally.timed("attempt_start", offset + 0.5, offset + 0.52)
    for second in (2, 3, 4, 5):
        tally.timed("answer", offset + second, offset + second + 0.005)
    tally.timed("attempt_submit", offset + 6.0, offset + 6.01)
    tally.errors["answer:timeout"] += 1
    return tally


def test_merge_adds_counts_and_widens_windows():
    merged = Tally.merge([worker_tally(1000.0).to_dict(), worker_tally(1001.0).to_dict()])
    assert merged.connected == 4 and merged.answers_acked == 8 and merged.cpu_s == 3.0
    assert merged.errors == {"answer:timeout": 2}
    assert merged.windows["answer"] == [1002.0, 1006.005]
    assert len(merged.latency_ms["answer"]) == len(merged.answer_acked_at) == 8


def test_plateau_runs_from_last_start_plus_think_to_first_submit():
    tally = worker_tally(1000.0)
    assert plateau(tally, think_s=1.0) == (1001.52, 1006.0)
    assert plateau(tally, think_s=5.0) is None  # less than a second left
    assert plateau(Tally(), think_s=1.0) is None


def test_load_figures_and_comparison():
    app = load_figures(worker_tally(1000.0), think_s=1.0)
    assert app["answers_acked"] == 4
    assert app["answers_per_s"] == pytest.approx(4 / 3.005, abs=0.1)
    assert app["plateau"]["answers_per_s"] == pytest.approx(4 / 4.48, abs=0.1)
    assert app["ack_ms"]["p99"] == 5.0
    app["server"] = {"rss_per_connection_kib": 80.0, "cpu_ms_per_answer": 2.0}
    bare = {**app, "answers_per_s": app["answers_per_s"] * 2, "server": {"rss_per_connection_kib": 40.0,
                                                                        "cpu_ms_per_answer": 0.5}}
    ratios = comparison(app, bare)
    assert ratios["answers_per_s"] == 0.5
    assert ratios["ack_p99"] == 1.0
    assert ratios["rss_per_connection"] == 2.0
    assert ratios["server_cpu_per_answer"] == 4.0


def test_timeline_counts_each_second_from_the_first_connect():
    tally = worker_tally(1000.0)
    tally.timed("connect", 999.5, 999.6)
    tally.timed("answer", 1002.2, 1002.9)  # a second answer acked in second 3, slower
    line = timeline(tally)
    assert line["t0"] == 999.5
    assert line["answers"] == [0, 0, 1, 2, 1, 1]
    assert line["answer_p99_ms"] == [None, None, 5.0, 700.0, 5.0, 5.0]
    assert line["starts"] == [1, 1, 0, 0, 0, 0]
    assert sum(line["answers"]) == tally.answers_acked + 1
    assert timeline(Tally())["answers"] == []


def test_starts_peak_and_merge_keep_start_times():
    merged = Tally.merge([worker_tally(1000.0).to_dict(), worker_tally(1000.2).to_dict()])
    assert sorted(merged.start_acked_at) == [1000.01, 1000.21, 1000.52, 1000.72]
    assert load_figures(merged, think_s=1.0)["attempt_starts_per_s_peak"] == 4
