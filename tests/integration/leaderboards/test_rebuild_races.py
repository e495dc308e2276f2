"""A rebuild (clear, read the database, load what was read) while entrants go on being recorded, on the in-process
store and, with ``REDIS_URL``, on Redis: whichever of a load and a record comes second, every entrant is on each of
their boards once, with the key the family keeps, and no result is lost."""

from __future__ import annotations

import random
from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from contest.db import utcnow
from contest.leaderboards.keys.encoding import encode
from contest.leaderboards.keys.ranking import Ranking, Result
from contest.leaderboards.models import Aggregate
from contest.leaderboards.stores.families import family_of_contest, family_of_round
from contest.leaderboards.stores.interface import Placement, Ranked
from contest.rounds.models import Round
from tests.integration.leaderboards.conftest import STORES, drop, make_attempt, make_store
from tests.integration.leaderboards.test_contest_boards import two_rounds

LIVE = Ranking()
# province 1 > districts 10, 11 > schools 100, 101 (district 10) and 110 (district 11)
SCHOOLS = {100: (1, 10, 100), 101: (1, 10, 101), 110: (1, 11, 110)}
UNITS = (None, 1, 10, 11, 100, 101, 110)


def placed(entrant: int, score: int, duration_ms: int, school: int = 100, attempt: int = 1) -> Placement:
    """An entrant's result; the attempt number is also the second it was submitted in, so that an entrant's
    attempts differ in their Redis members, not only in their scores."""
    return Placement(entrant, encode(LIVE, Result(entrant, attempt, score, duration_ms,
                                                  1_700_000_000_000 + 1000 * attempt)), SCHOOLS[school])


def boards_hold(store, family: str, expected: list[Placement]) -> None:
    """Each board (everyone, every unit) holds exactly the expected entrants, once each, in key order; count, top
    and rank agree."""
    assert len({p.entrant_id for p in expected}) == len(expected)
    for unit in UNITS:
        on = sorted((p for p in expected if unit is None or unit in p.units), key=lambda p: tuple(p.key))
        assert store.count(family, unit) == len(on)
        assert store.top(family, unit, 0, len(on) + 5) == [Ranked(n, p.entrant_id, p.key)
                                                            for n, p in enumerate(on, start=1)]
        for n, p in enumerate(on, start=1):
            assert store.rank(family, unit, p.entrant_id) == Ranked(n, p.entrant_id, p.key)


@pytest.mark.parametrize("recorded_is_better", [True, False])
def test_a_record_after_the_clear_meets_an_older_snapshot_and_the_better_key_stays(store, recorded_is_better):
    an_old, an_new = placed(1, 7, 9000, attempt=1), placed(1, 9 if recorded_is_better else 5, 8000, attempt=2)
    others = [placed(2, 8, 1000, 101), placed(3, 6, 1000, 110)]
    store.load("r1", [an_old, *others])
    store.clear("r1")
    store.record("r1", an_new)  # An's second attempt, finalised after the clear
    # The rebuild's read began before that attempt was committed (or it is worse than An's first)
    assert store.load("r1", [an_old, *others]) == 3
    boards_hold(store, "r1", [an_new if recorded_is_better else an_old, *others])
    # Later records still find the one entry.
    store.record("r1", placed(1, 10, 1, attempt=3))
    boards_hold(store, "r1", [placed(1, 10, 1, attempt=3), *others])


def test_after_a_load_a_better_record_replaces_and_a_worse_one_stays(store):
    snapshot = [placed(1, 7, 9000), placed(2, 8, 1000, 101), placed(3, 6, 1000, 110)]
    store.load("r1", snapshot)
    assert store.record("r1", placed(1, 8, 9000, attempt=2))
    assert not store.record("r1", placed(2, 8, 1001, 101, attempt=2))
    boards_hold(store, "r1", [placed(1, 8, 9000, attempt=2), *snapshot[1:]])


