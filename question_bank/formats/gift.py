"""GIFT (Moodle), the multiple-choice and true/false subset.

Read: ``$CATEGORY:`` sets the topic of the questions after it; ``::title::`` is ignored; ``{=right ~wrong}``
is a single-answer question, ``{~%50%A ~%50%B ~%-100%C}`` (weights) a multiple-answer one, ``{T}``/``{F}``
a true/false statement; ``####text`` is the explanation. Comments ``// muc_do: …``, ``// nguon: …`` and
``// [tag:…]`` before a question carry what GIFT has no syntax for. Other GIFT types are reported, not read.
Options get keys A, B, … in the order written (GIFT has no letters).

Pictures go the same way, as comments naming their files (``// hinh_anh: <name>``, ``// mo_ta_hinh: …``,
``// hinh_a: <name>`` for the first answer…), the names of the xlsx columns: a bank export names the bank's
pictures (``<sha256>.<ext>``), so it imports again here with them, and a zip of pictures may come with a file
written by hand. Moodle ignores comments: it imports the questions without their pictures (embedding them as
``[html]`` text with ``@@PLUGINFILE@@`` addresses would need Moodle's XML format, not GIFT).
"""

from __future__ import annotations

import re

from question_bank.formats.model import N_, BankQuestion, RawQuestion, ReadResult, RowProblem, join_tags
from question_bank.formats.tabular import decode_text, normalise_text
from question_bank.vocabulary import FALSE_TEXT, TRUE_TEXT, QuestionType

# Escaped characters are swapped for private-use placeholders while the structure is parsed.
_ESCAPES = {"\\\\": "\ue000", "\\~": "\ue001", "\\=": "\ue002", "\\#": "\ue003", "\\{": "\ue004",
            "\\}": "\ue005", "\\:": "\ue006", "\\n": "\ue007"}
_RESTORE = str.maketrans({"\ue000": "\\", "\ue001": "~", "\ue002": "=", "\ue003": "#", "\ue004": "{",
                          "\ue005": "}", "\ue006": ":", "\ue007": "\n"})
_TITLE = re.compile(r"^::.*?::", re.DOTALL)
_TEXT_FORMAT = re.compile(r"^\[(?:html|moodle|plain|markdown)\]", re.IGNORECASE)
_TRUE_FALSE = re.compile(r"^(TRUE|T|FALSE|F)\s*(?:#.*)?$", re.IGNORECASE | re.DOTALL)
_ANSWER = re.compile(r"([=~])([^=~]*)")
_WEIGHT = re.compile(r"^%(-?\d+(?:\.\d+)?)%")
_META = re.compile(r"^//\s*(muc_do|difficulty|nguon|source|hinh_anh|image|mo_ta_hinh|image_alt|hinh_[a-h])\s*:\s*(.*)$",
                   re.IGNORECASE)
_META_FIELDS = {"muc_do": "difficulty", "difficulty": "difficulty", "nguon": "source", "source": "source",
                "hinh_anh": "image", "image": "image", "mo_ta_hinh": "image_alt", "image_alt": "image_alt"}
_TAG = re.compile(r"\[tag:([^\]]+)\]")
_CATEGORY_PREFIX = re.compile(r"^(?:\$[a-z0-9]+\$/)?(?:top/)?", re.IGNORECASE)


def read(data: bytes) -> ReadResult:
    """Questions with the line each starts on; an unsupported or malformed question is a problem."""
    result = ReadResult()
    topic = ""
    meta: dict[str, str] = {}
    tags: list[str] = []
    block: list[str] = []
    start = 0
    lines = normalise_text(decode_text(data)).split("\n")
    for number, line in enumerate([*lines, ""], start=1):
        stripped = line.strip()
        if stripped.startswith("//") and not block:
            found = _META.match(stripped)
            if found:
                meta[_META_FIELDS.get(found.group(1).lower(), found.group(1).lower())] = found[2].strip()
            tags.extend(tag.strip() for tag in _TAG.findall(stripped))
        elif stripped.startswith("$CATEGORY:") and not block:
            topic = _CATEGORY_PREFIX.sub("", stripped.removeprefix("$CATEGORY:").strip()).strip()
        elif stripped:
            if not block:
                start = number
            block.append(line)
        elif block:
            _read_question(start, "\n".join(block), topic, meta, tags, result)
            block, meta, tags = [], {}, []
    return result


