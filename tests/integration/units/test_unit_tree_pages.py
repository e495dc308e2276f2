"""The organiser's unit tree (``/organiser/units``): browsing a page of children at a time, adding, renaming,
moving, ending and merging units, each audited; a unit organiser kept inside their subtree (403, nothing changed);
registration offering and accepting only the units valid today."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from contest.accounts import service as accounts
from contest.accounts.consent import CONSENT_VERSION
from contest.accounts.models import Role, StaffRole, User
from contest.audit.models import AuditEntry
from contest.db import utcnow
from contest.i18n import vietnam_day
from contest.units.models import Unit, UnitMerge
from tests.factories import make_tree, make_unit, make_user
from tests.integration.rounds.conftest import log_in


@pytest.fixture(autouse=True)
def english(client):
    client.set_cookie("lang", "en")


@pytest.fixture
def tree(db_session):
    return make_tree(db_session)


def staff(client, db_session, role: Role = Role.ADMIN, staff_role: StaffRole | None = None, scope: Unit | None = None):
    user = make_user(db_session, role=role, email=f"staff{role.value}{staff_role}@example.org", scope=scope,
                     staff_role=staff_role, commit=True)
    log_in(client, user)
    return user


def audit_of(session, action: str) -> list[AuditEntry]:
    return list(session.scalars(select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)))


def fresh(session, unit: Unit) -> Unit:
    session.expire_all()
    return session.get(Unit, unit.id)


def snapshot(session) -> list[tuple]:
    session.expire_all()
    return sorted(session.execute(select(Unit.id, Unit.code, Unit.name, Unit.parent_id, Unit.path, Unit.depth,
                                         Unit.valid_to)).all()) + sorted(
        session.execute(select(User.id, User.unit_id)).all())


def test_browse_is_a_page_of_children_with_breadcrumbs_and_a_search(client, db_session, tree):
    for n in range(55):
        make_unit(db_session, parent=tree["d2"], code=f"X{n:02d}", name=f"Trường Số {n:02d}")
    db_session.commit()
    staff(client, db_session)
    top = client.get("/organiser/units/").get_data(as_text=True)
    assert "Tỉnh Thử" in top and "Huyện Đại Từ" not in top  # the roots only
    page = client.get(f"/organiser/units/{tree['d2'].id}").get_data(as_text=True)
    assert 'id="breadcrumbs"' in page and f"/organiser/units/{tree['province'].id}" in page
    # By name, 50 a page: THPT Phú Lương and Trường Số 00-48 on the first, 49-54 on the second.
    assert "56 units" in page and "Page 1 of 2" in page and "Trường Số 48" in page and "Trường Số 49" not in page
    second = client.get(f"/organiser/units/{tree['d2'].id}?page=2").get_data(as_text=True)
    assert "Trường Số 49" in second and "Trường Số 54" in second and "Trường Số 48" not in second
    found = client.get(f"/organiser/units/{tree['province'].id}?q=nguyen hue").get_data(as_text=True)
    assert "THPT Nguyễn Huệ" in found and "1 unit" in found and "THPT Đại Từ" not in found
    assert client.get("/organiser/units/999999").status_code == 404
    assert 'href="/organiser/units/"' in client.get("/organiser/").get_data(as_text=True)


def test_add_and_rename_are_audited(client, db_session, tree):
    admin = staff(client, db_session)
    response = client.post(f"/organiser/units/{tree['d1'].id}/add", data={"code": "S9", "name": " THPT  Mới "})
    assert response.status_code == 302
    added = db_session.scalar(select(Unit).where(Unit.code == "S9"))
    assert (added.name, added.level, added.parent_id) == ("THPT Mới", "Trường", tree["d1"].id)
    assert added.path == f"{tree['d1'].path}{added.id}/" and added.depth == 2
    assert audit_of(db_session, "units.added")[-1].actor_id == admin.id
    duplicate = client.post(f"/organiser/units/{tree['d1'].id}/add", data={"code": "S9", "name": "Khác"})
    assert duplicate.status_code == 422 and "Another unit has the code S9" in duplicate.get_data(as_text=True)
    assert client.post("/organiser/units/add", data={"code": "P2", "name": "Tỉnh Mới", "level": "Tỉnh"}
                       ).status_code == 302

    assert client.post(f"/organiser/units/{tree['s1'].id}/rename", data={"name": "THPT Đại Từ Mới"}).status_code == 302
    assert fresh(db_session, tree["s1"]).name == "THPT Đại Từ Mới"
    entry = audit_of(db_session, "units.renamed")[-1]
    assert entry.details == {"code": "S1", "before": "THPT Đại Từ", "after": "THPT Đại Từ Mới"}
    empty = client.post(f"/organiser/units/{tree['s1'].id}/rename", data={"name": ""})
    assert empty.status_code == 422 and fresh(db_session, tree["s1"]).name == "THPT Đại Từ Mới"


def test_move_recomputes_the_subtree_and_refuses_its_own_descendant(client, db_session, tree):
    staff(client, db_session)
    grandchild = make_unit(db_session, parent=tree["s3"], code="G1", level="Lớp")
    db_session.commit()
    response = client.post(f"/organiser/units/{tree['d2'].id}/move", data={"parent_code": "D1"})
    assert response.status_code == 302
    d1, d2, s3, g1 = (fresh(db_session, tree["d1"]), fresh(db_session, tree["d2"]), fresh(db_session, tree["s3"]),
                      fresh(db_session, grandchild))
    assert d2.parent_id == d1.id and d2.path == f"{d1.path}{d2.id}/" and d2.depth == 2
    assert s3.path == f"{d2.path}{s3.id}/" and s3.depth == 3 and g1.path == f"{s3.path}{g1.id}/" and g1.depth == 4
    entry = audit_of(db_session, "units.moved")[-1]
    assert entry.details == {"code": "D2", "from": "P1", "to": "D1", "units": 3}

    before = snapshot(db_session)
    refused = client.post(f"/organiser/units/{tree['d1'].id}/move", data={"parent_code": "G1"})
    assert refused.status_code == 422 and "cannot move under one of its own units" in refused.get_data(as_text=True)
    unknown = client.post(f"/organiser/units/{tree['d1'].id}/move", data={"parent_code": "NOPE"})
    assert unknown.status_code == 422 and snapshot(db_session) == before
    assert len(audit_of(db_session, "units.moved")) == 1


def test_end_sets_valid_to_on_the_open_subtree(client, db_session, tree):
    staff(client, db_session)
    on = vietnam_day(utcnow()) + timedelta(days=30)
    response = client.post(f"/organiser/units/{tree['d1'].id}/end", data={"valid_to": on.isoformat()})
    assert response.status_code == 302
    assert {fresh(db_session, tree[k]).valid_to for k in ("d1", "s1", "s2")} == {on}
    assert fresh(db_session, tree["d2"]).valid_to is None
    assert audit_of(db_session, "units.ended")[-1].details == {"code": "D1", "on": on.isoformat(), "units": 3}
    again = client.post(f"/organiser/units/{tree['d1'].id}/end", data={"valid_to": on.isoformat()})
    assert again.status_code == 422 and "already ended" in again.get_data(as_text=True)


def test_merge_ends_the_units_and_moves_their_members_and_children(client, db_session, tree):
    """Vietnam's 2025 reform: two districts merged into a third from a day."""
    admin = staff(client, db_session)
    d3 = make_unit(db_session, parent=tree["province"], code="D3", name="Huyện Mới", level="Huyện")
    member = make_user(db_session, unit=tree["d1"])  # an entrant of the district itself
    pupil = make_user(db_session, unit=tree["s1"])
    db_session.commit()
    on = vietnam_day(utcnow()) - timedelta(days=1)
    response = client.post(f"/organiser/units/{d3.id}/merge", data={"codes": "D1, D2", "effective_on": on.isoformat()})
    assert response.status_code == 302
    db_session.expire_all()
    assert db_session.get(Unit, tree["d1"].id).valid_to == on and db_session.get(Unit, tree["d2"].id).valid_to == on
    for key in ("s1", "s2", "s3"):
        school = db_session.get(Unit, tree[key].id)
        assert school.parent_id == d3.id and school.path == f"{d3.path}{school.id}/" and school.depth == 2
    assert db_session.get(User, member.id).unit_id == d3.id and db_session.get(User, pupil.id).unit_id == tree["s1"].id
    merges = list(db_session.scalars(select(UnitMerge).order_by(UnitMerge.id)))
    assert [(m.merged_id, m.into_id, m.effective_on, m.members, m.children, m.created_by_id) for m in merges] == [
        (tree["d1"].id, d3.id, on, 1, 2, admin.id), (tree["d2"].id, d3.id, on, 0, 1, admin.id)]
    entry = audit_of(db_session, "units.merged")[-1]
    assert entry.details == {"into": "D3", "merged": ["D1", "D2"], "on": on.isoformat(), "entrants": 1, "units": 3}
    page = client.get(f"/organiser/units/{tree['d1'].id}").get_data(as_text=True)
    assert "Merged into Huyện Mới" in page

    before = snapshot(db_session)
    for data, message in [({"codes": "S1", "effective_on": on.isoformat()}, "Only units of one level merge"),
                          ({"codes": "D1", "effective_on": on.isoformat()}, "not valid on that day"),
                          ({"codes": "P1", "effective_on": on.isoformat()}, "into one of its own units"),
                          ({"codes": "ZZ", "effective_on": on.isoformat()}, "No unit has the code ZZ"),
                          ({"codes": "D2", "effective_on": (on + timedelta(days=9)).isoformat()}, "choose today")]:
        refused = client.post(f"/organiser/units/{d3.id}/merge", data=data)
        assert refused.status_code == 422 and message in refused.get_data(as_text=True), data
    assert snapshot(db_session) == before and len(audit_of(db_session, "units.merged")) == 1


