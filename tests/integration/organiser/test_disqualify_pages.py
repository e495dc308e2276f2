"""Disqualification from the entrant's organiser page: the form offers the entrant's rounds and contests, a
disqualification shows on the entrant's page, the round's results page and the entrant's own result page (the
reason instead of a rank), a reinstatement undoes it; scoped organisers cannot reach beyond their subtree or
contests."""

from __future__ import annotations

from sqlalchemy import select

from contest.accounts.models import Role, StaffRole
from contest.attempts.models import Attempt
from contest.leaderboards.models import Disqualification
from contest.leaderboards.stores.families import family_of_round
from contest.rounds.models import OrganiserContest
from tests.factories import make_user
from tests.integration.attempts.conftest import make_round
from tests.integration.leaderboards.conftest import boards, store  # noqa: F401  (fixtures)
from tests.integration.leaderboards.test_disqualify import open_round  # noqa: F401  (a fixture)
from tests.integration.rounds.conftest import log_in


def standing(db_session, user) -> list[Disqualification]:
    return list(db_session.scalars(select(Disqualification).where(Disqualification.user_id == user.id,
                                                                  Disqualification.lifted_at.is_(None))))


def test_an_organiser_disqualifies_and_reinstates_from_the_entrant_page(client, db_session, boards,  # noqa: F811
                                                                       open_round):  # noqa: F811
    _tree, round_, _second, people = open_round
    an = people["An"]
    organiser = make_user(db_session, role=Role.ORGANISER, staff_role=StaffRole.CONTEST, commit=True)
    log_in(client, organiser)
    page = client.get(f"/organiser/entrants/{an.id}").text
    assert 'id="disqualify-form"' in page
    assert f'value="round:{round_.id}"' in page and f'value="contest:{round_.contest_id}"' in page

    answer = client.post(f"/organiser/entrants/{an.id}/disqualify", data={"where": f"round:{round_.id}",
                                                                          "reason": ""})
    assert answer.status_code == 302 and standing(db_session, an) == []  # a reason is required
    answer = client.post(f"/organiser/entrants/{an.id}/disqualify",
                         data={"where": f"round:{round_.id}", "reason": "Làm bài hộ"}, follow_redirects=True)
    assert answer.status_code == 200 and "Làm bài hộ" in answer.text
    [row] = standing(db_session, an)
    assert row.round_id == round_.id and row.created_by_id == organiser.id
    assert boards.store.rank(family_of_round(round_.id), None, an.id) is None

    results = client.get(f"/organiser/rounds/{round_.id}/results").text
    assert 'id="disqualified"' in results and "Làm bài hộ" in results

    log_in(client, an)  # the entrant sees why, not a rank
    attempt_id = boards_attempt(db_session, an, round_)
    result = client.get(f"/attempts/{attempt_id}/result").text
    assert 'id="my-disqualification"' in result and "Làm bài hộ" in result and 'id="my-rank"' not in result

    log_in(client, organiser)
    answer = client.post(f"/organiser/entrants/{an.id}/reinstate",
                         data={"where": f"round:{round_.id}", "reason": "Đã xác minh"}, follow_redirects=True)
    assert answer.status_code == 200 and standing(db_session, an) == []
    assert boards.store.rank(family_of_round(round_.id), None, an.id) is not None
    log_in(client, an)
    assert 'id="my-rank"' in client.get(f"/attempts/{attempt_id}/result").text


def boards_attempt(db_session, user, round_) -> int:
    return db_session.scalar(select(Attempt.id).where(Attempt.user_id == user.id, Attempt.round_id == round_.id))


def test_scoped_organisers_cannot_disqualify_beyond_their_subtree_or_contests(client, db_session,
                                                                             boards, open_round):  # noqa: F811
    tree, round_, _second, people = open_round
    an, cuong = people["An"], people["Cường"]  # s1 in district d1; s3 in district d2
    manager = make_user(db_session, role=Role.ORGANISER, staff_role=StaffRole.UNIT_MANAGER, scope=tree["d1"],
                        commit=True)
    log_in(client, manager)
    assert client.post(f"/organiser/entrants/{cuong.id}/disqualify",
                       data={"where": f"round:{round_.id}", "reason": "x"}).status_code == 404
    assert standing(db_session, cuong) == []

    viewer = make_user(db_session, role=Role.ORGANISER, staff_role=StaffRole.UNIT, scope=tree["province"],
                       commit=True)
    log_in(client, viewer)
    assert 'id="disqualify-form"' not in client.get(f"/organiser/entrants/{an.id}").text
    assert client.post(f"/organiser/entrants/{an.id}/disqualify",
                       data={"where": f"round:{round_.id}", "reason": "x"}).status_code == 403

    other = make_user(db_session, role=Role.ORGANISER, staff_role=StaffRole.CONTEST, commit=True)
    elsewhere = make_round(db_session)
    db_session.add(OrganiserContest(user_id=other.id, contest_id=elsewhere.contest_id))
    db_session.commit()
    log_in(client, other)
    page = client.get(f"/organiser/entrants/{an.id}").text
    assert f'value="round:{round_.id}"' not in page  # not one of their contests
    answer = client.post(f"/organiser/entrants/{an.id}/disqualify",
                         data={"where": f"contest:{round_.contest_id}", "reason": "x"}, follow_redirects=True)
    assert answer.status_code == 200 and standing(db_session, an) == []
    assert client.post(f"/organiser/entrants/{an.id}/disqualify",
                       data={"where": "round:abc", "reason": "x"}).status_code == 302
    assert standing(db_session, an) == []


def test_flask_users_disqualify_and_reinstate(app, db_session, boards, open_round):  # noqa: F811
    _tree, round_, _second, people = open_round
    an = people["An"]
    runner = app.test_cli_runner()
    assert runner.invoke(args=["users", "disqualify", an.phone, "--round", str(round_.id)]).exit_code == 2
    done = runner.invoke(args=["users", "disqualify", an.phone, "--contest", str(round_.contest_id),
                               "--reason", "Gian lận"])
    assert done.exit_code == 0, done.output
    assert [row.round_id for row in standing(db_session, an)] == [None]
    assert boards.store.rank(family_of_round(round_.id), None, an.id) is None
    again = runner.invoke(args=["users", "disqualify", an.phone, "--contest", str(round_.contest_id),
                                "--reason", "x"])
    assert again.exit_code == 1 and "đã bị loại" in again.output
    back = runner.invoke(args=["users", "disqualify", an.phone, "--contest", str(round_.contest_id),
                               "--reason", "Nhầm", "--reinstate"])
    assert back.exit_code == 0 and standing(db_session, an) == []
    assert boards.store.rank(family_of_round(round_.id), None, an.id) is not None
