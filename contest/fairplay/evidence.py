"""A finding put in words for the organiser, in their language ("10 câu trả lời trong 0,6 giây…")."""

from __future__ import annotations

from flask_babel import format_decimal
from flask_babel import gettext as _


def in_words(finding: dict) -> str:
    """The evidence of one stored finding (``{code, weight, params}``); an unknown code is shown as it is."""
    code, p = finding.get("code", ""), finding.get("params", {})
    if code == "fast_answers":
        return _("%(count)s of %(answers)s answers in %(seconds)s s in all, faster than the questions can be read",
                 count=p["count"], answers=p["answers"], seconds=format_decimal(p["seconds"]))
    if code == "short_total":
        return _("the whole attempt took %(seconds)s s for %(questions)s questions",
                 seconds=format_decimal(p["seconds"]), questions=p["questions"])
    if code == "regular_intervals":
        return _("%(intervals)s intervals between answers of %(mean)s s on average that hardly vary "
                 "(variation %(cv)s)", intervals=p["intervals"], mean=format_decimal(p["mean_s"]),
                 cv=format_decimal(p["cv"]))
    if code == "same_sequence":
        return _("%(entrants)s entrants gave the same answers in the same order with the same timings",
                 entrants=p["entrants"])
    if code == "shared_device":
        return _("%(entrants)s entrants share this device", entrants=p["entrants"])
    if code == "shared_address":
        return _("%(entrants)s entrants played from this address", entrants=p["entrants"])
    if code == "registration_burst":
        return _("registered in a burst of %(accounts)s accounts from one address within %(minutes)s minutes",
                 accounts=p["accounts"], minutes=p["minutes"])
    if code == "accuracy_jump":
        return _("correct answers rose from %(before)s%% to %(after)s%% since the previous attempt",
                 before=p["before"], after=p["after"])
    return code


def evidence(findings: list[dict]) -> str:
    """Every finding in words, strongest first, joined by semicolons."""
    ordered = sorted(findings, key=lambda finding: -finding.get("weight", 0))
    return "; ".join(in_words(finding) for finding in ordered)
