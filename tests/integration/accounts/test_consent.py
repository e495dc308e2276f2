"""Registration asks for consent to the versioned personal-data text (Decree 13/2023) and records it; a child
under 16 needs a guardian's agreement too; the text is on the form and on /privacy in both languages."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from contest.accounts.consent import CONSENT_VERSION, TEXTS
from contest.accounts.models import User
from contest.accounts.service import Registration, register_entrant
from contest.db import utcnow
from contest.errors import DomainError
from tests.factories import make_tree
from tests.integration.accounts.test_register_page import form


def registered(session) -> User | None:
    return session.scalar(select(User).where(User.phone == "0912345678"))


def under_sixteen() -> str:
    today = utcnow().date()
    return date(today.year - 12, 1, 1).isoformat()


def test_registration_without_consent_is_refused_and_writes_nothing(client, db_session):
    school = make_tree(db_session)["s1"]
    data = form(school.id)
    del data["consent"]
    response = client.post("/register", data=data)
    assert response.status_code == 200
    assert "Hãy đánh dấu vào ô để đồng ý cho xử lý dữ liệu cá nhân của bạn." in response.get_data(as_text=True)
    assert registered(db_session) is None
    client.get("/lang/en")
    page = client.post("/register", data=data).get_data(as_text=True)
    assert "Tick the box to agree to the processing of your personal data." in page
    assert registered(db_session) is None


def test_consent_version_and_time_are_recorded(client, db_session):
    school = make_tree(db_session)["s1"]
    before = utcnow()
    assert client.post("/register", data=form(school.id)).status_code == 302
    user = registered(db_session)
    assert user.consent_version == CONSENT_VERSION
    assert before <= user.consent_at <= utcnow()
    assert user.guardian_consent is None  # an adult: no guardian asked
    mine = client.get("/account").get_data(as_text=True).split('id="my-consent"')[1].split("</dd>")[0]
    assert f"phiên bản {CONSENT_VERSION}" in mine and f"/privacy?version={CONSENT_VERSION}" in mine


def test_consent_to_a_text_that_changed_meanwhile_is_refused(client, db_session):
    school = make_tree(db_session)["s1"]
    response = client.post("/register", data=form(school.id, consent_version="2020-01-01"))
    assert "Nội dung đồng ý đã thay đổi" in response.get_data(as_text=True)
    assert registered(db_session) is None


def test_a_child_under_sixteen_needs_the_guardian_box(client, db_session):
    school = make_tree(db_session)["s1"]
    response = client.post("/register", data=form(school.id, birth_date=under_sixteen()))
    assert "cha, mẹ hoặc người giám hộ: hãy đánh dấu vào ô" in response.get_data(as_text=True)
    assert registered(db_session) is None
    response = client.post("/register", data=form(school.id, birth_date=under_sixteen(), guardian_consent="y"))
    assert response.status_code == 302
    user = registered(db_session)
    assert user.guardian_consent is True and user.consent_version == CONSENT_VERSION


def test_the_form_and_the_privacy_page_show_the_text_in_the_visitors_language(client, db_session):
    make_tree(db_session)
    vi, en = TEXTS[CONSENT_VERSION]["vi"], TEXTS[CONSENT_VERSION]["en"]
    for address in ("/register", "/privacy"):
        page = client.get(address).get_data(as_text=True)
        assert vi.title in page and f'data-version="{CONSENT_VERSION}"' in page
        assert all(heading in page for heading, _ in vi.sections)
    page = client.get("/register").get_data(as_text=True)
    assert vi.consent_label in page and vi.guardian_label in page
    assert f'name="consent_version" type="hidden" value="{CONSENT_VERSION}"' in page
    client.get("/lang/en")
    page = client.get("/privacy").get_data(as_text=True)
    assert en.title in page and en.sections[0][1] in page and vi.title not in page
    assert client.get(f"/privacy?version={CONSENT_VERSION}").status_code == 200
    assert client.get("/privacy?version=1999-01-01%00").status_code == 400  # a NUL is refused before anything


def test_the_service_refuses_without_consent_and_ages_turn_at_midnight_in_vietnam(db_session):
    school = make_tree(db_session)["s1"]

    def register(now, **kwargs):
        data = Registration(full_name="Lê Thu", birth_date=date(2010, 12, 4), phone="0912345678",
                            password="mat-khau-1", unit_id=school.id, **kwargs)
        return register_entrant(db_session, data, now=now)

    with pytest.raises(DomainError) as refused:
        register(datetime(2026, 12, 3, 17, 30, tzinfo=UTC))
    assert set(refused.value.fields) == {"consent"}
    # 23:30 on 3 December in Vietnam: still 15, so a guardian must agree.
    with pytest.raises(DomainError) as refused:
        register(datetime(2026, 12, 3, 16, 30, tzinfo=UTC), consent=True)
    assert set(refused.value.fields) == {"guardian_consent"}
    # 00:30 on 4 December in Vietnam (still the 3rd in UTC): sixteen today.
    user = register(datetime(2026, 12, 3, 17, 30, tzinfo=UTC), consent=True)
    assert (user.consent_version, user.guardian_consent) == (CONSENT_VERSION, None)
    assert user.consent_at == datetime(2026, 12, 3, 17, 30, tzinfo=UTC)
