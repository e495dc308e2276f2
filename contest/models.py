"""Every model of the app, imported in one place so Alembic and the test schema see the whole schema."""

from contest.accounts.models import Role, User
from contest.audit.models import AuditEntry
from contest.units.models import Unit

__all__ = ["AuditEntry", "Role", "Unit", "User"]
