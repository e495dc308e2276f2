"""The public board's search by name ignores case and diacritics: Vietnamese entrants type 'nguyen van an' for
'Nguyễn Văn An'. On the in-process store and, with ``REDIS_URL``, on Redis."""

from __future__ import annotations

import unicodedata

import pytest

from contest.accounts.models import User
from contest.leaderboards.queries.boards import search_entrants
from contest.leaderboards.runtime import extension
from tests.factories import make_user
from tests.integration.leaderboards.conftest import make_attempt
from tests.integration.leaderboards.test_boards_api import league


@pytest.fixture
def searchable(app, db_session, boards):
    """The league (ranks: Phạm Dung, Trần Thị Bình, Nguyễn Văn An, Lê Cường, Hoàng Em) plus Đỗ Đức Duy and
    Mai_Anh 100% at the bottom; ``search(text, unit=None)`` gives the names found, best first."""
    tree, round_, people = league(db_session)
    for name in ("Đỗ Đức Duy", "Mai_Anh 100%"):
        people[name] = make_user(db_session, unit=tree["s2"], full_name=name)
        make_attempt(db_session, round_, people[name], score=1, duration_ms=1_000)
    db_session.commit()
    names = extension(app).names

    def search(text: str, unit=None) -> list[str]:
        found = search_entrants(db_session, boards, names, round_id=round_.id, unit_id=unit.id if unit else None,
                                text=text)
        return [row["name"] for row in found]

    return tree, round_, people, search


def test_names_are_found_without_their_accents_and_in_any_case(searchable):
    _, _, _, search = searchable
    nfd = unicodedata.normalize("NFD", "Nguyễn Văn")
    assert nfd != "Nguyễn Văn"
    for typed in ("nguyen van an", "NGUYỄN", "Nguyen Van", nfd, "  nguyễn   VĂN ", "Văn An"):
        assert search(typed) == ["Nguyễn Văn An"], typed
    assert search("nguyen van anh") == []


def test_d_with_stroke_is_d(searchable):
    _, _, _, search = searchable
    assert search("do duc") == search("ĐỖ ĐỨC") == search("Đỗ đức duy") == ["Đỗ Đức Duy"]
    assert search("đung") == ["Phạm Dung"]
    assert search("du") == ["Phạm Dung", "Đỗ Đức Duy"]


def test_results_keep_rank_order_and_the_unit_filter(searchable):
    tree, _, _, search = searchable
    assert search("an") == ["Trần Thị Bình", "Nguyễn Văn An", "Hoàng Em", "Mai_Anh 100%"]
    assert search("an", unit=tree["d1"]) == ["Trần Thị Bình", "Nguyễn Văn An", "Mai_Anh 100%"]
    assert search("an", unit=tree["s3"]) == ["Hoàng Em"]


def test_percent_and_underscore_are_literal(searchable):
    _, _, _, search = searchable
    assert search("n_uyen") == [] and search("%an") == [] and search("%%") == []
    assert search("_anh") == ["Mai_Anh 100%"] and search("100%") == ["Mai_Anh 100%"]


def test_text_that_folds_to_almost_nothing_finds_nobody(searchable):
    _, _, _, search = searchable
    assert search("\u0301\u0301\u0303") == []  # marks only: folded to "", which would match everyone
    assert search("ễ") == [] and search(" Đ ") == []


def test_a_renamed_entrant_is_found_under_the_new_name_only(db_session, searchable):
    _, _, people, search = searchable
    db_session.get(User, people["Lê Cường"].id).full_name = "Lê Thị Hồng"
    db_session.commit()
    assert search("cuong") == []
    assert search("le thi hong") == search("Hồng") == ["Lê Thị Hồng"]


def test_initials_contests_are_not_searchable_even_without_accents(db_session, searchable):
    _, round_, _, search = searchable
    round_.contest.name_style = "initials"
    db_session.commit()
    assert search("nguyen van an") == []


def test_the_board_page_searches_without_accents(client, searchable):
    _, round_, _, _ = searchable
    page = client.get(f"/rounds/{round_.id}/board", query_string={"q": "tran thi binh"}).get_data(as_text=True)
    results = page.split('id="search-results"')[1].split("</section>")[0]
    assert "Trần Thị Bình" in results and "Nguyễn Văn An" not in results
