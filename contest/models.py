"""Every model of the app, imported in one place so Alembic and the test schema see the whole schema."""

from contest.accounts.entrant_lists import EntrantListJob
from contest.accounts.models import LoginSession, PasswordReset, Role, User
from contest.attempts.models import Answer, Attempt, AttemptDevice
from contest.audit.models import AuditEntry
from contest.fairplay.models import FairplayReview, FairplaySettings, SpentChallenge
from contest.leaderboards.models import (
    BoardFreeze,
    ContestBoard,
    Disqualification,
    ExportJob,
    PublishedResult,
    PublishedRow,
    RankingRule,
)
from contest.prizes.models import (
    Certificate,
    CertificateJob,
    CertificateTemplate,
    PrizeAward,
    PrizeAwardSet,
    PrizeRule,
)
from contest.rounds.models import Contest, ContestHome, NewsPost, OrganiserContest, Round, RoundAdjustment
from contest.units.models import Unit, UnitMerge
from question_bank.import_jobs import ImportJob
from question_bank.models import Question, QuestionRevision, RoundItemStat, Topic

__all__ = [
    "Answer", "Attempt", "AttemptDevice", "AuditEntry", "BoardFreeze", "Certificate", "CertificateJob",
    "CertificateTemplate", "Contest", "ContestBoard", "ContestHome", "Disqualification", "EntrantListJob", "ExportJob",
    "FairplayReview", "FairplaySettings", "ImportJob", "LoginSession", "NewsPost", "OrganiserContest", "PasswordReset",
    "PrizeAward", "PrizeAwardSet", "PrizeRule", "PublishedResult", "PublishedRow", "Question", "QuestionRevision",
    "RankingRule", "Role", "Round", "RoundAdjustment", "RoundItemStat", "SpentChallenge", "Topic", "Unit", "UnitMerge",
    "User",
]
