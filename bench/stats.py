"""Tallies kept by each worker, merged by the harness, and the report maths. Pure code (no gevent, no I/O)."""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field

# The events whose acknowledgement latency is kept, plus the namespace connect.
TIMED = ("connect", "attempt_start", "answer", "attempt_submit")


def percentile(values: list[float], pct: float) -> float | None:
    """Nearest-rank percentile of ``values`` (None when empty): the smallest value with ``pct``% at or below it."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(pct / 100 * len(ordered)))
    return ordered[rank - 1]


def latency_summary(values_ms: list[float]) -> dict:
    """p50/p95/p99/max in milliseconds, rounded to 0.1 ms; all None when nothing was measured."""
    ordered = sorted(values_ms)

    def at(pct: float):
        value = percentile(ordered, pct)
        return None if value is None else round(value, 1)

    return {"n": len(ordered), "p50": at(50), "p95": at(95), "p99": at(99), "max": at(100)}


def rate(count: int, window: list[float] | None) -> float | None:
    """Events per second over ``[first sent, last acknowledged]`` (epoch seconds)."""
    if not count or not window:
        return None
    seconds = window[1] - window[0]
    return round(count / seconds, 1) if seconds > 0 else None


def ratio(app: float | None, bare: float | None) -> float | None:
    if app is None or not bare:
        return None
    return round(app / bare, 3)


@dataclass
class Tally:
    """What one worker counted. Serialised with ``to_dict`` and merged with ``merge``; all times epoch seconds."""

    connected: int = 0
    attempt_starts: int = 0
    resumed_attempts: int = 0  # attempt_start gave back an attempt that already held answers
    answers_acked: int = 0
    submits: int = 0
    finished: int = 0
    unfinished: int = 0  # stopped by an error or by the duration cap before submitting
    questions: int = 0  # the longest paper seen
    errors: Counter = field(default_factory=Counter)
    server_events: Counter = field(default_factory=Counter)
    latency_ms: dict[str, list[float]] = field(default_factory=lambda: {name: [] for name in TIMED})
    windows: dict[str, list[float]] = field(default_factory=dict)
    answer_acked_at: list[float] = field(default_factory=list)  # parallel to latency_ms["answer"]
    start_acked_at: list[float] = field(default_factory=list)
    # [attempt id, slot, seq] of every acknowledged answer, when the run keeps them (LoadSpec.record_acks): the
    # fault tests look each one up in the database.
    acked_answers: list[list] = field(default_factory=list)
    cpu_s: float = 0.0

    def timed(self, name: str, sent: float, acked: float) -> None:
        """One acknowledgement of ``name`` sent at ``sent`` and acknowledged at ``acked``."""
        self.latency_ms[name].append(round((acked - sent) * 1000, 2))
        window = self.windows.get(name)
        if window is None:
            self.windows[name] = [sent, acked]
        else:
            window[0], window[1] = min(window[0], sent), max(window[1], acked)
        if name == "answer":
            self.answer_acked_at.append(round(acked, 3))
        elif name == "attempt_start":
            self.start_acked_at.append(round(acked, 3))

    def to_dict(self) -> dict:
        return {name: getattr(self, name) for name in self.__dataclass_fields__}

    @classmethod
    def merge(cls, parts: list[dict]) -> Tally:
        total = cls()
        for part in parts:
            for name in ("connected", "attempt_starts", "resumed_attempts", "answers_acked", "submits", "finished",
                         "unfinished", "cpu_s"):
                setattr(total, name, getattr(total, name) + part[name])
            total.questions = max(total.questions, part["questions"])
            total.errors.update(part["errors"])
            total.server_events.update(part["server_events"])
            total.answer_acked_at.extend(part["answer_acked_at"])
            total.start_acked_at.extend(part.get("start_acked_at", []))
            total.acked_answers.extend(part.get("acked_answers", []))
            for name, values in part["latency_ms"].items():
                total.latency_ms[name].extend(values)
            for name, (first, last) in part["windows"].items():
                window = total.windows.setdefault(name, [first, last])
                window[0], window[1] = min(window[0], first), max(window[1], last)
        return total


def plateau(tally: Tally, think_s: float) -> tuple[float, float] | None:
    """The stretch where every entrant is answering: from the last attempt start plus one think time to the first
    submit. Its rate is the offered load the server kept up with (ramps excluded); None when the run had none."""
    started, submitted = tally.windows.get("attempt_start"), tally.windows.get("attempt_submit")
    if not started or not submitted:
        return None
    begin, end = started[1] + think_s, submitted[0]
    return (begin, end) if end - begin >= 1.0 else None


def plateau_figures(tally: Tally, think_s: float) -> dict:
    stretch = plateau(tally, think_s)
    if stretch is None:
        return {"seconds": None, "answers_per_s": None, "ack_ms": latency_summary([])}
    begin, end = stretch
    inside = [latency for latency, acked in zip(tally.latency_ms["answer"], tally.answer_acked_at, strict=True)
              if begin <= acked < end]
    return {"seconds": round(end - begin, 1), "answers_per_s": round(len(inside) / (end - begin), 1),
            "ack_ms": latency_summary(inside)}


def peak_per_second(moments: list[float]) -> int | None:
    """The most events in one whole second (the first and last seconds are partial, and count less)."""
    per_second = Counter(int(moment) for moment in moments)
    return max(per_second.values()) if per_second else None


def timeline(tally: Tally) -> dict:
    """Second by second from the first connect: answers acknowledged, their p99 (ms, None in a second without
    any) and attempt starts acknowledged; what bench/chart.py draws."""
    connects = tally.windows.get("connect")
    if not connects or not tally.answer_acked_at:
        return {"t0": None, "answers": [], "answer_p99_ms": [], "starts": []}
    t0 = connects[0]
    seconds = int(max(tally.answer_acked_at) - t0) + 1
    latencies: list[list[float]] = [[] for _ in range(seconds)]
    for latency, acked in zip(tally.latency_ms["answer"], tally.answer_acked_at, strict=True):
        latencies[int(acked - t0)].append(latency)
    starts = [0] * seconds
    for acked in tally.start_acked_at:
        if acked - t0 < seconds:
            starts[int(acked - t0)] += 1
    return {"t0": round(t0, 3), "answers": [len(second) for second in latencies],
            "answer_p99_ms": [percentile(second, 99) for second in latencies], "starts": starts}


def load_figures(tally: Tally, think_s: float) -> dict:
    """The load part of the JSON line: counts, rates and latencies."""
    return {
        "connected": tally.connected,
        "questions": tally.questions,
        "attempt_starts": tally.attempt_starts,
        "attempt_starts_per_s": rate(tally.attempt_starts, tally.windows.get("attempt_start")),
        "attempt_starts_per_s_peak": peak_per_second(tally.start_acked_at),
        "answers_acked": tally.answers_acked,
        "answers_per_s": rate(tally.answers_acked, tally.windows.get("answer")),
        "answers_per_s_peak": peak_per_second(tally.answer_acked_at),
        "ack_ms": latency_summary(tally.latency_ms["answer"]),
        "plateau": plateau_figures(tally, think_s),
        "start_ack_ms": latency_summary(tally.latency_ms["attempt_start"]),
        "submit_ack_ms": latency_summary(tally.latency_ms["attempt_submit"]),
        "connect_ms": latency_summary(tally.latency_ms["connect"]),
        "submits": tally.submits,
        "finished": tally.finished,
        "unfinished": tally.unfinished,
        "resumed_attempts": tally.resumed_attempts,
        "errors": dict(sorted(tally.errors.items())),
        "server_events": dict(sorted(tally.server_events.items())),
        "client_cpu_s": round(tally.cpu_s, 2),
        "timeline": timeline(tally),
    }


def rss_per_connection_kib(before_kib: int | None, peak_kib: int | None, connections: int) -> float | None:
    if before_kib is None or peak_kib is None or connections <= 0:
        return None
    return round((peak_kib - before_kib) / connections, 1)


def comparison(app: dict, bare: dict) -> dict:
    """app ÷ bare for the figures DESIGN.md §5 quotes as ratios."""
    return {
        "answers_per_s": ratio(app.get("answers_per_s"), bare.get("answers_per_s")),
        "ack_p50": ratio(app["ack_ms"]["p50"], bare["ack_ms"]["p50"]),
        "ack_p99": ratio(app["ack_ms"]["p99"], bare["ack_ms"]["p99"]),
        "plateau_answers_per_s": ratio(app["plateau"]["answers_per_s"], bare["plateau"]["answers_per_s"]),
        "plateau_ack_p99": ratio(app["plateau"]["ack_ms"]["p99"], bare["plateau"]["ack_ms"]["p99"]),
        "attempt_starts_per_s": ratio(app.get("attempt_starts_per_s"), bare.get("attempt_starts_per_s")),
        "rss_per_connection": ratio(app["server"].get("rss_per_connection_kib"),
                                    bare["server"].get("rss_per_connection_kib")),
        "server_cpu_per_answer": ratio(app["server"].get("cpu_ms_per_answer"),
                                         bare["server"].get("cpu_ms_per_answer")),
    }
