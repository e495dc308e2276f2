"""The English a Vietnamese page could leak, and what a visitor reads of a page (see
``tests/integration/test_vietnamese_pages.py``)."""

from __future__ import annotations

import enum
import re
from html.parser import HTMLParser
from pathlib import Path

from babel.messages.pofile import read_po
from wtforms.i18n import messages_path

import contest.models  # noqa: F401  (every model, so that every stored enum is known)

ROOT = Path(__file__).resolve().parents[1]
CATALOG = ROOT / "contest" / "translations" / "vi" / "LC_MESSAGES" / "messages.po"
PLACEHOLDER = re.compile(r"%\(\w+\)[-#0 +]*\d*(?:\.\d+)?[a-z]|%[sd]|\{\w*\}")
# An audit action: a dotted id quoted on a line that names an action ("results.publish", "export.started").
ACTION = re.compile(r"""["']([a-z]+(?:_[a-z]+)*\.[a-z_]+)["']""")
MARKERS = ("(open)", "(closed)", "(entrants)", "voided:", "None", "Please log in to access this page.",
           "Please reauthenticate to access this page.", "nan", "True", "False")
SHOWN_ATTRIBUTES = ("placeholder", "title", "aria-label", "alt")


class VisibleText(HTMLParser):
    """What a visitor reads of a page: text outside scripts and styles, button values and the shown attributes."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.hidden = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style", "template"):
            self.hidden += 1
        attrs = dict(attrs)
        self.parts.extend(attrs[name] for name in SHOWN_ATTRIBUTES if attrs.get(name))
        if tag == "input" and attrs.get("type") in ("submit", "button") and attrs.get("value"):
            self.parts.append(attrs["value"])

    def handle_endtag(self, tag):
        if tag in ("script", "style", "template") and self.hidden:
            self.hidden -= 1

    def handle_data(self, data):
        if not self.hidden and data.strip():
            self.parts.append(data.strip())


def visible_text(html: str) -> str:
    parser = VisibleText()
    parser.feed(html)
    return " | ".join(parser.parts)


def _fragments(message: str) -> list[str]:
    """The parts of a message between its placeholders that are long enough to be telling."""
    return [part.strip(" '\"") for part in PLACEHOLDER.split(message) if len(part.strip(" '\".:,")) >= 12]


def _stored_enum_values() -> set[str]:
    values = set()
    pending = list(enum.Enum.__subclasses__())
    while pending:
        klass = pending.pop()
        pending.extend(klass.__subclasses__())
        if klass.__module__.startswith(("contest.", "question_bank.")):
            values.update(str(member.value) for member in klass if isinstance(member.value, str))
    return {value for value in values if "_" in value or "." in value}


def english_phrases() -> dict[str, str]:
    """Phrase -> where it comes from."""
    phrases: dict[str, str] = {}
    with open(Path(messages_path()) / "wtforms.pot", "rb") as f:
        for message in read_po(f):
            for msgid in (message.id if isinstance(message.id, tuple) else (message.id,)):
                phrases.update({part: "a WTForms default" for part in _fragments(msgid)})
    with CATALOG.open("rb") as f:
        for message in read_po(f, locale="vi"):
            msgid = message.id[0] if isinstance(message.id, tuple) else message.id
            string = message.string[0] if isinstance(message.string, tuple) else message.string
            if msgid and string and string != msgid and len(msgid.split()) >= 3:
                phrases.update({part: "an untranslated message of ours" for part in _fragments(msgid)
                                if len(part.split()) >= 3})
    for path in [*(ROOT / "contest").rglob("*.py"), *(ROOT / "question_bank").rglob("*.py")]:
        for line in path.read_text().splitlines():
            if "action" in line or "what=" in line:
                phrases.update({action: "a raw audit action" for action in ACTION.findall(line)
                                if not action.endswith((".html", ".py", ".csv", ".xlsx", ".json", ".js"))})
    phrases.update({value: "a raw stored value" for value in _stored_enum_values()})
    phrases.update({marker: "an English marker" for marker in MARKERS})
    return phrases


# A decimal point: Vietnamese writes 2,5 (and groups thousands with a point, always three digits: 1.234), so a
# point followed by one, two or more than three digits is an English number ("2.33", "0.4 %").
DECIMAL_POINT = re.compile(r"(?<![\d.,/:])\d+\.(?:\d{1,2}|\d{4,})(?![\d.,/:])")


def find_english(text: str, phrases: dict[str, str]) -> list[str]:
    found = []
    for match in DECIMAL_POINT.finditer(text):
        found.append(f"{match.group()!r} (a decimal point) in …{text[max(0, match.start() - 60):match.end() + 60]}…")
    for phrase, source in phrases.items():
        # Whole words only: "None" is not in "Nonesuch", "results.publish" not in a longer id.
        for match in re.finditer(rf"(?<![\w.]){re.escape(phrase)}(?![\w])", text):
            around = text[max(0, match.start() - 60):match.end() + 60]
            found.append(f"{phrase!r} ({source}) in …{around}…")
            break
    return found
