"""Fair-play signals, computed from what is stored about attempts. Pure code: no database, no Flask; ``now`` comes in.

Each signal is a ``Finding`` with a weight; an attempt whose findings weigh ``Thresholds.flag_strength`` or more
goes to the organisers' review queue (``contest.fairplay.review``). No finding excludes anyone: only an organiser's
confirmation does. Every threshold below can be changed per contest (``fairplay_settings``, the organiser's fair-play
settings page); what each means and why its default is what it is:

==========================  =====================================================================================
``read_chars_per_s``        25: a fast reader reads about 15-25 characters a second of Vietnamese; an answer that
                            comes sooner than ``min_answer_s`` plus the question's length read at this speed is
                            faster than reading it
``min_answer_s``            0.8: seeing the options and tapping one, with no reading at all
``fast_answers``            5: at least this many answers faster than reading (and ``fast_share`` of them)
``fast_share``              0.5: … making at least half of the attempt's answers
``total_s_per_question``    2: an attempt finished in less than this many seconds a question in all
``regular_cv``              0.25: the intervals between answers vary less than this (their standard deviation over
                            their mean): people's vary by 0.5 and more, as questions differ in length and
                            difficulty; a script with a random delay drawn from a fixed range varies by about 0.2
``regular_min``             8: … over at least this many intervals
``same_sequence_group``     3: this many entrants or more gave the same answers in the same order with the same
                            timings, to ``timing_bucket_s`` (1 s), over ``min_answers`` (5) answers or more
``device_entrants``         3: this many entrants or more played from one device id
``address_entrants``        40: this many entrants or more played from one address (a school behind one address is
                            normal: a weak signal, and a high bar)
``burst_registrations``     10: this many accounts or more registered from one address within
``burst_window_s``          600 seconds
``accuracy_jump``           0.5: an entrant's share of correct answers rose by this much from one attempt to the next
``flag_strength``           1.0: the findings' weights added up at which an attempt is flagged for review
==========================  =====================================================================================
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, fields

# How much each kind of finding weighs towards ``flag_strength``: a clear sign of a script weighs a flag on its own;
# what also happens among honest entrants (a shared address, a better second attempt) only adds to others.
WEIGHTS = {
    "fast_answers": 1.0, "same_sequence": 1.0, "short_total": 0.6, "regular_intervals": 0.6,
    "shared_device": 0.6, "registration_burst": 0.4, "accuracy_jump": 0.3, "shared_address": 0.2,
}


@dataclass(frozen=True)
class Thresholds:
    read_chars_per_s: float = 25.0
    min_answer_s: float = 0.8
    fast_answers: int = 5
    fast_share: float = 0.5
    total_s_per_question: float = 2.0
    regular_cv: float = 0.25
    regular_min: int = 8
    same_sequence_group: int = 3
    timing_bucket_s: float = 1.0
    min_answers: int = 5
    device_entrants: int = 3
    address_entrants: int = 40
    burst_registrations: int = 10
    burst_window_s: int = 600
    accuracy_jump: float = 0.5
    flag_strength: float = 1.0

    @classmethod
    def with_overrides(cls, overrides: dict | None) -> Thresholds:
        """The defaults with a contest's own values (unknown names are ignored, each value cast to its type)."""
        known = {field.name: field.type for field in fields(cls)}
        values = {}
        for name, value in (overrides or {}).items():
            if name in known:
                values[name] = int(value) if known[name] in ("int", int) else float(value)
        return cls(**values)

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class Finding:
    """One signal on one attempt: its ``code``, weight and the numbers its evidence is put in words with."""

    code: str
    weight: float
    params: dict

    def as_dict(self) -> dict:
        return {"code": self.code, "weight": self.weight, "params": self.params}


@dataclass(frozen=True)
class AnswerFact:
    question_id: int
    chars: int  # the length of what the entrant had to read: the question and its options
    choice: str  # the option keys chosen, joined
    at: float  # epoch seconds


@dataclass
class AttemptSummary:
    """What the cross-attempt signals need of one attempt, once its own signals are found (kept small: a national
    round has a hundred thousand of them)."""

    attempt_id: int
    user_id: int
    round_id: int
    started_at: float
    accuracy: float | None
    sequence: int | None  # a hash of its answers in order with their timings, None when too few answers
    findings: list[Finding]