def test_a_unit_organiser_sees_and_changes_only_their_subtree(client, db_session, tree):
    manager = staff(client, db_session, Role.ORGANISER, StaffRole.UNIT_MANAGER, scope=tree["d1"])
    top = client.get("/organiser/units/").get_data(as_text=True)
    assert "Huyện Đại Từ" in top and "Huyện Phú Lương" not in top and "Tỉnh Thử" not in top
    assert "Tỉnh Thử" not in client.get(f"/organiser/units/{tree['s1'].id}").get_data(as_text=True)
    assert client.get(f"/organiser/units/{tree['d2'].id}").status_code == 403
    assert client.get(f"/organiser/units/{tree['province'].id}?q=phu luong").status_code == 403
    assert "Phú Lương" not in client.get("/organiser/units/?q=thpt").get_data(as_text=True)
    before, audited = snapshot(db_session), db_session.scalar(select(func.count()).select_from(AuditEntry))
    today = vietnam_day(utcnow())
    refusals = [
        (f"/organiser/units/{tree['s1'].id}/move", {"parent_code": "D2"}),  # out of the subtree
        (f"/organiser/units/{tree['d1'].id}/move", {"parent_code": "S1"}),  # their own unit
        (f"/organiser/units/{tree['s3'].id}/move", {"parent_code": "D1"}),  # a unit outside
        (f"/organiser/units/{tree['d2'].id}/rename", {"name": "X"}),
        (f"/organiser/units/{tree['d2'].id}/add", {"code": "S8", "name": "X"}),
        ("/organiser/units/add", {"code": "P8", "name": "X", "level": "Tỉnh"}),
        (f"/organiser/units/{tree['d1'].id}/end", {"valid_to": today.isoformat()}),
        (f"/organiser/units/{tree['s3'].id}/end", {"valid_to": today.isoformat()}),
        (f"/organiser/units/{tree['s1'].id}/merge", {"codes": "S3", "effective_on": today.isoformat()}),
        (f"/organiser/units/{tree['s3'].id}/merge", {"codes": "S2", "effective_on": today.isoformat()}),
    ]
    for url, data in refusals:
        assert client.post(url, data=data).status_code == 403, (url, data)
    to_the_top = client.post(f"/organiser/units/{tree['s1'].id}/move", data={"parent_code": ""})
    assert to_the_top.status_code == 422 and "Enter the code of the new parent unit" in to_the_top.text
    assert snapshot(db_session) == before
    assert db_session.scalar(select(func.count()).select_from(AuditEntry)) == audited
    # Inside the subtree the same organiser may change units.
    assert client.post(f"/organiser/units/{tree['s1'].id}/merge",
                       data={"codes": "S2", "effective_on": today.isoformat()}).status_code == 302
    assert audit_of(db_session, "units.merged")[-1].actor_id == manager.id

    client.delete("/api/session", json={})
    staff(client, db_session, Role.ORGANISER, StaffRole.UNIT, scope=tree["d1"])  # read-only
    assert client.get(f"/organiser/units/{tree['s1'].id}").status_code == 200
    assert client.post(f"/organiser/units/{tree['s1'].id}/rename", data={"name": "X"}).status_code == 403
    assert fresh(db_session, tree["s1"]).name == "THPT Đại Từ"


