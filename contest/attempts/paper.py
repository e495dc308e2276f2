"""Papers: what an entrant is shown, how their choices map back to the bank's keys, and scoring. Pure code.

The entrant sees options labelled A, B, C… in a shuffled order; the paper stores, per slot, the original
option keys in the order shown, so the label the client sends maps back to the bank's key.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from question_bank.media import ShownImage

LABELS = "ABCDEFGH"


@dataclass(frozen=True)
class PaperQuestion:
    """A question revision as a paper needs it."""

    revision_id: int
    text: str
    options: tuple[tuple[str, str], ...]  # (original key, text)
    correct: frozenset[str]
    multiple: bool
    explanation: str = ""
    image: ShownImage | None = None
    option_images: tuple[tuple[str, ShownImage], ...] = ()  # (original key, picture), the options that have one


@dataclass(frozen=True)
class Slot:
    question_id: int
    revision_id: int
    shown: tuple[str, ...]  # original option keys in the order shown
    multiple: bool

    def original(self, label: str) -> str | None:
        index = LABELS.find(label) if len(label) == 1 else -1
        return self.shown[index] if 0 <= index < len(self.shown) else None

    def label(self, original: str) -> str:
        return LABELS[self.shown.index(original)]


def slots_from_json(paper: Sequence[Mapping], questions: Mapping[int, PaperQuestion]) -> tuple[Slot, ...]:
    return tuple(Slot(item["q"], item["rev"], tuple(item["opts"]), questions[item["rev"]].multiple)
                 for item in paper)


def paper_json(slots: Sequence[Slot]) -> list[dict]:
    return [{"q": slot.question_id, "rev": slot.revision_id, "opts": list(slot.shown)} for slot in slots]


def client_questions(slots: Sequence[Slot], questions: Mapping[int, PaperQuestion]) -> list[dict]:
    """The paper as the client receives it: no answer key, options relabelled in the order shown. A picture
    comes as ``image`` ``{url, width, height, alt}`` on the question or the option showing it; its address is its
    content's hash, the same whatever the option's place or key."""
    result = []
    for number, slot in enumerate(slots):
        question = questions[slot.revision_id]
        texts, images = dict(question.options), dict(question.option_images)
        options = [_with_image({"key": LABELS[i], "text": texts[key]}, images.get(key))
                   for i, key in enumerate(slot.shown)]
        result.append(_with_image({"slot": number, "text": question.text, "multiple": slot.multiple,
                                   "options": options}, question.image))
    return result


def _with_image(item: dict, image: ShownImage | None) -> dict:
    if image is not None:
        item["image"] = image.payload()
    return item


def client_answers(slots: Sequence[Slot], answers: Mapping[int, Sequence[str]]) -> dict[str, list[str]]:
    """Stored answers (original keys) as the labels the entrant saw, keyed by slot as a string (JSON)."""
    return {str(slot): sorted(slots[slot].label(key) for key in keys)
            for slot, keys in answers.items() if 0 <= slot < len(slots)}


def parse_choice(slot: Slot, labels: Sequence[str]) -> tuple[str, ...] | None:
    """The original keys for the labels an entrant chose, or None when the choice is not valid for the slot.

    An empty choice clears the answer. A single-answer question takes at most one label.
    """
    if len(set(labels)) != len(labels) or (not slot.multiple and len(labels) > 1):
        return None
    keys = []
    for label in labels:
        key = slot.original(label)
        if key is None:
            return None
        keys.append(key)
    return tuple(sorted(keys))


def score(slots: Sequence[Slot], answers: Mapping[int, Sequence[str]],
          questions: Mapping[int, PaperQuestion]) -> int:
    """One point per slot whose chosen keys are exactly the correct ones."""
    return sum(
        1 for number, slot in enumerate(slots)
        if frozenset(answers.get(number, ())) == questions[slot.revision_id].correct
    )
