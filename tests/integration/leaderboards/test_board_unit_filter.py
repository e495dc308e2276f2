"""The public board's one ``unit`` filter: any level, one id, an unknown one said so; the picker without
JavaScript; the page's size with 10,000 schools."""

from __future__ import annotations

import re

from tests.big_tree import LAST_NAME, seed_big_tree
from tests.integration.leaderboards.test_boards_api import league

MAX_PAGE_BYTES = 30_000


def rows(page: str) -> str:
    return page.split('id="board-rows"')[1].split("</tbody>")[0]


def test_one_unit_at_any_level_and_the_page_says_which(client, db_session, boards):
    tree, round_, _ = league(db_session)
    for unit, inside, outside in ((tree["d1"], "Lê Cường", "Phạm Dung"), (tree["s3"], "Phạm Dung", "Lê Cường"),
                                  (tree["province"], "Phạm Dung", None)):
        response = client.get(f"/rounds/{round_.id}/board", query_string={"unit": unit.id})
        page = response.get_data(as_text=True)
        assert response.status_code == 200 and inside in rows(page)
        assert outside is None or outside not in rows(page)
        filtered = page.split('id="unit-filtered"')[1].split("</p>")[0]
        assert unit.name in filtered and f'href="/rounds/{round_.id}/board"' in filtered  # a way back to everyone
        assert f'<input type="hidden" name="unit" value="{unit.id}">' in page
    school = client.get(f"/rounds/{round_.id}/board?unit={tree['s3'].id}").get_data(as_text=True)
    assert "Đang xem bảng của THPT Phú Lương — Huyện Phú Lương, Tỉnh Thử." in school


def test_the_empty_values_of_the_old_form_do_not_hide_the_unit(client, db_session, boards):
    """The old page sent one select per level: ``?unit=&unit=14`` showed everyone, silently."""
    tree, round_, _ = league(db_session)
    page = client.get(f"/rounds/{round_.id}/board?unit=&unit={tree['s3'].id}").get_data(as_text=True)
    assert "Phạm Dung" in rows(page) and "Lê Cường" not in rows(page)


def test_an_unknown_or_doubled_unit_is_said_so_not_ignored(client, db_session, boards):
    tree, round_, _ = league(db_session)
    for query, words in (("unit=999999", "Không có đơn vị 999999"), ("unit=abc", "Không có đơn vị abc"),
                         (f"unit={tree['s1'].id}&unit={tree['s3'].id}", "Hãy chọn một đơn vị")):
        response = client.get(f"/rounds/{round_.id}/board?{query}")
        page = response.get_data(as_text=True)
        assert response.status_code == 404, query
        problem = page.split('id="unit-problem"')[1].split("</p>")[0]
        assert words in problem and 'role="alert"' in page.split('id="unit-problem"')[0][-60:]
        assert "Phạm Dung" in rows(page) and "Lê Cường" in rows(page)  # everyone, and the page says so
    contest = client.get(f"/contests/{round_.contest_id}/board?unit=999999")
    assert contest.status_code == 404 and 'id="unit-problem"' in contest.get_data(as_text=True)


def test_find_without_javascript_lists_units_of_every_level(client, db_session, boards):
    tree, round_, _ = league(db_session)
    page = client.get(f"/rounds/{round_.id}/board", query_string={"unit_q": "dai tu", "unit_find": "1",
                                                                  "q": "an"}).get_data(as_text=True)
    radios = re.findall(r'<input type="radio" name="unit" value="(\d+)"', page)
    assert sorted(radios) == sorted([str(tree["d1"].id), str(tree["s1"].id)])
    assert 'value="an"' in page  # the name search typed is kept
    nothing = client.get(f"/rounds/{round_.id}/board", query_string={"unit_q": "khong co", "unit_find": "1"})
    assert 'role="status">Không tìm thấy đơn vị nào.' in nothing.get_data(as_text=True)


def test_the_board_stays_small_with_ten_thousand_schools(client, db_session, boards):
    _, round_, _ = league(db_session)
    round_.contest.board_levels = ["Huyện", "Trường"]
    last = seed_big_tree(db_session)
    db_session.commit()
    for path in (f"/rounds/{round_.id}/board", f"/contests/{round_.contest_id}/board"):
        page = client.get(path).get_data()
        assert len(page) < MAX_PAGE_BYTES, f"{path} is {len(page):,} bytes"
    found = client.get(f"/rounds/{round_.id}/board", query_string={"unit_q": LAST_NAME, "unit_find": "1"})
    assert re.findall(r'name="unit" value="(\d+)"', found.get_data(as_text=True)) == [str(last.id)]
    assert client.get(f"/rounds/{round_.id}/board?unit={last.id}").status_code == 200