def test_a_contest_organiser_sees_the_whole_tree(client, db_session, tree):
    staff(client, db_session, Role.ORGANISER, StaffRole.CONTEST)
    assert client.get(f"/organiser/units/{tree['d2'].id}").status_code == 200
    assert client.post(f"/organiser/units/{tree['s3'].id}/move", data={"parent_code": "D1"}).status_code == 302
    assert fresh(db_session, tree["s3"]).parent_id == tree["d1"].id
    client.delete("/api/session", json={})
    staff(client, db_session, Role.ORGANISER, StaffRole.BANK)
    assert client.get("/organiser/units/").status_code == 403


def registration(unit_id: int) -> accounts.Registration:
    return accounts.Registration(full_name="Nguyễn Văn An", birth_date=date(2007, 5, 1), phone="0912345678",
                                 email="", citizen_id="", unit_id=unit_id, password="mat-khau-1",
                                 consent=True, guardian_consent=False, consent_version=CONSENT_VERSION)


def test_registration_offers_and_accepts_only_units_valid_today(client, db_session, tree):
    today = vietnam_day(utcnow())
    tree["s2"].valid_to = today  # ended: no longer valid from today
    tree["s3"].valid_from = today + timedelta(days=1)  # not yet
    tree["s1"].valid_to = today + timedelta(days=1)  # still valid today
    db_session.commit()
    offered = {unit["code"] for unit in client.get("/api/units/leaves").json["units"]}
    assert offered == {"S1"}
    searched = {unit["code"] for unit in client.get("/api/units/search?q=THPT&leaf=1").json["units"]}
    assert searched == {"S1"}  # what the registration page's picker offers
    for school in ("s2", "s3"):
        problems = accounts.registration_problems(db_session, registration(tree[school].id), now=utcnow())
        assert "không còn (hoặc chưa có)" in str(problems["unit_id"])  # outside a request: Vietnamese
    assert "unit_id" not in accounts.registration_problems(db_session, registration(tree["s1"].id), now=utcnow())
    response = client.post("/register", data={
        "full_name": "Nguyễn Văn An", "birth_date": "2007-05-01", "phone": "0912345678", "email": "",
        "citizen_id": "", "unit_id": str(tree["s2"].id), "password": "mat-khau-1", "confirm": "mat-khau-1",
        "consent": "y", "consent_version": CONSENT_VERSION})
    assert response.status_code == 200 and "no longer exists" in response.get_data(as_text=True)
    assert db_session.scalar(select(User.id).where(User.phone == "0912345678")) is None


def test_an_organiser_cannot_put_an_entrant_in_an_ended_unit(db_session, tree):
    from contest.accounts.admin_service import update_entrant
    from contest.errors import DomainError

    tree["s2"].valid_to = vietnam_day(utcnow())
    entrant = make_user(db_session, unit=tree["s1"])
    db_session.commit()
    with pytest.raises(DomainError) as refused:
        update_entrant(db_session, entrant.id, full_name=entrant.full_name, birth_date=entrant.birth_date,
                       unit_code="S2", scope=None, now=utcnow(), actor_id=None)
    assert "đã kết thúc hoặc đã sáp nhập" in str(refused.value.fields["unit_code"])
    assert db_session.get(User, entrant.id).unit_id == tree["s1"].id
