from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from contest.attempts.paper import LABELS, PaperQuestion, Slot, client_answers, client_questions, parse_choice, score

Q1 = PaperQuestion(11, "Thủ đô?", (("A", "Hà Nội"), ("B", "Huế"), ("C", "Sài Gòn")), frozenset({"A"}), False)
Q2 = PaperQuestion(12, "Số chẵn?", (("A", "1"), ("B", "2"), ("C", "3"), ("D", "4")), frozenset({"B", "D"}), True)
QUESTIONS = {11: Q1, 12: Q2}
SLOTS = (Slot(1, 11, ("C", "A", "B"), False), Slot(2, 12, ("D", "C", "B", "A"), True))


def test_client_sees_relabelled_options_and_no_key():
    shown = client_questions(SLOTS, QUESTIONS)
    assert shown[0] == {"slot": 0, "text": "Thủ đô?", "multiple": False,
                        "options": [{"key": "A", "text": "Sài Gòn"}, {"key": "B", "text": "Hà Nội"},
                                    {"key": "C", "text": "Huế"}]}
    assert "correct" not in repr(shown)


def test_labels_map_back_to_bank_keys_and_scoring_is_exact():
    first = parse_choice(SLOTS[0], ["B"])  # "Hà Nội"
    second = parse_choice(SLOTS[1], ["A", "C"])  # "4" and "2"
    assert first == ("A",) and second == ("B", "D")
    assert score(SLOTS, {0: first, 1: second}, QUESTIONS) == 2
    assert score(SLOTS, {0: first, 1: ("B",)}, QUESTIONS) == 1
    assert client_answers(SLOTS, {0: first, 1: second}) == {"0": ["B"], "1": ["A", "C"]}


def test_invalid_choices_are_refused():
    assert parse_choice(SLOTS[0], ["A", "B"]) is None  # two keys on a single-answer question
    assert parse_choice(SLOTS[0], ["D"]) is None  # not an option of this question
    assert parse_choice(SLOTS[0], ["a"]) is None
    assert parse_choice(SLOTS[1], ["A", "A"]) is None
    assert parse_choice(SLOTS[1], []) == ()  # clearing an answer is allowed


@given(st.permutations("ABCDEFGH"), st.lists(st.sampled_from(LABELS), unique=True))
def test_label_mapping_round_trips(order, labels):
    slot = Slot(1, 1, tuple(order), True)
    keys = parse_choice(slot, labels)
    assert keys is not None and sorted(slot.label(k) for k in keys) == sorted(labels)
