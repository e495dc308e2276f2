"""What the audit log page shows of an entry: the action, its target and its details in the reader's language,
never the ids the code stores ("results.publish", "voided: []").

The stored entry keeps the ids (they are what a query or a script looks for); ``describe`` turns one into text.
An action or a detail without a label here is shown as stored: ``tests/unit/test_audit_labels.py`` fails on an
action the code records without one, and the Vietnamese pages test on a raw action on the page.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from contest.i18n import CONTEST_TIME_ZONE

ACTIONS = {
    "certificates.job": _l("Started writing a round's certificates"),
    "certificates.template": _l("Changed the certificate template"),
    "contest.banner_removed": _l("Removed a contest's banner"),
    "contest.banner_set": _l("Set a contest's banner"),
    "contest.home_texts": _l("Changed a contest's rules or prize list"),
    "contest.news_added": _l("Added a news post"),
    "contest.news_deleted": _l("Deleted a news post"),
    "contest.news_edited": _l("Edited a news post"),
    "entrant.disqualified": _l("Disqualified an entrant"),
    "entrant.reinstated": _l("Reinstated a disqualified entrant"),
    "export.prizes": _l("Exported the prize list"),
    "fairplay.scan": _l("Computed the fair-play signals"),
    "fairplay.settings": _l("Changed the fair-play thresholds"),
    "prizes.awarded": _l("Computed the prizes"),
    "prizes.export": _l("Exported the prize winners"),
    "prizes.rules": _l("Changed the prize rules"),
    "account.contest_scope": _l("Changed a staff member's contests"),
    "account.login_throttled": _l("Slowed down repeated failed logins"),
    "account.logins_revoked": _l("Ended an account's logins"),
    "account.password_changed": _l("Changed a password"),
    "account.password_reset": _l("Reset a password"),
    "account.reset_code_issued": _l("Issued a password reset code"),
    "account.reset_mailed": _l("Sent a password reset email"),
    "account.staff_created": _l("Created a staff account"),
    "account.staff_role": _l("Changed a staff member's role"),
    "bank.exported": _l("Exported the question bank"),
    "bank.import": _l("Imported questions"),
    "bank.question.created": _l("Added a question"),
    "bank.question.edited": _l("Edited a question"),
    "bank.question.activated": _l("Put a question back in use"),
    "bank.question.deactivated": _l("Took a question out of use"),
    "bank.topic.created": _l("Added a topic"),
    "bank.topic.renamed": _l("Renamed a topic"),
    "board.freeze": _l("Froze the public boards"),
    "board.unfreeze": _l("Unfroze the public boards"),
    "contest.aggregate": _l("Changed how the contest board adds up rounds"),
    "contest.created": _l("Created a contest"),
    "contest.updated": _l("Edited a contest"),
    "entrant.activated": _l("Reactivated an entrant"),
    "entrant.deactivated": _l("Deactivated an entrant"),
    "entrant.updated": _l("Edited an entrant"),
    "entrants.imported": _l("Created accounts from a list of students"),
    "entrants.slips_forgotten": _l("Deleted a list's login slips"),
    "export.started": _l("Started an export"),
    "personal_data.disclosed": _l("Personal data exported or downloaded"),
    "personal_data.retention": _l("Removed personal data of a closed contest"),
    "question.readmitted": _l("Let a question be drawn again"),
    "results.correct": _l("Corrected the results after an appeal"),
    "results.publish": _l("Published the results"),
    "round.created": _l("Created a round"),
    "round.extended": _l("Extended a round's close"),
    "round.extra_attempt": _l("Gave an extra attempt at a round"),
    "round.extra_time": _l("Gave extra time in a round"),
    "round.paused": _l("Paused a round"),
    "round.resumed": _l("Resumed a round"),
    "round.tie_breaks": _l("Changed the tie-break order"),
    "round.updated": _l("Edited a round"),
    "units.import": _l("Imported units"),
    "units.added": _l("Added a unit"),
    "units.renamed": _l("Renamed a unit"),
    "units.moved": _l("Moved a unit"),
    "units.ended": _l("Ended a unit"),
    "units.merged": _l("Merged units"),
}

TARGETS = {
    "bank": _l("question bank"), "contest": _l("contest"), "entrant_list": _l("list of students"),
    "login": _l("login"), "question": _l("question"), "round": _l("round"), "topic": _l("topic"),
    "unit": _l("unit"), "units": _l("units"), "user": _l("account"),
}

DETAILS = {
    "accounts": _l("accounts"), "added_voided": _l("newly voided questions"), "address": _l("address"),
    "after": _l("after"), "already": _l("already done"), "before": _l("before"), "changed": _l("changed"),
    "changes": _l("changes"), "code": _l("code"), "contest_id": _l("contest no."), "count": _l("number"),
    "created": _l("created"), "dry_run": _l("trial run"), "entrant_id": _l("entrant no."), "entrants": _l("entrants"),
    "every_key": _l("with every key"), "expires_at": _l("expires"), "export_files": _l("export files"),
    "extra_attempts": _l("extra attempts"), "failures": _l("failures"), "fmt": _l("file"), "format": _l("file"),
    "from": _l("from"), "frozen_at": _l("frozen at"), "images": _l("new pictures"), "into": _l("merged into"),
    "job_id": _l("job no."), "key_shown_at": _l("key shown at"), "level": _l("level"),
    "logins_ended": _l("logins ended"), "merged": _l("units merged"), "mode": _l("mode"),
    "moved": _l("deadlines moved"), "name": _l("name"), "new_revision": _l("new revision"), "on": _l("from the day"),
    "parent": _l("parent unit"), "paused_at": _l("paused at"),
    "pictures_dropped": _l("questions without their pictures"), "places": _l("prize places"), "units": _l("units"),
    "questions": _l("questions"), "reason": _l("reason"), "revision": _l("revision"), "role": _l("role"),
    "round": _l("round"), "round_id": _l("round no."), "rows": _l("rows"), "scope": _l("unit"),
    "seconds": _l("seconds"), "skipped": _l("skipped"), "skipped_active": _l("skipped (still taking part)"),
    "skipped_recent": _l("skipped (recent)"), "skipped_staff": _l("skipped (staff)"), "source": _l("source"),
    "title": _l("title"), "to": _l("to"), "topic_id": _l("topic no."), "true_value": _l("true value"),
    "unit_id": _l("unit no."), "updated": _l("updated"), "user_ids": _l("accounts"), "version": _l("version"),
    "voided": _l("voided questions"), "wait_s": _l("wait (s)"), "what": _l("what"), "withheld": _l("withheld"),
}

# Stored values that are themselves ids: what an export was, a file format.
VALUES = {
    "ranking": _l("final ranking"), "units": _l("unit rankings"), "answers": _l("answers per question"),
    "contacts": _l("prize contacts"), "export.contacts": _l("prize contacts export"),
    "download.contacts": _l("prize contacts download"), "erase": _l("erase"), "pseudonymise": _l("pseudonymise"),
}


@dataclass(frozen=True)
class Described:
    action: str
    target: str
    details: list[tuple[str, str]]


def describe(action: str, target_type: str | None, target_id: str | None, details: dict) -> Described:
    """An entry's action, target ("round no. 3") and details (label, text) as the audit page shows them."""
    target = ""
    if target_type:
        kind = str(TARGETS.get(target_type, target_type))
        target = kind if target_id in (None, "", "None") else _("%(kind)s no. %(id)s", kind=kind, id=target_id)
    return Described(str(ACTIONS.get(action, action)), target,
                     [(str(DETAILS.get(key, key)), value_text(value)) for key, value in (details or {}).items()])


def value_text(value) -> str:
    """A detail's value: yes/no, "–" for nothing, lists and mappings spelled out, ISO moments in Vietnam's time."""
    if value is None or value == "" or value == [] or value == {}:
        return "–"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, list | tuple):
        return ", ".join(value_text(item) for item in value)
    if isinstance(value, dict):
        return "; ".join(f"{DETAILS.get(key, key)}: {value_text(item)}" for key, item in value.items())
    if isinstance(value, str):
        moment = _moment(value)
        if moment is not None:
            return moment.astimezone(CONTEST_TIME_ZONE).strftime("%H:%M %d/%m/%Y")
        return str(VALUES.get(value, value))
    return str(value)


def _moment(text: str) -> datetime | None:
    if len(text) < 19 or text[4] != "-" or text[10] != "T":
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)  # stored times are UTC
