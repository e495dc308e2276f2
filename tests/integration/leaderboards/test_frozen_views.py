"""A freeze hides a round's later results on every public view computed from it, not only on its board of people:
the round's unit rankings and chart, the contest's unit rankings and board, and the entrant's rank on their result
page. Organisers see the live data; an unfreeze or a publication brings the public views back in line. On the
in-process store and, with ``REDIS_URL``, on Redis."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from contest.attempts.models import Attempt, Status
from contest.db import utcnow
from contest.leaderboards.models import Aggregate
from contest.leaderboards.results.freeze import freeze
from contest.leaderboards.runtime import extension
from tests.factories import PASSWORD
from tests.integration.leaderboards.conftest import make_attempt
from tests.integration.leaderboards.test_contest_boards import two_rounds
from tests.integration.leaderboards.test_results import organiser_client


@pytest.fixture
def contest(app, client, db_session, boards):
    """Two rounds summed (see ``two_rounds``: Bình 4+5, An 5+3, Cường –+5, Dung 2+–) and ``client`` logged in as
    an organiser; ``public`` is an anonymous browser."""
    tree, contest, people = two_rounds(db_session, Aggregate.SUM)
    organiser_client(client, db_session)
    first, second = sorted(contest.rounds, key=lambda r: r.id)
    return {"tree": tree, "contest": contest, "people": people, "first": first, "second": second,
            "public": app.test_client()}


def fresh(app) -> None:
    """Forget this process's few-second caches, as another request a few seconds later would."""
    ext = extension(app)
    ext.units.clear()
    ext.boards.forget_views()


def finish(session, boards, round_, user, *, score: int, duration_ms: int, number: int, finished_at=None) -> Attempt:
    attempt = make_attempt(session, round_, user, score=score, duration_ms=duration_ms, number=number,
                           finished_at=finished_at)
    session.commit()
    boards.attempt_finalised(session, attempt)
    return attempt


def board(browser, path: str) -> dict[str, int]:
    page = browser.get(path).json
    assert page["ok"], page
    return {row["name"]: row["score"] for row in page["rows"]}


def schools(browser, path: str) -> dict[str, tuple]:
    page = browser.get(path).json
    assert page["ok"], page
    return {row["code"]: (row["entrants"], row["attempts"], row["average_score"], row["full_marks"])
            for row in page["rows"]}


def chart(browser, round_id: int) -> tuple[int, int]:
    """``(attempts, entrants)`` of the public chart of entrants over time, read from the rows of the page's table."""
    html = browser.get(f"/rounds/{round_id}/units").get_data(as_text=True)
    rows = [(int(a), int(e)) for a, e in re.findall(r'data-attempts="(\d+)" data-entrants="(\d+)"', html)]
    return sum(a for a, _ in rows), rows[-1][1]


def live_chart(browser, round_id: int) -> tuple[int, int]:
    data = browser.get(f"/organiser/rounds/{round_id}/live/activity").json
    return sum(p["attempts"] for p in data["points"]), data["points"][-1]["entrants"]


def log_in(browser, user) -> None:
    assert browser.post("/api/session", json={"login": user.phone, "password": PASSWORD}).json["ok"]


