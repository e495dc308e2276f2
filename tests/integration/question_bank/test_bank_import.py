"""Importing into the database: all or nothing, dry runs, duplicates, the demo bank, the CLI."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import delete, func, select

from contest.audit.models import AuditEntry
from contest.db import utcnow
from question_bank.demo import seed_demo_bank
from question_bank.formats import read_questions
from question_bank.importing import import_questions
from question_bank.models import Question, QuestionRevision, Topic
from tests.factories import make_question, make_topic
from tests.unit.question_bank.bank_samples import IN_THE_BANK, expected_messy_problems, messy_file

DEMO = Path(__file__).resolve().parents[3] / "contest" / "demo" / "data"


def count(session, model) -> int:
    return session.scalar(select(func.count()).select_from(model))


def bank_size(session) -> tuple[int, int, int]:
    return count(session, Question), count(session, QuestionRevision), count(session, Topic)


@pytest.mark.parametrize("name", ["demo_question_bank.xlsx", "demo_question_bank.csv"])
def test_the_demo_bank_imports_49_questions(db_session, name):
    plan = import_questions(db_session, read_questions((DEMO / name).read_bytes(), name.rsplit(".")[-1]),
                            now=utcnow(), source=name)
    assert plan.ok and len(plan.questions) == 49
    assert bank_size(db_session) == (49, 49, 4)
    assert db_session.scalar(select(func.count()).where(Question.revision == 1, Question.active)) == 49
    entry = db_session.scalar(select(AuditEntry).where(AuditEntry.action == "bank.import"))
    assert entry.details["created"] == 49 and entry.details["source"] == name


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_a_messy_file_reports_exactly_its_row_problems_and_writes_nothing(db_session, fmt):
    make_question(db_session, text=IN_THE_BANK[0], options=IN_THE_BANK[1])
    existing = db_session.scalar(select(Question.id))
    before = bank_size(db_session)
    plan = import_questions(db_session, read_questions(messy_file(fmt), fmt), now=utcnow())
    assert [(p.row, p.column, p.text()) for p in plan.problems] == expected_messy_problems(existing)
    assert bank_size(db_session) == before
    assert count(db_session, AuditEntry) == 0


def test_a_dry_run_reports_and_writes_nothing(db_session):
    data = (DEMO / "demo_question_bank.xlsx").read_bytes()
    plan = import_questions(db_session, read_questions(data, "xlsx"), now=utcnow(), dry_run=True)
    assert plan.ok and len(plan.questions) == 49 and len(plan.new_topics) == 4
    assert bank_size(db_session) == (0, 0, 0)


def test_existing_topics_are_reused_whatever_their_case(db_session):
    topic = make_topic(db_session, name="KỸ NĂNG SỐ")
    data = "cau_hoi,dap_an_a,dap_an_b,dap_an_dung,chu_de,muc_do\nHỏi?,x,y,A,kỹ năng số,NB\n".encode()
    plan = import_questions(db_session, read_questions(data, "csv"), now=utcnow())
    assert plan.new_topics == []
    assert db_session.scalar(select(Question.topic_id)) == topic.id


def test_importing_twice_is_refused_then_skipped_on_request(db_session):
    data = (DEMO / "demo_question_bank.csv").read_bytes()
    import_questions(db_session, read_questions(data, "csv"), now=utcnow())
    again = import_questions(db_session, read_questions(data, "csv"), now=utcnow())
    assert len(again.problems) == 49 and again.problems[0].message == "duplicate of question #%(id)d in the bank"
    skipped = import_questions(db_session, read_questions(data, "csv"), now=utcnow(), skip_existing=True)
    assert skipped.ok and len(skipped.skipped) == 49 and skipped.questions == []
    assert bank_size(db_session) == (49, 49, 4)


def test_progress_is_reported_per_batch(db_session, monkeypatch):
    from question_bank import importing

    monkeypatch.setattr(importing, "BATCH", 20)
    steps = []
    import_questions(db_session, read_questions((DEMO / "demo_question_bank.csv").read_bytes(), "csv"),
                     now=utcnow(), progress=steps.append)
    assert steps == [20, 20, 9]
    texts = db_session.scalars(select(QuestionRevision.text).order_by(QuestionRevision.question_id)).all()
    assert texts[0].startswith("Nghị quyết số 01-NQ/TU") and len(set(texts)) == 49


def test_seeding_the_demo_bank_twice_adds_nothing(db_session):
    path = DEMO / "demo_question_bank.xlsx"
    assert seed_demo_bank(db_session, path, now=utcnow()) == "question bank: 49 imported, 0 already present"
    assert seed_demo_bank(db_session, path, now=utcnow()) == "question bank: 0 imported, 49 already present"
    assert bank_size(db_session) == (49, 49, 4)


@pytest.fixture
def runner(app, db_session):
    return app.test_cli_runner()


def test_cli_import_dry_run_then_import(runner, db_session):
    path = str(DEMO / "demo_question_bank.xlsx")
    dry = runner.invoke(args=["bank", "import", path, "--dry-run"])
    assert dry.exit_code == 0 and "would import 49 question(s)" in dry.output
    assert bank_size(db_session) == (0, 0, 0)
    done = runner.invoke(args=["bank", "import", path])
    assert done.exit_code == 0 and "imported 49 question(s)" in done.output
    assert bank_size(db_session) == (49, 49, 4)


def test_cli_reports_row_problems_and_exits_1(runner, db_session, tmp_path):
    path = tmp_path / "messy.csv"
    path.write_bytes(messy_file("csv"))
    result = runner.invoke(args=["bank", "import", str(path)])
    assert result.exit_code == 1
    assert "row 9, column dap_an_b: fewer than 2 options (found 1)" in result.output
    assert "6 problem(s); nothing was written." in result.output
    assert bank_size(db_session) == (0, 0, 0)


def test_cli_aiken_import_needs_topic_and_difficulty(runner, db_session, tmp_path):
    path = tmp_path / "bank.txt"
    path.write_text("Hỏi?\nA. x\nB. y\nANSWER: B\n", encoding="utf-8")
    refused = runner.invoke(args=["bank", "import", str(path)])
    assert refused.exit_code == 1 and "row 1, column chu_de: no topic" in refused.output
    done = runner.invoke(args=["bank", "import", str(path), "--topic", "Chung", "--difficulty", "VD"])
    assert done.exit_code == 0, done.output
    assert db_session.scalar(select(Topic.name)) == "Chung"


@pytest.mark.parametrize("fmt", ["xlsx", "csv", "gift", "aiken"])
def test_cli_export_then_import_into_an_empty_bank_gives_the_same_questions(runner, db_session, tmp_path, fmt):
    from question_bank.exporting import current_questions

    runner.invoke(args=["bank", "import", str(DEMO / "demo_question_bank.xlsx")])
    topic = "Kỹ năng số"
    before = current_questions(db_session, topic_id=db_session.scalar(select(Topic.id).where(Topic.name == topic)))
    out = tmp_path / f"bank.{fmt}"
    result = runner.invoke(args=["bank", "export", str(out), "--format", fmt, "--topic", topic])
    assert result.exit_code == 0 and "exported 9 question(s)" in result.output
    for model in (QuestionRevision, Question, Topic):
        db_session.execute(delete(model))
    extra = ["--topic", topic, "--difficulty", "NB"] if fmt == "aiken" else []
    result = runner.invoke(args=["bank", "import", str(out), "--format", fmt, *extra])
    assert result.exit_code == 0, result.output
    after = current_questions(db_session)
    if fmt == "aiken":  # Aiken has no difficulty or explanation
        assert [(q.text, q.options, q.correct) for q in after] == [(q.text, q.options, q.correct) for q in before]
    else:
        assert after == before