def test_an_entrant_who_moved_school_leaves_the_old_schools_boards(store):
    store.record("r1", placed(1, 9, 1000, 110, attempt=2))  # recorded after the clear, at the new school
    store.load("r1", [placed(1, 5, 1000, 100), placed(2, 5, 1000, 101)])
    boards_hold(store, "r1", [placed(1, 9, 1000, 110, attempt=2), placed(2, 5, 1000, 101)])
    store.clear("r1")
    store.record("r1", placed(1, 4, 1000, 110, attempt=2))
    store.load("r1", [placed(1, 5, 1000, 100), placed(2, 5, 1000, 101)])
    boards_hold(store, "r1", [placed(1, 5, 1000, 100), placed(2, 5, 1000, 101)])


def test_with_kept_the_entry_recorded_meanwhile_stays_even_when_worse_and_is_reported(store):
    store.chunk = 2
    store.record("c1", placed(3, 5, 30_000), replace=True)  # a contest sum: a round scored 0 added its time
    kept: list[int] = []
    snapshot = [placed(1, 9, 1000), placed(2, 8, 1000, 101), placed(3, 5, 10_000), placed(4, 1, 1, 110)]
    assert store.load("c1", snapshot, kept=kept) == 4
    assert kept == [3]
    boards_hold(store, "c1", [*snapshot[:2], placed(3, 5, 30_000), snapshot[3]])


@pytest.mark.parametrize("late_is_best", [False, True])
def test_a_record_landing_while_the_family_is_cleared_is_not_left_behind(store, late_is_best):
    """Redis clears a family in several commands: a record may land between them, even on a board that did not
    exist when the clear listed the family's keys. Here the board was lost (a restarted Redis) and is rebuilt: An's
    first attempt, recorded before the loss, is only in the database; the second is recorded mid-clear."""
    store.record("r1", placed(2, 8, 1000, 100))  # recorded since the loss
    first, late = placed(1, 8, 500, 110, attempt=1), placed(1, 9 if late_is_best else 6, 500, 110, attempt=2)
    best = late if late_is_best else first
    if hasattr(store, "redis"):
        listing = store.redis.scan_iter

        def scan_then_record(*args, **kwargs):
            yield from listing(*args, **kwargs)
            store.record("r1", late)  # after the listing, before the boards are unlinked

        store.redis.scan_iter = scan_then_record
        store.clear("r1")
        store.redis.scan_iter = listing
    else:  # the in-process store clears at once
        store.clear("r1")
        store.record("r1", late)
    store.load("r1", [best, placed(2, 8, 1000, 100)])
    boards_hold(store, "r1", [best, placed(2, 8, 1000, 100)])


@pytest.mark.parametrize("kind", STORES)
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.integers(0, 2**32), entrants=st.integers(1, 25), attempts=st.integers(0, 60),
       read=st.floats(0, 1), late=st.floats(0, 1), chunk=st.integers(1, 7))
def test_records_interleaved_with_a_rebuild_leave_each_entrants_best_once(kind, seed, entrants, attempts, read,
                                                                          late, chunk):
    """Attempts are committed in order and each is recorded after its commit. The rebuild clears, reads the first
    ``read`` of them (those committed by then) and loads them chunk by chunk; every attempt is recorded either
    before the clear (wiped, so the read must have it) or at a random moment after it, between any two chunks."""
    rng = random.Random(seed)
    store = make_store(kind)
    store.chunk = chunk
    try:
        school = {e: rng.choice(list(SCHOOLS)) for e in range(1, entrants + 1)}
        committed = [placed(e, rng.choice([8, 9, 10]), rng.choice([1000, 1001, 2000]), school[e], attempt=n)
                     for n, e in enumerate((rng.randint(1, entrants) for _ in range(attempts)), start=1)]
        seen = int(read * len(committed))
        recorded_before = [p for p in committed[:seen] if rng.random() > late]
        recorded_after = [p for p in committed if p not in recorded_before]
        rng.shuffle(recorded_after)
        for p in recorded_before:
            store.record("r1", p)
        for e in rng.sample(range(1, entrants + 1), rng.randint(0, entrants)):  # what the rebuild is to put right
            store.record("r1", placed(e, 30, 1, rng.choice(list(SCHOOLS)), attempt=1000), replace=True)
        store.clear("r1")
        snapshot = {}
        for p in committed[:seen]:
            if p.entrant_id not in snapshot or tuple(p.key) < tuple(snapshot[p.entrant_id].key):
                snapshot[p.entrant_id] = p

        def read_rows():
            pending = list(recorded_after)
            for p in sorted(snapshot.values(), key=lambda p: p.entrant_id):
                while pending and rng.random() < 0.4:
                    store.record("r1", pending.pop())
                yield p
            for p in pending:
                store.record("r1", p)

        assert store.load("r1", read_rows()) == len(snapshot)
        best = {}
        for p in committed:
            if p.entrant_id not in best or tuple(p.key) < tuple(best[p.entrant_id].key):
                best[p.entrant_id] = p
        boards_hold(store, "r1", list(best.values()))
    finally:
        drop(store)


