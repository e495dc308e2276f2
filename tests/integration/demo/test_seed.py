from __future__ import annotations

from sqlalchemy import func, select

from contest.accounts.models import Role, User, fold_name


def count(session, *where):
    return session.scalar(select(func.count()).select_from(User).where(*where))


def test_seed_is_idempotent_and_spreads_entrants(app, db_session, client):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["demo", "seed", "--entrants", "40"])
    assert first.exit_code == 0, first.output
    second = runner.invoke(args=["demo", "seed", "--entrants", "40"])
    assert second.exit_code == 0 and "0 created" in second.output
    assert count(db_session, User.role == Role.ENTRANT) == 40
    assert count(db_session, User.role == Role.ADMIN) == 1
    schools = db_session.scalar(select(func.count(func.distinct(User.unit_id))).where(User.role == Role.ENTRANT))
    assert schools == 20  # every demo school
    names = db_session.execute(select(User.full_name, User.name_key)).all()  # the entrants are a bulk insert
    assert len(names) == 41 and all(key and key == fold_name(name) for name, key in names)
    assert client.post("/api/session", json={"login": "0900000001", "password": "demo-pass"}).json["ok"]
    assert client.post("/api/session", json={"login": "admin@example.org", "password": "demo-admin-pass"}).json["ok"]
