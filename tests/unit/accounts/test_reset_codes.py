"""One-time codes: twelve letters of an alphabet without look-alikes, typed back in any case, with or without
dashes and spaces; anything else is no code at all (nothing is looked up)."""

from __future__ import annotations

import random

from contest.accounts.reset_codes import ALPHABET, code_hash, new_code, normalise_code


def test_a_code_is_three_groups_of_four_letters_without_look_alikes():
    code = new_code(random.Random(7).choice)
    assert len(code) == 14 and code[4] == code[9] == "-"
    assert set(code.replace("-", "")) <= set(ALPHABET) and not set("01OIL") & set(ALPHABET)


def test_a_code_is_found_however_it_is_typed():
    code = new_code(random.Random(1).choice)
    typed = [code.lower(), code.replace("-", " "), code.replace("-", ""), f"  {code}\t"]
    assert {code_hash(variant) for variant in typed} == {code_hash(code)}
    assert code_hash(code) != code_hash(new_code(random.Random(2).choice))


def test_what_cannot_be_a_code_is_refused_before_any_lookup():
    assert normalise_code("ABCD-EFGH-JKM") is None  # eleven letters
    assert normalise_code("ABCD-EFGH-JK0M") is None  # a zero
    assert normalise_code("") is None and normalise_code("ABCD-EFGH-JKMN-P") is None