def test_a_freeze_hides_later_results_everywhere_the_public_looks(app, client, db_session, boards, contest):
    first, second, public, people = contest["first"], contest["second"], contest["public"], contest["people"]
    cid, r1 = contest["contest"].id, first.id
    assert client.post(f"/organiser/rounds/{r1}/freeze").status_code == 302
    # After the freeze: Cường takes round 1 (5 points, the best time) and Dung takes round 2, which is not frozen.
    late = finish(db_session, boards, first, people["Lê Cường"], score=5, duration_ms=1_000, number=1)
    finish(db_session, boards, second, people["Phạm Dung"], score=4, duration_ms=9_000, number=2)
    fresh(app)

    # The contest's board: round 1 as frozen, round 2 live, for the public; everything for organisers.
    page = public.get(f"/api/contests/{cid}/leaderboard").json
    assert page["state"] == "frozen"
    assert board(public, f"/api/contests/{cid}/leaderboard") == {
        "Trần Thị Bình": 9, "Nguyễn Văn An": 8, "Phạm Dung": 6, "Lê Cường": 5}
    live = client.get(f"/organiser/contests/{cid}/live/leaderboard").json
    assert live["state"] == "live" and "no-store" in client.get(f"/organiser/contests/{cid}/live/leaderboard") \
        .headers["Cache-Control"]
    assert [(row["name"], row["score"]) for row in live["rows"]][0] == ("Lê Cường", 10)
    assert 'data-state="frozen"' in public.get(f"/contests/{cid}/board").get_data(as_text=True)
    # The public API reads the same for an organiser: their live data is on their own pages.
    assert board(client, f"/api/contests/{cid}/leaderboard")["Lê Cường"] == 5

    # The round's unit rankings (S2 is Cường's school) and its chart.
    assert schools(public, f"/api/rounds/{r1}/units?level=Trường")["S2"] == (0, 0, None, 0)
    assert public.get(f"/api/rounds/{r1}/units").json["state"] == "frozen"
    assert schools(client, f"/organiser/rounds/{r1}/live/units?level=Trường")["S2"] == (1, 1, 5.0, 1)
    assert schools(client, f"/api/rounds/{r1}/units?level=Trường")["S2"] == (0, 0, None, 0)
    assert chart(public, r1) == (4, 3)
    assert live_chart(client, r1) == (5, 4)
    assert 'data-state="frozen"' in public.get(f"/rounds/{r1}/units").get_data(as_text=True)

    # The contest's unit rankings: Cường's round 1 counts only for organisers; Dung's round 2 counts for everyone.
    assert schools(public, f"/api/contests/{cid}/units?level=Trường")["S2"] == (1, 1, 5.0, 1)
    assert schools(public, f"/api/contests/{cid}/units?level=Trường")["S3"] == (1, 2, 6.0, 0)
    assert public.get(f"/api/contests/{cid}/units").json["state"] == "frozen"
    assert schools(client, f"/organiser/contests/{cid}/live/units?level=Trường")["S2"] == (1, 2, 10.0, 1)

    # The entrant's own page shows their score, but their place on the frozen board: An is 1st of 3 there,
    # 2nd of 4 live (behind Cường's hidden result). Cường, who took round 1 after the freeze, has no place yet.
    public.set_cookie("lang", "en")
    an = db_session.scalar(select(Attempt).where(Attempt.user_id == people["Nguyễn Văn An"].id,
                                                 Attempt.round_id == r1, Attempt.number == 2))
    log_in(public, people["Nguyễn Văn An"])
    html = public.get(f"/attempts/{an.id}/result").get_data(as_text=True)
    assert "You rank 1 of 3" in html and "(board frozen)" in html
    assert "results submitted later will appear when the results are published" in html
    log_in(public, people["Lê Cường"])
    html = public.get(f"/attempts/{late.id}/result").get_data(as_text=True)
    assert "You rank" not in html and 'id="my-rank-frozen"' in html and ">5/5<" in html

    # The store lost the public contest board: it is rebuilt as of the freeze.
    boards.store.clear(f"c{cid}p")
    fresh(app)
    assert board(public, f"/api/contests/{cid}/leaderboard")["Lê Cường"] == 5

    # Unfreeze: every public view is live again.
    assert client.post(f"/organiser/rounds/{r1}/unfreeze").status_code == 302
    fresh(app)
    page = public.get(f"/api/contests/{cid}/leaderboard").json
    assert page["state"] == "live" and (page["rows"][0]["name"], page["rows"][0]["score"]) == ("Lê Cường", 10)
    assert schools(public, f"/api/rounds/{r1}/units?level=Trường")["S2"] == (1, 1, 5.0, 1)
    assert chart(public, r1) == (5, 4)
    assert schools(public, f"/api/contests/{cid}/units?level=Trường")["S2"] == (1, 2, 10.0, 1)
    assert not boards.store.is_ready(f"c{cid}p")  # every round is live: the public reads the live board
    html = public.get(f"/attempts/{late.id}/result").get_data(as_text=True)
    assert "You rank 1 of 4" in html and 'id="my-rank-frozen"' not in html


