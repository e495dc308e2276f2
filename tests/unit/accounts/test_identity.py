from __future__ import annotations

import pytest

from contest.accounts.identity import (
    has_foreign_digits,
    login_kind,
    normalise_citizen_id,
    normalise_email,
    normalise_phone,
)


@pytest.mark.parametrize("typed", ["0912345678", "0912 345 678", "0912.345.678", "+84912345678",
                                   "84912345678", "+84 (91) 234-5678"])
def test_phone_forms_normalise_to_one(typed):
    assert normalise_phone(typed) == "0912345678"


@pytest.mark.parametrize("typed", ["", "12345", "091234567", "09123456789", "1912345678", "phone", "+1 912345678"])
def test_non_phones_are_refused(typed):
    assert normalise_phone(typed) is None


def test_citizen_id_has_exactly_twelve_digits():
    assert normalise_citizen_id("001 204 000 123") == "001204000123"
    assert normalise_citizen_id("00120400012") is None
    assert normalise_citizen_id("00120400012X") is None


def test_email_is_lowercased_and_checked():
    assert normalise_email(" An.Nguyen@Example.VN ") == "an.nguyen@example.vn"
    assert normalise_email("not-an-email") is None


def test_login_kind_tells_phone_from_email():
    assert login_kind("0912-345-678") == ("phone", "0912345678")
    assert login_kind("A@B.vn") == ("email", "a@b.vn")
    assert login_kind("nonsense") is None


def test_full_width_digits_become_ascii_and_count_as_the_same_number():
    assert normalise_phone("０９１２３４５６７８") == "0912345678"
    assert normalise_citizen_id("００１２０４０００１２３") == "001204000123"
    assert not has_foreign_digits("０９１２３４５６７８")


@pytest.mark.parametrize("typed", ["٠٩١٢٣٤٥٦٧٨", "۰۹۱۲۳۴۵۶۷۸", "०९१२३४५६७८", "09123456٧٨"])
def test_other_digits_are_refused_and_told_apart(typed):
    assert normalise_phone(typed) is None
    assert normalise_citizen_id(typed + "12") is None
    assert login_kind(typed) is None
    assert has_foreign_digits(typed)
