"""The Vietnamese catalog is complete, its placeholders match, and it covers every message the code marks.

Pure and fast (no app, no database): the .po file is parsed with Babel, and the messages are extracted
in-process with the mapping of ``babel.cfg`` and the keywords of ``make messages`` (Babel's defaults, which
include ``_``, ``gettext``, ``ngettext`` and ``N_``, plus ``_l``; ``lazy_gettext`` is added for code that
calls it by its own name). A failure names the messages to translate; ``make messages`` refreshes the
catalog, then fill in the empty ``msgstr`` entries.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
CATALOG = ROOT / "contest" / "translations" / "vi" / "LC_MESSAGES" / "messages.po"
KEYWORDS = {**DEFAULT_KEYWORDS, "_l": None, "lazy_gettext": None, "N_": None, "lazy_ngettext": (1, 2)}

# %(name)s, %(n)d ... (``%%`` is a literal percent sign, not a placeholder) and {name} for brace-format strings.
PERCENT_NAMED = re.compile(r"%(?:%|\((\w+)\)[-#0 +]*\d*(?:\.\d+)?[diouxXeEfFgGcrsa])")
BRACE_NAMED = re.compile(r"(?<!\{)\{(\w+)\}(?!\})")


@pytest.fixture(scope="module")
def catalog():
    with CATALOG.open("rb") as f:
        return read_po(f, locale="vi")


def _messages(catalog):
    return [m for m in catalog if m.id]


def _forms(value) -> tuple[str, ...]:
    return value if isinstance(value, tuple) else (value,)


def _percent_names(text: str) -> set[str]:
    return {name for name in PERCENT_NAMED.findall(text) if name}


def _formats_like(source: str, text: str) -> bool:
    """Templates always %-format what ``_()`` returns (Jinja's newstyle gettext), so a translation must format
    wherever its msgid does: a lone "%" (e.g. "27%" for "27%%") would be a 500 on the Vietnamese page only."""
    values = {name: 1 for name in _percent_names(source)}
    try:
        source % values
    except (ValueError, TypeError, KeyError):
        return True  # the msgid itself is never formatted (Python code calling _() without arguments)
    try:
        text % values
    except (ValueError, TypeError, KeyError):
        return False
    return True


def test_header_declares_one_plural_form_and_is_not_fuzzy(catalog):
    assert catalog.num_plurals == 1 and catalog.plural_expr == "0"
    assert not catalog.fuzzy, "the header is marked fuzzy: `pybabel compile` without -f would skip the catalog"


def test_every_message_is_translated_and_none_is_fuzzy(catalog):
    untranslated = [m.id for m in _messages(catalog) if not all(_forms(m.string))]
    fuzzy = [m.id for m in _messages(catalog) if m.fuzzy]
    assert not untranslated, f"{len(untranslated)} untranslated: {untranslated[:20]}"
    assert not fuzzy, f"{len(fuzzy)} fuzzy: {fuzzy[:20]}"
    for m in _messages(catalog):
        if m.pluralizable:
            assert len(_forms(m.string)) == catalog.num_plurals, m.id


def test_placeholders_match(catalog):
    wrong = []
    for m in _messages(catalog):
        source = _forms(m.id)[-1]  # the plural msgid, when there is one: Vietnamese has a single form
        for text in _forms(m.string):
            if _percent_names(text) != _percent_names(source):
                wrong.append((m.id, text))
            elif "python-brace-format" in m.flags and set(BRACE_NAMED.findall(text)) != set(
                    BRACE_NAMED.findall(source)):
                wrong.append((m.id, text))
            elif not _formats_like(source, text):
                wrong.append((m.id, f"{text!r}: a lone % (write %% in a python-format message)"))
    assert not wrong, "\n".join(f"{msgid!r} -> {text}" for msgid, text in wrong)


def test_catalog_covers_every_extracted_message(catalog):
    with (ROOT / "babel.cfg").open() as f:
        method_map, options_map = parse_mapping_cfg(f)
    top_dirs = {pattern.split("/", 1)[0] for pattern, _ in method_map}

    def only_mapped(path: str) -> bool:  # skip .venv, tests, bench...: only the folders babel.cfg maps
        relative = Path(path).relative_to(ROOT).parts
        return not relative or relative[0] in top_dirs

    extracted = set()
    for _filename, _lineno, message, _comments, _context in extract_from_dir(
            str(ROOT), method_map, options_map, keywords=KEYWORDS, directory_filter=only_mapped):
        extracted.add(message[0] if isinstance(message, tuple) else message)
    assert len(extracted) > 100, "extraction found almost nothing: is babel.cfg still mapping the templates?"
    known = {_forms(m.id)[0] for m in _messages(catalog)}
    missing = sorted(extracted - known)
    assert not missing, f"{len(missing)} messages are not in the catalog (run `make messages`): {missing[:20]}"
