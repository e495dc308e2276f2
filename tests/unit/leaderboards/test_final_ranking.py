"""The final ranking's pure core: true values, best attempt per entrant with the prediction tie-break against a
reference sort, rescoring with voided questions; and the per-process watcher registry and ticker."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from contest.leaderboards.keys.ranking import Ranking, TieBreak
from contest.leaderboards.results.final import Tried, corrected_score, rank_entrants, true_value
from contest.leaderboards.watch import BoardKey, BoardTicker, BoardWatchers, Snapshots
from contest.rounds.models import Prediction

T0 = datetime(2025, 5, 1, tzinfo=UTC)

tries = st.lists(st.tuples(st.integers(1, 6), st.integers(0, 5), st.integers(0, 4), st.integers(0, 3),
                           st.one_of(st.none(), st.integers(0, 8))), min_size=1, max_size=30)


def attempts_of(raw) -> list[Tried]:
    return [Tried(n + 1, user, None, score, 5, duration * 1000, T0 + timedelta(seconds=at), guess)
            for n, (user, score, duration, at, guess) in enumerate(raw)]


@given(tries, st.sampled_from([Prediction.FULL_MARKS, Prediction.ENTRANTS, Prediction.OFF]))
def test_ranks_match_a_plain_sort_of_each_entrants_best(raw, target):
    attempts = attempts_of(raw)
    truth = true_value(target, attempts)
    rows = rank_entrants(attempts, Ranking(final=True), truth)

    def reference(t: Tried):
        error = (2 ** 48 - 1) if truth is None or t.prediction is None else abs(t.prediction - truth)
        return (-t.score, error, t.duration_ms, t.finished_at, t.user_id, t.attempt_id)

    best = {}
    for t in sorted(attempts, key=reference):
        best.setdefault(t.user_id, t)
    expected = sorted(best.values(), key=reference)
    assert [(r.user_id, r.attempt_id) for r in rows] == [(t.user_id, t.attempt_id) for t in expected]
    assert [r.rank for r in rows] == list(range(1, len(rows) + 1))
    assert {r.user_id: r.attempts for r in rows} == {u: sum(1 for t in attempts if t.user_id == u) for u in best}


def test_true_values_and_a_prediction_that_breaks_a_tie():
    attempts = attempts_of([(1, 5, 3, 0, 1), (2, 5, 3, 0, 2), (3, 4, 1, 0, 2), (3, 5, 4, 1, None)])
    assert true_value(Prediction.FULL_MARKS, attempts) == 3
    assert true_value(Prediction.ENTRANTS, attempts) == 3
    assert true_value(Prediction.OFF, attempts) is None
    rows = rank_entrants(attempts, Ranking(final=True), 3)
    assert [(r.user_id, r.prediction_error) for r in rows] == [(2, 1), (1, 2), (3, None)]
    later = Ranking((TieBreak.DURATION, TieBreak.PREDICTION), final=True)
    assert [r.user_id for r in rank_entrants(attempts, later, 3)] == [2, 1, 3]


def test_a_voided_question_counts_as_correct_for_whoever_was_given_it():
    paper = [{"q": 10, "rev": 100}, {"q": 11, "rev": 110}, {"q": 12, "rev": 120}]
    correct = {100: frozenset("A"), 110: frozenset("B"), 120: frozenset({"A", "C"})}
    answers = {0: ["A"], 1: ["C"], 2: ["C", "A"]}
    assert corrected_score(paper, answers, correct, frozenset()) == 2
    assert corrected_score(paper, answers, correct, frozenset({11})) == 3
    assert corrected_score(paper, {}, correct, frozenset({10, 99})) == 1


def test_watchers_spread_over_shard_rooms_and_the_ticker_pushes_only_changes():
    watchers = BoardWatchers(shards=4)
    key, other = BoardKey(1, None), BoardKey(1, 7)
    rooms = [watchers.watch(f"s{n}", key)[0] for n in range(8)]
    assert len(set(rooms)) == 4 and watchers.count(key) == 8
    room, left = watchers.watch("s0", other)
    assert left == rooms[0] and room.startswith("board:1:7:") and watchers.count(key) == 7
    versions = {key: "a", other: "x"}
    sent = []
    ticker = BoardTicker(watchers, Snapshots(), lambda k: ({"k": k}, versions[k]),
                         lambda room, snapshot: sent.append(room), pause=lambda s: None)
    assert ticker.tick() == 2 and len(sent) == 5  # four shard rooms of the first board, one of the other
    sent.clear()
    assert ticker.tick() == 0 and sent == []
    versions[key] = "b"
    assert ticker.tick() == 1 and len(sent) == 4
    for n in range(1, 8):
        watchers.unwatch(f"s{n}")
    assert watchers.boards() == [other]
    ticker.tick()
    assert key not in ticker.pushed