def own_findings(started_at: float, answers: Sequence[AnswerFact], *, questions: int, duration_s: float | None,
                 th: Thresholds, now: float) -> tuple[list[Finding], int | None]:
    """The signals of one attempt from its own answers (ordered by time), and its sequence key. An attempt still
    in progress (``duration_s`` None) is timed up to ``now``."""
    found: list[Finding] = []
    intervals, previous = [], started_at
    fast = 0
    fast_seconds = 0.0
    for answer in answers:
        interval = max(0.0, answer.at - previous)
        intervals.append(interval)
        if interval < th.min_answer_s + answer.chars / th.read_chars_per_s:
            fast += 1
            fast_seconds += interval
        previous = answer.at
    if answers and fast >= th.fast_answers and fast >= th.fast_share * len(answers):
        found.append(Finding("fast_answers", WEIGHTS["fast_answers"],
                             {"count": fast, "seconds": round(fast_seconds, 1), "answers": len(answers)}))
    total = duration_s if duration_s is not None else max(0.0, now - started_at)
    if answers and len(answers) >= th.min_answers and total < questions * th.total_s_per_question:
        found.append(Finding("short_total", WEIGHTS["short_total"], {"seconds": round(total, 1),
                                                                      "questions": questions}))
    gaps = intervals[1:]  # the first one includes opening the page
    if len(gaps) >= th.regular_min:
        mean = sum(gaps) / len(gaps)
        if mean > 0:
            cv = math.sqrt(sum((gap - mean) ** 2 for gap in gaps) / len(gaps)) / mean
            if cv < th.regular_cv:
                found.append(Finding("regular_intervals", WEIGHTS["regular_intervals"],
                                     {"cv": round(cv, 2), "intervals": len(gaps), "mean_s": round(mean, 1)}))
    sequence = None
    if len(answers) >= th.min_answers:
        bucket = th.timing_bucket_s
        sequence = hash(tuple((a.question_id, a.choice, int(gap // bucket)) for a, gap in zip(answers, intervals,
                                                                                              strict=True)))
    return found, sequence


def cross_findings(summaries: Iterable[AttemptSummary], *, devices: dict[int, Iterable[str]],
                   addresses: dict[int, Iterable[str]], registrations: Sequence[tuple[int, str, float]],
                   th: Thresholds) -> None:
    """Add the signals that compare attempts to each ``summary``'s findings: identical sequences, entrants sharing a
    device or an address (``devices``/``addresses``: per attempt id), registration bursts (``(user id, address,
    epoch seconds)``) and accuracy jumps."""
    summaries = list(summaries)
    groups: dict[tuple[int, int], set[int]] = defaultdict(set)
    for summary in summaries:
        if summary.sequence is not None:
            groups[(summary.round_id, summary.sequence)].add(summary.user_id)
    users_of_device: dict[str, set[int]] = defaultdict(set)
    users_of_address: dict[str, set[int]] = defaultdict(set)
    user_of = {summary.attempt_id: summary.user_id for summary in summaries}
    for attempt_id, used in devices.items():
        for device in used:
            users_of_device[device].add(user_of.get(attempt_id, -1))
    for attempt_id, used in addresses.items():
        for address in used:
            if address:
                users_of_address[address].add(user_of.get(attempt_id, -1))
    bursts = registration_bursts(registrations, th)
    jumps = accuracy_jumps(summaries, th)
    for summary in summaries:
        if summary.sequence is not None:
            same = len(groups[(summary.round_id, summary.sequence)])
            if same >= th.same_sequence_group:
                summary.findings.append(Finding("same_sequence", WEIGHTS["same_sequence"], {"entrants": same}))
        shared = max((len(users_of_device[d]) for d in devices.get(summary.attempt_id, ())), default=0)
        if shared >= th.device_entrants:
            summary.findings.append(Finding("shared_device", WEIGHTS["shared_device"], {"entrants": shared}))
        shared = max((len(users_of_address[a]) for a in addresses.get(summary.attempt_id, ()) if a), default=0)
        if shared >= th.address_entrants:
            summary.findings.append(Finding("shared_address", WEIGHTS["shared_address"], {"entrants": shared}))
        if summary.user_id in bursts:
            summary.findings.append(Finding("registration_burst", WEIGHTS["registration_burst"],
                                            {"accounts": bursts[summary.user_id],
                                             "minutes": round(th.burst_window_s / 60)}))
        if summary.attempt_id in jumps:
            before, after = jumps[summary.attempt_id]
            summary.findings.append(Finding("accuracy_jump", WEIGHTS["accuracy_jump"],
                                            {"before": round(100 * before), "after": round(100 * after)}))


def registration_bursts(registrations: Sequence[tuple[int, str, float]], th: Thresholds) -> dict[int, int]:
    """``{user id: accounts}`` for accounts registered in a burst: ``burst_registrations`` or more from one address
    within ``burst_window_s``; the count is the largest such burst the account is in."""
    by_address: dict[str, list[tuple[float, int]]] = defaultdict(list)
    for user_id, address, at in registrations:
        if address:
            by_address[address].append((at, user_id))
    found: dict[int, int] = {}
    for times in by_address.values():
        if len(times) < th.burst_registrations:
            continue
        times.sort()
        end = 0
        for start in range(len(times)):
            end = max(end, start)
            while end < len(times) and times[end][0] - times[start][0] <= th.burst_window_s:
                end += 1
            count = end - start
            if count >= th.burst_registrations:
                for _at, user_id in times[start:end]:
                    found[user_id] = max(found.get(user_id, 0), count)
    return found


def accuracy_jumps(summaries: Sequence[AttemptSummary], th: Thresholds) -> dict[int, tuple[float, float]]:
    """``{attempt id: (accuracy before, accuracy now)}`` for attempts whose share of correct answers rose by
    ``accuracy_jump`` or more over the same entrant's previous attempt in the contest."""
    by_user: dict[int, list[AttemptSummary]] = defaultdict(list)
    for summary in summaries:
        if summary.accuracy is not None:
            by_user[summary.user_id].append(summary)
    found = {}
    for attempts in by_user.values():
        if len(attempts) < 2:
            continue
        attempts.sort(key=lambda s: s.started_at)
        for before, after in zip(attempts, attempts[1:], strict=False):
            if after.accuracy - before.accuracy >= th.accuracy_jump:
                found[after.attempt_id] = (before.accuracy, after.accuracy)
    return found


def strength(findings: Iterable[Finding]) -> float:
    return round(sum(finding.weight for finding in findings), 2)


def flagged(findings: Sequence[Finding], th: Thresholds) -> bool:
    """Whether an attempt goes to the review queue: its findings weigh ``flag_strength`` together."""
    return bool(findings) and strength(findings) >= th.flag_strength
