from __future__ import annotations

import random

import pytest

from contest.accounts.names import MAX_LENGTH, clean_name
from contest.demo.people import demo_people


def test_a_name_is_nfc_with_its_white_space_collapsed():
    decomposed = "Nguye\u0302\u0303n\tVa\u0306n\n An "
    assert clean_name(decomposed).text == "Nguyễn Văn An"


@pytest.mark.parametrize("invisible", ["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad"])
def test_zero_width_characters_are_stripped(invisible):
    assert clean_name(f"Ng{invisible}uyễn An{invisible}").text == "Nguyễn An"


@pytest.mark.parametrize("bidi", ["\u202e", "\u202d", "\u2066", "\u2067", "\u2068", "\u2069", "\u200f", "\u061c"])
def test_text_direction_controls_are_refused(bidi):
    assert clean_name(f"An{bidi}nguyễN") == clean_name(bidi) and clean_name(bidi).problem == "bidi"


@pytest.mark.parametrize("control", ["\x00", "\x07", "\x1b", "\x7f", "\x9b", "\ud800"])
def test_control_characters_are_refused(control):
    assert clean_name(f"An{control}").problem == "control"


@pytest.mark.parametrize("blank", ["", "   ", "\u200b\u200b", "\u3164", "\u2800 \u115f", "\t\n"])
def test_a_name_that_shows_nothing_is_refused(blank):
    assert clean_name(blank).problem == "empty"


def test_length_is_capped_after_cleaning():
    assert clean_name("a" * MAX_LENGTH + "\u200b").text == "a" * MAX_LENGTH
    assert clean_name("a" * (MAX_LENGTH + 1)).problem == "too_long"


def test_the_demo_names_are_already_clean():
    for person in demo_people(500, random.Random(1)):
        assert clean_name(person.full_name).text == person.full_name