def test_a_publication_shows_what_its_version_counted(app, client, db_session, boards, contest):
    first, second, public, people = contest["first"], contest["second"], contest["public"], contest["people"]
    cid, r1 = contest["contest"].id, first.id
    assert client.post(f"/organiser/rounds/{r1}/freeze").status_code == 302
    finish(db_session, boards, first, people["Lê Cường"], score=5, duration_ms=1_000, number=1)
    # Dung's second attempt is still open when the round closes and the results are published.
    open_attempt = make_attempt(db_session, first, people["Phạm Dung"], score=0, duration_ms=1_000, number=2,
                                status=Status.IN_PROGRESS)
    first.closes_at = utcnow() - timedelta(seconds=1)
    db_session.commit()
    assert client.post(f"/organiser/rounds/{r1}/publish", data={"reason": ""}).status_code == 302
    fresh(app)
    assert public.get(f"/api/rounds/{r1}/leaderboard").json["state"] == "published"
    assert board(public, f"/api/contests/{cid}/leaderboard")["Lê Cường"] == 10  # the freeze is over
    # Finalised after the publication (by the deadline sweep): in no published version.
    open_attempt.status, open_attempt.score, open_attempt.duration_ms = Status.EXPIRED, 5, 60_000
    open_attempt.finished_at = first.closes_at - timedelta(seconds=2)
    db_session.commit()
    boards.attempt_finalised(db_session, open_attempt)
    fresh(app)

    assert board(public, f"/api/rounds/{r1}/leaderboard")["Phạm Dung"] == 2
    assert board(public, f"/api/contests/{cid}/leaderboard")["Phạm Dung"] == 2
    assert board(client, f"/organiser/contests/{cid}/live/leaderboard")["Phạm Dung"] == 5
    units = public.get(f"/api/rounds/{r1}/units?level=Trường").json
    assert (units["state"], units["version"]) == ("published", 1)
    assert schools(public, f"/api/rounds/{r1}/units?level=Trường")["S3"] == (1, 1, 2.0, 0)
    assert schools(public, f"/api/rounds/{r1}/units?level=Trường")["S2"] == (1, 1, 5.0, 1)  # frozen no more
    assert schools(public, f"/api/contests/{cid}/units?level=Trường")["S2"] == (1, 2, 10.0, 1)
    assert schools(client, f"/organiser/rounds/{r1}/live/units?level=Trường")["S3"] == (1, 2, 5.0, 1)
    assert schools(public, f"/api/contests/{cid}/units?level=Trường")["S3"] == (1, 1, 2.0, 0)
    assert chart(public, r1) == (5, 4) and live_chart(client, r1) == (6, 4)
    # Published rounds keep counting their version while round 2 runs live; a lost public board is rebuilt so.
    finish(db_session, boards, second, people["Phạm Dung"], score=4, duration_ms=9_000, number=2)
    fresh(app)
    page = public.get(f"/api/contests/{cid}/leaderboard").json
    assert page["state"] == "live" and board(public, f"/api/contests/{cid}/leaderboard")["Phạm Dung"] == 6
    boards.store.clear(f"c{cid}p")
    fresh(app)
    assert board(public, f"/api/contests/{cid}/leaderboard")["Phạm Dung"] == 6
    assert board(client, f"/organiser/contests/{cid}/live/leaderboard")["Phạm Dung"] == 9


def test_live_data_is_for_the_contests_organisers_only(app, client, db_session, boards, contest):
    public, people = contest["public"], contest["people"]
    cid, r1 = contest["contest"].id, contest["first"].id
    paths = [f"/organiser/rounds/{r1}/live/units", f"/organiser/rounds/{r1}/live/activity",
             f"/organiser/contests/{cid}/live/leaderboard", f"/organiser/contests/{cid}/live/units"]
    for path in paths:
        assert public.get(path).status_code in (302, 401)  # to the login page
    log_in(public, people["Lê Cường"])
    for path in paths:
        assert public.get(path).status_code == 403
        assert client.get(path).status_code == 200


def test_a_result_recorded_between_the_freeze_and_its_copy_is_taken_off_the_copies(app, db_session, boards, contest):
    first, public, people = contest["first"], contest["public"], contest["people"]
    cid, r1 = contest["contest"].id, first.id
    frozen_at = utcnow()
    # Finished just after the freeze's moment, on the live boards before the frozen copies are taken; An also
    # improves (a second attempt of round 1 is his third), Cường enters round 1 for the first time.
    finish(db_session, boards, first, people["Lê Cường"], score=5, duration_ms=1_000, number=1,
           finished_at=frozen_at + timedelta(milliseconds=5))
    finish(db_session, boards, first, people["Nguyễn Văn An"], score=5, duration_ms=2_000, number=3,
           finished_at=frozen_at + timedelta(milliseconds=6))
    freeze(db_session, boards, round_id=r1, actor_id=None, now=frozen_at)
    fresh(app)
    rows = public.get(f"/api/rounds/{r1}/leaderboard").json["rows"]
    assert [(row["name"], row["duration_ms"]) for row in rows] == [
        ("Nguyễn Văn An", 40_000), ("Trần Thị Bình", 25_000), ("Phạm Dung", 5_000)]
    assert board(public, f"/api/contests/{cid}/leaderboard") == {
        "Trần Thị Bình": 9, "Nguyễn Văn An": 8, "Lê Cường": 5, "Phạm Dung": 2}


def test_boards_rebuild_rebuilds_the_public_contest_board_as_cut(app, client, db_session, boards, contest):
    first, public, people = contest["first"], contest["public"], contest["people"]
    cid = contest["contest"].id
    assert client.post(f"/organiser/rounds/{first.id}/freeze").status_code == 302
    late = make_attempt(db_session, first, people["Lê Cường"], score=5, duration_ms=1_000, number=1)
    db_session.commit()  # not recorded on any board: a rebuild finds it in the database
    boards.store.clear(f"c{cid}p")
    result = app.test_cli_runner().invoke(args=["boards", "rebuild"])
    assert result.exit_code == 0, result.output
    assert boards.store.is_ready(f"c{cid}p") and boards.store.rank(f"c{cid}p", None, late.user_id) is not None
    fresh(app)
    assert board(public, f"/api/contests/{cid}/leaderboard")["Lê Cường"] == 5
    assert board(client, f"/organiser/contests/{cid}/live/leaderboard")["Lê Cường"] == 10
