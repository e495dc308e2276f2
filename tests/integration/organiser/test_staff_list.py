"""The staff list grows with the unit organisers (one per school): it comes a page at a time, searchable."""

from __future__ import annotations

from contest.accounts.models import Role
from contest.organiser.service import STAFF_PAGE
from tests.factories import make_user
from tests.integration.rounds.conftest import log_in


def test_staff_are_listed_a_page_at_a_time_and_found_by_name(client, db_session, admin, organiser):
    for n in range(STAFF_PAGE + 5):
        make_user(db_session, role=Role.ORGANISER, email=f"truong{n}@example.org", full_name=f"Cán bộ trường {n}")
    db_session.commit()
    log_in(client, admin)
    first = client.get("/organiser/staff").text
    assert first.count('id="end-logins-') == STAFF_PAGE and 'href="/organiser/staff?page=2"' in first
    second = client.get("/organiser/staff?page=2").text
    assert second.count('id="end-logins-') == STAFF_PAGE + 7 - STAFF_PAGE  # two more: the admin and the organiser
    found = client.get("/organiser/staff?q=truong17@").text
    assert found.count('id="end-logins-') == 1 and "Cán bộ trường 17" in found
    assert client.get("/organiser/staff?page=abc").status_code == 200
    log_in(client, organiser)
    assert client.get("/organiser/staff").status_code == 403
