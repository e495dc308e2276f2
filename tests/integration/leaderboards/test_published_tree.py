"""Results published before a change of the unit tree keep the tree they were published with (each published row
stores its unit's path): after a rename, a move and a merge, the published board, its unit rankings and its ranking
export are as they were, even rebuilt from the database; the live rankings and a new publication use today's
tree, and so do contests' boards, which add up rounds."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from contest.db import utcnow
from contest.i18n import vietnam_day
from contest.leaderboards.exports.rows import ranking_rows
from contest.leaderboards.models import PublishedResult, PublishedRow
from contest.leaderboards.stores.families import published_family
from tests.integration.leaderboards.test_results import closed_round, organiser_client  # noqa: F401


def board(client, round_id: int, **args) -> dict:
    page = client.get(f"/api/rounds/{round_id}/leaderboard", query_string=args).json
    return {"unit_id": page["unit_id"], "unit_name": page["unit_name"], "level": page["level"],
            "rows": [(row["rank"], row["name"], row["unit"]) for row in page["rows"]]}


def unit_ranking(client, round_id: int, level: str) -> list[tuple]:
    page = client.get(f"/api/rounds/{round_id}/units", query_string={"level": level}).json
    return sorted((row["code"], row["name"], row["entrants"], row["average_score"]) for row in page["rows"])


def published_views(client, db_session, boards, rt, round_, tree, version: int) -> dict:
    """What the public and the export see of the round, the published family reloaded from the database first."""
    boards.store.clear(published_family(round_.id, version))
    boards.forget()
    from contest.leaderboards.runtime import extension

    extension(client.application).names.clear()
    extension(client.application).units.clear()
    return {"board": board(client, round_.id),
            "school": board(client, round_.id, unit=tree["s1"].id),
            "district": board(client, round_.id, unit=tree["d2"].id),
            "schools": unit_ranking(client, round_.id, "Trường"),
            "districts": unit_ranking(client, round_.id, "Huyện"),
            "export": list(ranking_rows(db_session, round_, rt.questions, version=version))}


def test_a_published_version_keeps_its_tree_after_rename_move_and_merge(client, db_session, boards, rt,
                                                                       closed_round):  # noqa: F811
    tree, round_, people = closed_round
    organiser_client(client, db_session)
    assert client.post(f"/organiser/rounds/{round_.id}/publish", data={"reason": ""}).status_code == 302
    row = db_session.scalar(select(PublishedRow).where(PublishedRow.user_id == people["Cường"].user_id))
    assert row.unit_path == [[tree["province"].id, "P1", "Tỉnh Thử", "Tỉnh"],
                             [tree["d2"].id, "D2", "Huyện Phú Lương", "Huyện"],
                             [tree["s3"].id, "S3", "THPT Phú Lương", "Trường"]]
    before = published_views(client, db_session, boards, rt, round_, tree, 1)
    assert before["board"]["rows"] == [(1, "Bình", "THPT Nguyễn Huệ"), (2, "An", "THPT Đại Từ"),
                                       (3, "Cường", "THPT Phú Lương"), (4, "Dung", "THPT Đại Từ")]
    assert [name for _, name, _ in before["district"]["rows"]] == ["Cường"]
    assert before["districts"] == [("D1", "Huyện Đại Từ", 3, 4.33), ("D2", "Huyện Phú Lương", 1, 4.0)]

    contest_board = f"/api/contests/{round_.contest_id}/leaderboard"
    assert client.get(contest_board, query_string={"unit": tree["d2"].id}).json["total"] == 1

    # The tree changes: a school renamed, a school moved to the other district, a school merged into another.
    today = vietnam_day(utcnow())
    assert client.post(f"/organiser/units/{tree['s1'].id}/rename", data={"name": "THPT Đổi Tên"}).status_code == 302
    assert client.post(f"/organiser/units/{tree['s3'].id}/move", data={"parent_code": "D1"}).status_code == 302
    assert client.post(f"/organiser/units/{tree['s1'].id}/merge",
                       data={"codes": "S2", "effective_on": (today - timedelta(days=1)).isoformat()}
                       ).status_code == 302

    # A contest's board adds up rounds: it uses today's tree, rebuilt after the move (Boards.tree_changed).
    assert client.get(contest_board, query_string={"unit": tree["d2"].id}).json["total"] == 0
    assert client.get(contest_board, query_string={"unit": tree["d1"].id}).json["total"] == 4

    after = published_views(client, db_session, boards, rt, round_, tree, 1)
    assert after == before
    # Live rankings (organisers) use today's tree: D2 has no school left, S1 has An, Bình and Dung.
    live = client.get(f"/organiser/rounds/{round_.id}/live/units", query_string={"level": "Huyện"}).json
    assert {row["code"]: row["entrants"] for row in live["rows"]} == {"D1": 4, "D2": 0}

    # A new publication uses the new tree.
    assert client.post(f"/organiser/rounds/{round_.id}/publish", data={"reason": "Cây đơn vị mới"}
                       ).status_code == 302
    assert db_session.scalar(select(PublishedResult.version).where(PublishedResult.round_id == round_.id)
                             .order_by(PublishedResult.version.desc()).limit(1)) == 2
    new = published_views(client, db_session, boards, rt, round_, tree, 2)
    assert new["board"]["rows"] == [(1, "Bình", "THPT Đổi Tên"), (2, "An", "THPT Đổi Tên"),
                                    (3, "Cường", "THPT Phú Lương"), (4, "Dung", "THPT Đổi Tên")]
    assert new["district"]["rows"] == [] and new["districts"] == [("D1", "Huyện Đại Từ", 4, 4.25),
                                                                  ("D2", "Huyện Phú Lương", 0, None)]
    assert new["export"][3][3:6] == ("Tỉnh Thử", "Huyện Đại Từ", "THPT Phú Lương")
    assert before["export"][3][3:6] == ("Tỉnh Thử", "Huyện Phú Lương", "THPT Phú Lương")
    # Version 1 is still what it was, exported as such.
    assert list(ranking_rows(db_session, round_, rt.questions, version=1)) == before["export"]