def _read_question(row: int, text: str, topic: str, meta: dict, tags: list, result: ReadResult) -> None:
    def problem(message: str) -> None:
        result.problems.append(RowProblem(row, "cau_hoi", message))

    for sequence, placeholder in _ESCAPES.items():
        text = text.replace(sequence, placeholder)
    opening, closing = text.find("{"), text.find("}")
    if opening < 0 or closing < opening:
        problem(N_("no answers in braces { } (GIFT)"))
        return
    stem = _TEXT_FORMAT.sub("", _TITLE.sub("", text[:opening]).strip()).strip()
    after = text[closing + 1 :].strip()
    if after:  # a missing-word question: the blank stands where the answers were
        stem = f"{stem} _____ {after}"
    body, _, general = text[opening + 1 : closing].partition("####")
    body = body.strip()
    parsed = _true_false(body) or _choices(body)
    if isinstance(parsed, str):
        problem(parsed)
        return
    options, correct, kind = parsed
    result.questions.append(RawQuestion(
        row=row, text=_plain(stem), options=tuple((key, _plain(value)) for key, value in options),
        correct=",".join(correct), topic=topic, difficulty=meta.get("difficulty", ""),
        explanation=_plain(general.strip()), source=meta.get("source", ""), tags=join_tags(tuple(tags)),
        type=kind, image=meta.get("image", ""), image_alt=meta.get("image_alt", ""),
        option_images=tuple((key, meta[f"hinh_{key.lower()}"]) for key, _text in options
                            if meta.get(f"hinh_{key.lower()}")),
    ))


def _true_false(body: str):
    found = _TRUE_FALSE.match(body)
    if not found:
        return None
    truth = found.group(1).upper().startswith("T")
    return [("A", TRUE_TEXT), ("B", FALSE_TEXT)], ["A" if truth else "B"], QuestionType.TRUE_FALSE.value


def _choices(body: str):
    """``(options, correct keys, type)`` or the reason the answers are not a supported choice question."""
    if not body:
        return N_("essay questions are not supported")
    if body.startswith("#"):
        return N_("numerical questions are not supported")
    if "->" in body:
        return N_("matching questions are not supported")
    answers = _ANSWER.findall(body)
    if not any(marker == "~" for marker, _ in answers):
        return N_("short-answer questions are not supported (a choice question needs ~wrong answers)")
    options, correct, weighted = [], [], False
    for key, (marker, chunk) in zip("ABCDEFGHIJKLMNOPQRSTUVWXYZ", answers, strict=False):
        weight = _WEIGHT.match(chunk.strip())
        if weight:
            weighted = True
            chunk = chunk.strip()[weight.end() :]
        text = chunk.partition("#")[0].strip()
        options.append((key, text))
        if marker == "=" or (weight and float(weight.group(1)) > 0):
            correct.append(key)
    if len(answers) > 26:
        return N_("more than 26 answers")
    # Weights mean check boxes even with one right answer; otherwise the import infers the type
    # (two options 'Đúng'/'Sai' make a true/false question, as in a spreadsheet).
    return options, correct, QuestionType.MULTIPLE.value if weighted else ""


def _plain(text: str) -> str:
    return text.translate(_RESTORE).strip()


def write(questions: list[BankQuestion]) -> bytes:
    parts = []
    topic = None
    for question in questions:
        if question.topic != topic:
            topic = question.topic
            parts.append(f"$CATEGORY: {topic}\n")
        lines = [f"// muc_do: {question.difficulty.label}"]
        if question.source:
            lines.append(f"// nguon: {_one_line(question.source)}")
        if question.tags:
            lines.append("// " + " ".join(f"[tag:{tag}]" for tag in question.tags))
        if question.image:
            lines.append(f"// hinh_anh: {question.image}")
            if question.image_alt:
                lines.append(f"// mo_ta_hinh: {_one_line(question.image_alt)}")
        lines += [f"// hinh_{option.key.lower()}: {option.image}" for option in question.options if option.image]
        lines.append(f"{_escape(question.text)} {{")
        lines += _answer_lines(question)
        if question.explanation:
            lines.append(f"#### {_escape(question.explanation)}")
        lines.append("}")
        parts.append("\n".join(lines) + "\n")
    return "\n".join(parts).encode("utf-8")


def _answer_lines(question: BankQuestion) -> list[str]:
    texts = [option.text for option in question.options]
    if question.type is QuestionType.TRUE_FALSE and texts == [TRUE_TEXT, FALSE_TEXT]:
        return ["T" if question.correct == (question.options[0].key,) else "F"]
    if question.type is QuestionType.MULTIPLE:
        share = f"{100 / len(question.correct):.5f}".rstrip("0").rstrip(".")
        return [f"~%{share if option.key in question.correct else '-100'}%{_escape(option.text)}"
                for option in question.options]
    return [f"{'=' if option.key in question.correct else '~'}{_escape(option.text)}" for option in question.options]


def _escape(text: str) -> str:
    text = text.replace("\\", "\\\\")
    for char in "~=#{}:":
        text = text.replace(char, "\\" + char)
    return text.replace("\n", "\\n")


def _one_line(text: str) -> str:
    return re.sub(r"\s*\n\s*", " ", text)
