"""A store that fails is skipped for a while instead of stalling every submit, and the boards it missed are found by
counting against the database and rebuilt (contest/leaderboards/reconcile.py)."""

from __future__ import annotations

from datetime import timedelta

from contest.db import utcnow
from contest.leaderboards.reconcile import reconcile_live_rounds
from contest.leaderboards.stores.families import family_of_contest, family_of_round
from tests.factories import make_tree, make_user
from tests.integration.attempts.conftest import make_bank, make_round
from tests.integration.leaderboards.test_results import take


class Failing:
    """Wraps a store; its writes fail while ``down`` (as against a hung Redis), counting the tries."""

    def __init__(self, store):
        self.store, self.down, self.tries = store, False, 0

    def record(self, *args, **kwargs):
        self.tries += 1
        if self.down:
            raise ConnectionError("Redis did not answer")
        return self.store.record(*args, **kwargs)

    def __getattr__(self, name):
        return getattr(self.store, name)


def test_a_failing_store_is_skipped_then_the_board_is_rebuilt_from_the_database(db_session, rt, boards):
    tree = make_tree(db_session)
    make_bank(db_session)
    round_ = make_round(db_session, questions=5, attempts=1)
    failing = boards.store = Failing(boards.store)
    people = [make_user(db_session, unit=tree["s1"], full_name=f"Thí sinh {n}") for n in range(4)]
    take(db_session, rt, people[0], round_, right=5)
    boards.ensure_round(db_session, round_.id)  # the board exists and places the first entrant
    assert boards.store.count(family_of_round(round_.id), None) == 1

    failing.down = True
    take(db_session, rt, people[1], round_, right=4)  # committed; its board write fails
    tries = failing.tries
    take(db_session, rt, people[2], round_, right=3)  # within BREAKER_S: not even tried
    assert failing.tries == tries and boards.broken_until > 0
    assert boards.store.count(family_of_round(round_.id), None) == 1  # the board missed two entrants

    failing.down = False
    boards.broken_until = 0.0  # as BREAKER_S later
    take(db_session, rt, people[3], round_, right=2)
    assert reconcile_live_rounds(db_session, boards, utcnow()) == [round_.id]
    ranked = boards.store.top(family_of_round(round_.id), None, 0, 10)
    assert len(ranked) == 4 and boards.store.count(family_of_round(round_.id), None) == 4
    assert not boards.store.is_ready(family_of_contest(round_.contest_id))  # rebuilt on its next read
    assert reconcile_live_rounds(db_session, boards, utcnow()) == []  # it agrees now


def test_rounds_long_closed_or_never_built_are_left_alone(db_session, rt, boards):
    tree = make_tree(db_session)
    make_bank(db_session)
    round_ = make_round(db_session, questions=5, attempts=1)
    take(db_session, rt, make_user(db_session, unit=tree["s1"]), round_, right=1)
    assert reconcile_live_rounds(db_session, boards, utcnow()) == []  # never read, so never built: nothing to fix
    boards.ensure_round(db_session, round_.id)
    boards.store.clear(family_of_round(round_.id))
    boards.store.mark_ready(family_of_round(round_.id))  # ready but empty: wrong
    later = round_.closes_at + timedelta(hours=2)
    assert reconcile_live_rounds(db_session, boards, later) == []  # long closed: not a live round any more
    assert reconcile_live_rounds(db_session, boards, utcnow()) == [round_.id]
