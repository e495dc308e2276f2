"""The answer key never leaves the server while a round that can draw the question is live: across random banks,
round pools, review settings and clocks, no review, answers export, statistics row or bank export shows a key
that a live round could hand out. The forbidden set is computed from the drawing code itself (each live round's
pool as ``BankPapers`` loads it, plus whatever is on its papers already), not from the rule under test."""

from __future__ import annotations

import csv
import io
import random
from datetime import timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select, update

from contest.accounts.models import Role
from contest.attempts import history
from contest.attempts.models import Answer, Attempt, Status
from contest.db import utcnow
from contest.leaderboards.exports.jobs import run_export, start_export
from contest.rounds.models import Contest, Review, Round
from question_bank.exporting import export_questions
from question_bank.models import Question, QuestionRevision, Topic
from question_bank.pool import round_pool
from question_bank.stored_stats import refresh_round_stats, stored_round_rows
from question_bank.vocabulary import Difficulty, QuestionType
from tests.factories import make_user

TAGS = ["tuan-1", "tuan-2", "luyen-tap"]


@st.composite
def scenario(draw):
    bank = [{"tags": draw(st.lists(st.sampled_from(TAGS), max_size=2, unique=True)),
             "shown_hours_ago": draw(st.none() | st.integers(1, 200))} for _ in range(draw(st.integers(4, 9)))]
    rounds = [{"opens": draw(st.integers(-72, 48)), "hours": draw(st.integers(1, 48)),
               "tags": draw(st.lists(st.sampled_from(TAGS), max_size=1)),
               "review": draw(st.sampled_from(list(Review))), "attempts": draw(st.integers(1, 3))}
              for _ in range(draw(st.integers(1, 4)))]
    return bank, rounds, draw(st.integers(-24, 72)), random.Random(draw(st.integers(0, 2**32)))


def build(session, rt, bank, rounds, base):
    topic = Topic(name=f"Chủ đề {next_id(session)}")
    session.add(topic)
    questions = []
    for n, spec in enumerate(bank):
        shown = base - timedelta(hours=spec["shown_hours_ago"]) if spec["shown_hours_ago"] else None
        question = Question(topic=topic, difficulty=Difficulty.RECOGNITION, type=QuestionType.SINGLE, revision=1,
                            content_key=f"p{topic.name}{n}", key_shown_at=shown)
        session.add(question)
        session.flush()
        session.add(QuestionRevision(question_id=question.id, number=1, text=f"{topic.name} câu {n}?",
                                     options=[{"key": k, "text": f"PA {k}"} for k in "ABCD"], correct=["B"],
                                     tags=spec["tags"]))
        questions.append(question)
    made = []
    for spec in rounds:
        opens = base + timedelta(hours=spec["opens"])
        made.append(Round(contest=Contest(title="Cuộc thi", created_at=base), title="Vòng", opens_at=opens,
                          closes_at=opens + timedelta(hours=spec["hours"]), time_limit_s=600, question_count=2,
                          attempts_allowed=spec["attempts"], review=spec["review"], grace_s=5,
                          pool_tags=spec["tags"], created_at=base))
    session.add_all(made)
    session.commit()
    rt.bank.forget_pools()
    return questions, made


def next_id(session) -> int:
    return (session.scalar(select(Topic.id).order_by(Topic.id.desc()).limit(1)) or 0) + 1


def take(session, rt, round_, rng, now):
    """A submitted attempt of a new entrant, drawn by the real drawing code as of when it started."""
    started = min(now, round_.closes_at) - timedelta(minutes=1)
    if started < round_.opens_at:
        return None
    try:
        slots = rt.bank.draw(session, round_, rng, frozenset())
    except Exception:  # the pool is too small for two questions: nobody can take this round
        return None
    user = make_user(session)
    attempt = Attempt(round_id=round_.id, user_id=user.id, number=1, status=Status.SUBMITTED,
                      paper=[{"q": s.question_id, "rev": s.revision_id, "opts": list(s.shown)} for s in slots],
                      started_at=started, deadline=started + timedelta(minutes=1), finished_at=started,
                      score=0, max_score=len(slots), duration_ms=1000)
    session.add(attempt)
    session.flush()
    session.add(Answer(attempt_id=attempt.id, slot=0, choice=[rng.choice("ABCD")], seq=1, answered_at=started))
    session.commit()
    return attempt


