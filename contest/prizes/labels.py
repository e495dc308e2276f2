"""What each prize is called, in the reader's language ("Giải Ba", "Xuất sắc nhất Huyện Đại Từ")."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

RANK_NAMES = {"first": _l("First prize"), "second": _l("Second prize"), "third": _l("Third prize"),
              "consolation": _l("Consolation prize")}
UNIT_NAMES = {"unit_entrants": _l("Most entrants"), "unit_participation": _l("Highest participation rate"),
              "unit_average": _l("Highest average score")}
TIE_BREAKS = {
    "rank": _l("Entrants are taken in the published rank order, which already applies the round's tie-breaks "
               "(score, then its tie-break order): a quota is never exceeded."),
    "unit_entrants": _l("Ties: the higher average best score, then the unit code."),
    "unit_participation": _l("Entrants over members; ties: more entrants, then the unit code."),
    "unit_average": _l("Ties: more entrants, then the unit code."),
}


def prize_label(prize: str, level: str = "", unit: str = "") -> str:
    """The prize's name: a rank prize's, "Best of <unit>", or a unit prize's with its level."""
    if prize in RANK_NAMES:
        return str(RANK_NAMES[prize])
    if prize == "best_of":
        return _("Best of %(unit)s", unit=unit)
    return _("%(prize)s (%(level)s)", prize=UNIT_NAMES.get(prize, prize), level=level)
