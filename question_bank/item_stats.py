"""Item statistics of a round: how hard each question was, how well it told strong entrants from weak ones,
and which options were chosen. Pure: plain values in, frozen dataclasses out.

Every finalised attempt that was given a question is one observation of it, with ``x`` (1 when the chosen keys
are exactly the correct ones of the revision shown, else 0) and ``y`` (the attempt's total score).

- facility ``p = Σx / n``.
- upper-lower discrimination ``D = p_upper − p_lower``: the upper and lower groups are the top and bottom 27% of
  *all* of the round's finalised attempts by score, cut from the round's score histogram. Attempts tied on the
  cut-off score belong to the group with a fractional weight, so each group weighs exactly 27% of the attempts
  whatever the ties and the result does not depend on the order of attempts. ``p_upper`` is the weighted share
  correct among the upper group's attempts that were given the question.
- point-biserial ``r = (nΣxy − ΣxΣy) / √((nΣx − (Σx)²)(nΣy² − (Σy)²))``, the Pearson correlation of ``x`` and
  ``y`` (the total includes the item itself, as in the usual uncorrected index).
- option shares: attempts whose choice contains the key ÷ n; "no answer" counts attempts with no or an empty
  choice. For single-answer questions the shares and "no answer" add up to 1; a multiple-answer choice counts
  towards each key it names.

Undefined values are ``None``, never a division by zero: facility with n = 0; D when the round's scores do not
spread (every attempt has the same score: the groups would be the same attempts) or when no attempt of one group
was given the question; r when n < 2 or when x or y does not vary among the question's attempts.
Accumulation uses integers only (weights are applied at the end), so sums are exact and order-independent.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

GROUP_FRACTION = 0.27


@dataclass(frozen=True)
class ScoreGroups:
    """Who is in the upper and lower groups, by score: every attempt above ``upper_cut`` and, with weight
    ``upper_edge``, each attempt scoring exactly ``upper_cut`` (likewise below ``lower_cut``)."""

    upper_cut: int
    upper_edge: float
    lower_cut: int
    lower_edge: float
    spread: bool  # False when every attempt has the same score

    def upper_weight(self, score: int) -> float:
        return 1.0 if score > self.upper_cut else self.upper_edge if score == self.upper_cut else 0.0

    def lower_weight(self, score: int) -> float:
        return 1.0 if score < self.lower_cut else self.lower_edge if score == self.lower_cut else 0.0


def score_groups(histogram: Mapping[int, int], fraction: float = GROUP_FRACTION) -> ScoreGroups | None:
    """The groups for a round whose finalised attempts' scores are ``{score: count}``; None when it has none."""
    counts = {score: count for score, count in histogram.items() if count > 0}
    total = sum(counts.values())
    if not total:
        return None
    size = fraction * total
    upper_cut, upper_edge = _cut(sorted(counts.items(), reverse=True), size)
    lower_cut, lower_edge = _cut(sorted(counts.items()), size)
    return ScoreGroups(upper_cut, upper_edge, lower_cut, lower_edge, spread=len(counts) > 1)


def _cut(ordered: list[tuple[int, int]], size: float) -> tuple[int, float]:
    """Walking scores from the best (or worst) end, the score where ``size`` attempts are reached, and the
    weight of each attempt with that score."""
    taken = 0
    for score, count in ordered:
        if taken + count >= size:
            return score, (size - taken) / count
        taken += count
    score, _count = ordered[-1]  # unreachable for fraction ≤ 1; kept for safety
    return score, 1.0


@dataclass(frozen=True)
class ItemSummary:
    """What is stored, shown and exported of a question's statistics in a round (the counts are not kept)."""

    question_id: int
    n: int
    facility: float | None
    discrimination: float | None
    point_biserial: float | None
    option_shares: dict[str, float]  # by original key, every key shown
    no_answer_share: float | None
    correct_keys: tuple[str, ...]


@dataclass(frozen=True)
class ItemStats:
    question_id: int
    n: int  # attempts given the question
    correct: int
    facility: float | None
    discrimination: float | None  # upper-lower D
    point_biserial: float | None
    option_counts: dict[str, int]  # by original key, every key shown
    no_answer: int
    correct_keys: tuple[str, ...]
    upper_n: float = 0.0  # weight of the upper group's attempts given the question
    lower_n: float = 0.0

    @property
    def option_shares(self) -> dict[str, float]:
        return {key: count / self.n for key, count in self.option_counts.items()} if self.n else {}

    @property
    def no_answer_share(self) -> float | None:
        return self.no_answer / self.n if self.n else None

    def summary(self) -> ItemSummary:
        return ItemSummary(self.question_id, self.n, self.facility, self.discrimination, self.point_biserial,
                           self.option_shares, self.no_answer_share, self.correct_keys)


