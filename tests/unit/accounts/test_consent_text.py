"""The consent text's pure rules: ages, who needs a guardian, every version complete in both languages."""

from __future__ import annotations

from datetime import date

from contest.accounts.consent import CONSENT_VERSION, GUARDIAN_AGE, TEXTS, age_on, needs_guardian, text_for


def test_age_counts_whole_years_and_turns_on_the_birthday():
    assert age_on(date(2010, 12, 3), date(2026, 12, 2)) == 15
    assert age_on(date(2010, 12, 3), date(2026, 12, 3)) == 16
    assert age_on(date(2008, 2, 29), date(2026, 2, 28)) == 17
    assert age_on(date(2008, 2, 29), date(2026, 3, 1)) == 18


def test_under_sixteen_needs_a_guardian_sixteen_does_not():
    today = date(2026, 12, 3)
    assert needs_guardian(date(2010, 12, 4), today)
    assert not needs_guardian(date(2010, 12, 3), today)
    assert not needs_guardian(None, today)
    assert GUARDIAN_AGE == 16


def test_every_version_says_the_same_things_in_both_languages():
    assert CONSENT_VERSION in TEXTS
    for version, texts in TEXTS.items():
        assert set(texts) == {"vi", "en"}, version
        vi, en = texts["vi"], texts["en"]
        assert len(vi.sections) == len(en.sections) >= 6
        assert all(heading and body for heading, body in vi.sections + en.sections)
        assert vi.consent_label and vi.guardian_label and en.consent_label and en.guardian_label
    english = " ".join(body for _, body in TEXTS[CONSENT_VERSION]["en"].sections)
    for word in ("name", "date of birth", "phone", "CCCD", "unit", "prizes", "12 months", "withdraw", "erased",
                 "parent or guardian"):
        assert word in english, word


def test_an_unknown_language_falls_back_to_the_binding_vietnamese():
    assert text_for(CONSENT_VERSION, "fr") is TEXTS[CONSENT_VERSION]["vi"]
    assert text_for(CONSENT_VERSION, "en") is TEXTS[CONSENT_VERSION]["en"]
