"""The last defence of every XLSX writer: text openpyxl refuses never reaches it.

openpyxl raises ``IllegalCharacterError`` on the control characters XML 1.0 forbids (and a lone surrogate
cannot be encoded at all), so one such character in one name used to fail the whole export. Names are cleaned
when they are stored (contest.accounts.names); this also covers older rows, question texts and anything else.
"""

from __future__ import annotations

import re

XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xlsx_safe(value):
    """``value`` with the characters a workbook cannot hold removed, when it is text; anything else as it is."""
    return XML_ILLEGAL.sub("", value) if isinstance(value, str) else value
