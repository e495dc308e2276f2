"""An entrant's placement on a board, computed from their results: the best of a round's attempts, and a contest's
result from the best of each of its rounds. Pure code: rows in (as ``reads.finished_attempts`` gives them), placements
out; the rankings and unit paths come in from the caller."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from itertools import groupby

from contest.attempts.timing import epoch_ms
from contest.leaderboards.keys.encoding import encode, layout_for
from contest.leaderboards.keys.ranking import LIVE, Ranking, Result
from contest.leaderboards.models import Aggregate
from contest.leaderboards.stores.interface import Placement


def ancestors(path: str) -> tuple[int, ...]:
    """A unit's materialised path ``/1/4/9/`` -> ``(1, 4, 9)``, root first."""
    return tuple(int(part) for part in path.strip("/").split("/") if part)


def result_of(user_id: int, attempt_id: int, score: int, duration_ms: int, finished_at) -> Result:
    return Result(entrant_id=user_id, attempt_id=attempt_id, score=score, duration_ms=duration_ms,
                  finished_ms=epoch_ms(finished_at))


def results_of(rows: Iterable) -> list[Result]:
    """Rows with ``user_id, id, score, duration_ms, finished_at`` -> their ``Result``s."""
    return [result_of(row.user_id, row.id, row.score, row.duration_ms, row.finished_at) for row in rows]


def contest_result(per_round: list[Result], aggregate: Aggregate) -> Result:
    """An entrant's contest result from their best result of each round."""
    if aggregate == Aggregate.BEST:
        return LIVE.best(per_round)
    return Result(entrant_id=per_round[0].entrant_id, attempt_id=0, score=sum(r.score for r in per_round),
                  duration_ms=sum(r.duration_ms for r in per_round), finished_ms=max(r.finished_ms for r in per_round))


def contest_placement(rows: list, aggregate: Aggregate, ranking_of: Callable[[int], Ranking],
                      units: tuple[int, ...]) -> Placement | None:
    """One entrant's rows of a contest (any order) -> their placement on its board: each round's best by the round's
    own ranking (``ranking_of(round_id)``), added up as ``aggregate`` says; None without rows."""
    if not rows:
        return None
    per_round = [ranking_of(round_id).best(results_of(group))
                 for round_id, group in groupby(sorted(rows, key=lambda row: row.round_id),
                                                key=lambda row: row.round_id)]
    return Placement(rows[0].user_id, encode(LIVE, contest_result(per_round, aggregate)), units)


def best_placements(rows, ranking: Ranking, units: dict[int, tuple[int, ...]]) -> Iterator[Placement]:
    """Rows ``(user, attempt, score, duration, finished_at, unit)`` ordered by user -> each user's best placement.
    The hot loop of a rebuild (a million rows): bare tuples compared like ``Ranking.key`` within one entrant."""
    layout = layout_for(ranking)
    values_of = ranking.values_of
    current = best = best_unit = None
    for user_id, attempt_id, score, duration_ms, finished_at, unit_id in rows:
        key = (*values_of(score, duration_ms, epoch_ms(finished_at)), attempt_id)
        if user_id != current:
            if current is not None:
                yield Placement(current, layout.encode(best[:-1], current), units.get(best_unit, ()))
            current, best, best_unit = user_id, key, unit_id
        elif key < best:
            best, best_unit = key, unit_id
    if current is not None:
        yield Placement(current, layout.encode(best[:-1], current), units.get(best_unit, ()))