# -- the rebuilds themselves, on the database --------------------------------------------------------------------


def rounds_of(session, contest_id: int) -> list[Round]:
    return list(session.scalars(select(Round).where(Round.contest_id == contest_id).order_by(Round.id)))


class ReadThenRecord:
    """The store of a rebuild whose read completes before ``meanwhile`` runs (attempts committed and recorded
    while the rebuild loads what it read)."""

    def __init__(self, store, meanwhile) -> None:
        self._store, self._meanwhile = store, meanwhile

    def __getattr__(self, name):
        return getattr(self._store, name)

    def load(self, family, placements, **kwargs):
        placements = list(placements)
        self._meanwhile()
        return self._store.load(family, placements, **kwargs)


def test_a_contest_sum_worsened_by_a_record_during_its_rebuild_ends_as_the_database_says(db_session, boards):
    tree, contest, people = two_rounds(db_session, Aggregate.SUM)
    second = rounds_of(db_session, contest.id)[1]
    dung = people["Phạm Dung"]  # 2 points in 5 s in round 1 so far

    def dung_scores_zero_in_round_two():
        attempt = make_attempt(db_session, second, dung, score=0, duration_ms=50_000, number=2, finished_at=utcnow())
        db_session.commit()
        boards.attempt_finalised(db_session, attempt)

    family = family_of_contest(contest.id)
    boards.store = ReadThenRecord(boards.store, dung_scores_zero_in_round_two)
    boards.rebuild_contest(db_session, contest.id)
    boards.store = boards.store._store
    raced = boards.store.top(family, None, 0, 10)
    # The rebuild's read gave Dung 2 points in 5 s; the record, 2 points in 55 s: a worse key, and the right one.
    boards.rebuild_contest(db_session, contest.id, family="check")
    assert raced == boards.store.top("check", None, 0, 10)
    assert [r.entrant_id for r in raced].count(dung.id) == 1 and len(raced) == 4
    for unit in tree.values():
        assert boards.store.top(family, unit.id, 0, 10) == boards.store.top("check", unit.id, 0, 10)


def test_a_round_rebuilt_while_results_come_in_keeps_each_entrants_best(db_session, boards):
    tree, contest, people = two_rounds(db_session, None)
    round_ = rounds_of(db_session, contest.id)[0]
    finished = utcnow()

    def two_more_attempts():
        better = make_attempt(db_session, round_, people["Phạm Dung"], score=4, duration_ms=7_000, number=2,
                              finished_at=finished)
        worse = make_attempt(db_session, round_, people["Trần Thị Bình"], score=1, duration_ms=1_000, number=2,
                             finished_at=finished + timedelta(seconds=1))
        db_session.commit()
        boards.attempt_finalised(db_session, better)
        boards.attempt_finalised(db_session, worse)

    boards.store = ReadThenRecord(boards.store, two_more_attempts)
    boards.rebuild_round(db_session, round_.id)
    boards.store = boards.store._store
    boards.rebuild_round(db_session, round_.id, family="check")
    family = family_of_round(round_.id)
    assert boards.store.count(family, None) == 3
    for unit in (None, *(u.id for u in tree.values())):
        assert boards.store.top(family, unit, 0, 10) == boards.store.top("check", unit, 0, 10)
    assert boards.store.rank(family, None, people["Phạm Dung"].id).key == \
        boards.store.rank("check", None, people["Phạm Dung"].id).key
