"""Every model of the app, imported in one place so Alembic and the test schema see the whole schema."""

from contest.accounts.models import Role, User
from contest.audit.models import AuditEntry
from contest.units.models import Unit
from question_bank.models import Question, QuestionRevision, Topic

__all__ = ["AuditEntry", "Question", "QuestionRevision", "Role", "Topic", "Unit", "User"]