def forbidden(session, rounds, now, *, exempt=None) -> set[int]:
    """What a live round (other than ``exempt``) could hand out or has handed out: its pool and its papers."""
    ids: set[int] = set()
    for round_ in rounds:
        if round_.id == exempt or now >= round_.closes_at + timedelta(seconds=round_.grace_s):
            continue
        ids.update(q.question_id for q in round_pool(session, round_).everything)
        for paper in session.scalars(select(Attempt.paper).where(Attempt.round_id == round_.id)):
            ids.update(item["q"] for item in paper)
    return ids


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(scenario())
def test_no_surface_reveals_a_key_a_live_round_can_draw(db_session, rt, tmp_path, case):
    bank, round_specs, now_hours, rng = case
    base = utcnow()
    now = base + timedelta(hours=now_hours)
    questions, rounds = build(db_session, rt, bank, round_specs, base)
    mine = {q.id for q in questions}
    attempts = [a for r in rounds for _ in range(2) if (a := take(db_session, rt, r, rng, now))]
    organiser = make_user(db_session, role=Role.ORGANISER, commit=True)
    everywhere = forbidden(db_session, rounds, now)
    try:
        for attempt in attempts:  # reviews, as their entrants see them
            round_ = db_session.get(Round, attempt.round_id)
            allowed, _ = history.review_allowed(round_, attempt, now)
            if not allowed:
                continue
            exempt = round_.id if round_.review == Review.AFTER_SUBMIT else None
            shown = history.attempt_review(db_session, rt, user_id=attempt.user_id, attempt_id=attempt.id, now=now)
            revealed = {item["q"] for item, q in zip(attempt.paper, shown, strict=True) if q.right is not None}
            assert not revealed & forbidden(db_session, rounds, now, exempt=exempt)
            assert all(q.explanation == "" and all(o.correct is None for o in q.options)
                       for q in shown if q.key_hidden)
        for round_ in rounds:  # the answers export, by an organiser
            job = start_export(db_session, round_id=round_.id, what="answers", fmt="csv", version=None,
                               actor_id=organiser.id, now=now, directory=tmp_path)
            run_export(db_session, job.id, questions=rt.questions, directory=tmp_path, clock=lambda: now)
            text = (tmp_path / db_session.get(type(job), job.id).path).read_text(encoding="utf-8-sig")
            rows = list(csv.DictReader(io.StringIO(text)))
            assert not {int(r["Mã câu hỏi"]) for r in rows if r["Đáp án đúng"] or r["Đúng (1/0)"]} & everywhere
            refresh_round_stats(db_session, round_.id, now)  # the item statistics
            stats = stored_round_rows(db_session, round_.id, now)
            assert not {s.question_id for s in stats if s.stats.facility is not None or s.stats.option_shares
                        or s.stats.correct_keys} & everywhere
        data, _count, _withheld = export_questions(db_session, "csv", now=now, include_inactive=True,
                                                   actor_id=organiser.id)  # the bank export
        texts = {r["cau_hoi"] for r in csv.DictReader(io.StringIO(data.decode("utf-8-sig")))}
        exported = {q.id for q in questions if db_session.scalar(
            select(QuestionRevision.text).where(QuestionRevision.question_id == q.id)) in texts}
        assert not exported & everywhere
        # keys shown to entrants keep their questions out of every round that opens later
        for question in db_session.scalars(select(Question).where(Question.id.in_(mine))):
            if question.key_shown_at is not None:
                for round_ in rounds:
                    if round_.opens_at > question.key_shown_at:
                        assert question.id not in {q.question_id for q in round_pool(db_session, round_).everything}
    finally:  # later examples share the database: this one's rounds and questions leave the stage
        past = base - timedelta(days=400)
        db_session.execute(update(Round).where(Round.id.in_([r.id for r in rounds]))
                           .values(opens_at=past, closes_at=past + timedelta(hours=1)))
        db_session.execute(update(Question).where(Question.id.in_(mine)).values(active=False))
        db_session.commit()
        rt.bank.forget_pools()