@dataclass
class ItemAccumulator:
    """Running sums for one question; integers only."""

    question_id: int
    n: int = 0
    sum_x: int = 0
    sum_y: int = 0
    sum_yy: int = 0
    sum_xy: int = 0
    # [attempts, correct] in the upper/lower group with full weight, and on the cut-off score (edge weight)
    upper_full: list[int] = field(default_factory=lambda: [0, 0])
    upper_edge: list[int] = field(default_factory=lambda: [0, 0])
    lower_full: list[int] = field(default_factory=lambda: [0, 0])
    lower_edge: list[int] = field(default_factory=lambda: [0, 0])
    options: dict[str, int] = field(default_factory=dict)  # keys chosen at least once
    shown: set[str] = field(default_factory=set)
    no_answer: int = 0
    correct_keys: set[str] = field(default_factory=set)

    def add(self, *, score: int, choice: Collection[str], shown: Iterable[str], correct: Collection[str],
            groups: ScoreGroups | None) -> None:
        x = int(bool(choice) and frozenset(choice) == frozenset(correct))
        self.n += 1
        self.sum_x += x
        self.sum_y += score
        self.sum_yy += score * score
        self.sum_xy += x * score
        self.shown.update(shown)
        if choice:
            options = self.options
            for key in choice:
                options[key] = options.get(key, 0) + 1
        else:
            self.no_answer += 1
        self.correct_keys.update(correct)
        if groups is not None:
            if score > groups.upper_cut:
                _tally(self.upper_full, x)
            elif score == groups.upper_cut:
                _tally(self.upper_edge, x)
            if score < groups.lower_cut:
                _tally(self.lower_full, x)
            elif score == groups.lower_cut:
                _tally(self.lower_edge, x)

    def result(self, groups: ScoreGroups | None) -> ItemStats:
        upper_n = lower_n = 0.0
        discrimination = None
        if groups is not None:
            upper_n, upper_c = _weighted(self.upper_full, self.upper_edge, groups.upper_edge)
            lower_n, lower_c = _weighted(self.lower_full, self.lower_edge, groups.lower_edge)
            if groups.spread and upper_n > 0 and lower_n > 0:
                discrimination = _clamp(upper_c / upper_n - lower_c / lower_n)
        return ItemStats(
            question_id=self.question_id, n=self.n, correct=self.sum_x,
            facility=self.sum_x / self.n if self.n else None, discrimination=discrimination,
            point_biserial=point_biserial(self.n, self.sum_x, self.sum_y, self.sum_yy, self.sum_xy),
            option_counts={key: self.options.get(key, 0) for key in sorted(self.shown | self.options.keys())},
            no_answer=self.no_answer,
            correct_keys=tuple(sorted(self.correct_keys)), upper_n=upper_n, lower_n=lower_n,
        )


def _tally(cell: list[int], x: int) -> None:
    cell[0] += 1
    cell[1] += x


def _weighted(full: list[int], edge: list[int], weight: float) -> tuple[float, float]:
    return full[0] + weight * edge[0], full[1] + weight * edge[1]


def _clamp(value: float) -> float:
    return max(-1.0, min(1.0, value))


def point_biserial(n: int, sum_x: int, sum_y: int, sum_yy: int, sum_xy: int) -> float | None:
    """Pearson's r between a 0/1 item score and the total, from integer sums (``Σx² = Σx``); None when
    undefined (n < 2, or either side does not vary)."""
    if n < 2:
        return None
    var_x = n * sum_x - sum_x * sum_x
    var_y = n * sum_yy - sum_y * sum_y
    if var_x <= 0 or var_y <= 0:
        return None
    return _clamp((n * sum_xy - sum_x * sum_y) / math.sqrt(var_x * var_y))


class RoundAccumulator:
    """One pass over a round's finalised attempts, one question or every question."""

    def __init__(self, groups: ScoreGroups | None, *, only: int | None = None):
        self.groups = groups
        self.only = only
        self.items: dict[int, ItemAccumulator] = {}

    def add_attempt(self, *, score: int, paper: Sequence[Mapping], answers: Mapping[int, Collection[str]],
                    correct: Mapping[int, Collection[str]]) -> None:
        """``paper`` as stored on the attempt, ``answers`` ``{slot: original keys}``, ``correct`` the correct keys
        by revision id (every revision of the paper)."""
        for slot, item in enumerate(paper):
            question_id = item["q"]
            if self.only is not None and question_id != self.only:
                continue
            accumulator = self.items.get(question_id)
            if accumulator is None:
                accumulator = self.items[question_id] = ItemAccumulator(question_id)
            accumulator.add(score=score, choice=answers.get(slot, ()), shown=item["opts"],
                            correct=correct[item["rev"]], groups=self.groups)

    def results(self) -> dict[int, ItemStats]:
        return {question_id: self.items[question_id].result(self.groups) for question_id in sorted(self.items)}


@dataclass(frozen=True)
class AttemptRecord:
    """A finalised attempt as the statistics need it (for callers that hold attempts in memory)."""

    score: int
    paper: Sequence[Mapping]
    answers: Mapping[int, Collection[str]]


def item_stats(attempts: Sequence[AttemptRecord], correct: Mapping[int, Collection[str]],
               fraction: float = GROUP_FRACTION) -> dict[int, ItemStats]:
    """Statistics per question id of ``attempts`` (all of one round's finalised attempts)."""
    histogram: dict[int, int] = {}
    for attempt in attempts:
        histogram[attempt.score] = histogram.get(attempt.score, 0) + 1
    accumulator = RoundAccumulator(score_groups(histogram, fraction))
    for attempt in attempts:
        accumulator.add_attempt(score=attempt.score, paper=attempt.paper, answers=attempt.answers, correct=correct)
    return accumulator.results()
