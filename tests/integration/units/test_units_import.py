from __future__ import annotations

from pathlib import Path

from sqlalchemy import func, select

from contest.audit.models import AuditEntry
from contest.db import utcnow
from contest.units.models import Unit
from contest.units.service import import_units, leaf_units
from contest.units.tree_import import ALIASES, REQUIRED
from question_bank.formats.tabular import read_table

DEMO = Path(__file__).resolve().parents[3] / "contest" / "demo" / "data" / "demo_units.csv"


def demo_table():
    return read_table(DEMO.read_bytes(), "csv", ALIASES, REQUIRED)


def test_demo_imports_with_paths_and_is_idempotent(db_session):
    plan = import_units(db_session, demo_table(), now=utcnow())
    assert plan.ok and len(plan.created) == 31
    school = db_session.scalar(select(Unit).where(Unit.code == "DT-S1"))
    district = db_session.scalar(select(Unit).where(Unit.code == "DT"))
    province = db_session.scalar(select(Unit).where(Unit.code == "TN"))
    assert school.ancestor_ids() == [province.id, district.id, school.id] and school.depth == 2
    again = import_units(db_session, demo_table(), now=utcnow())
    assert again.ok and not again.created and not again.updated and len(again.unchanged) == 31
    assert db_session.scalar(select(func.count()).select_from(AuditEntry)) == 2


def test_bad_file_writes_nothing(db_session):
    table = read_table("ma,ten,ma_cap_tren\nA,Một,\nB,Hai,NOPE\n".encode(), "csv", ALIASES, REQUIRED)
    plan = import_units(db_session, table, now=utcnow())
    assert not plan.ok
    assert db_session.scalar(select(func.count()).select_from(Unit)) == 0


def test_moving_a_subtree_updates_descendant_paths(db_session):
    import_units(db_session, demo_table(), now=utcnow())
    moved_csv = "ma,ten,cap,ma_cap_tren\nDT,Huyện Đại Từ,Huyện/Thành phố,TPTN\n"
    moved = read_table(moved_csv.encode(), "csv", ALIASES, REQUIRED)
    assert import_units(db_session, moved, now=utcnow()).updated == {"DT": ["parent_code"]}
    school = db_session.scalar(select(Unit).where(Unit.code == "DT-S1"))
    city = db_session.scalar(select(Unit).where(Unit.code == "TPTN"))
    assert city.id in school.ancestor_ids() and school.depth == 3


def test_dry_run_changes_nothing(db_session):
    plan = import_units(db_session, demo_table(), now=utcnow(), dry_run=True)
    assert len(plan.created) == 31
    assert db_session.scalar(select(func.count()).select_from(Unit)) == 0


def test_leaf_search_ignores_accents(db_session, client):
    import_units(db_session, demo_table(), now=utcnow())
    assert [u.code for u in leaf_units(db_session, "dai tu")] == ["DT-S1"]
    found = client.get("/api/units/leaves?q=Y Dược").json["units"]
    assert [u["code"] for u in found] == ["DHTN-2"]
    assert found[0]["path"].startswith("Tỉnh đoàn Thái Nguyên › Đại học Thái Nguyên")


def test_cli_reports_rows_and_exits_nonzero(app, db_session, tmp_path):
    bad = tmp_path / "units.csv"
    bad.write_text("ma,ten,so_doan_vien\nA,Một,nhiều\n", encoding="utf-8")
    result = app.test_cli_runner().invoke(args=["units", "import", str(bad)])
    assert result.exit_code == 1
    assert "row 2, column members" in result.output
    good = app.test_cli_runner().invoke(args=["units", "import", str(DEMO), "--dry-run"])
    assert good.exit_code == 0 and "would create 31" in good.output and "+ DT-S1" in good.output
    assert db_session.scalar(select(func.count()).select_from(Unit)) == 0
