"""The column layout shared by the XLSX and CSV formats: which header means which field, both ways. Pure."""

from __future__ import annotations

from question_bank.formats.model import (
    OPTION_KEYS,
    BankQuestion,
    RawQuestion,
    correct_text,
    escape_cell,
    join_tags,
    unescape_cell,
)
from question_bank.formats.tabular import Table

OPTION_COLUMNS = tuple(f"dap_an_{key.lower()}" for key in OPTION_KEYS)
# Pictures: the file names (in the zip uploaded with the workbook, or "<sha256>.<ext>" of the bank's own, as an
# export writes them) of the question's picture and of each option's; only exported when a question has one.
IMAGE_COLUMNS = tuple(f"hinh_{key.lower()}" for key in OPTION_KEYS)
PICTURE_COLUMNS = ("hinh_anh", "mo_ta_hinh", *IMAGE_COLUMNS)
COLUMNS = ("cau_hoi", *OPTION_COLUMNS, "dap_an_dung", "chu_de", "muc_do", "giai_thich", "nguon", "the", "loai",
           *PICTURE_COLUMNS)
REQUIRED = {"cau_hoi", "dap_an_dung"}
MIN_EXPORTED_OPTIONS = 4  # the usual A-D layout, even when every exported question has fewer

ALIASES = {
    **{name: name for name in COLUMNS},
    "question": "cau_hoi", "cau_hoi_noi_dung": "cau_hoi", "noi_dung": "cau_hoi", "noi_dung_cau_hoi": "cau_hoi",
    **{f"option_{key.lower()}": f"dap_an_{key.lower()}" for key in OPTION_KEYS},
    **{f"phuong_an_{key.lower()}": f"dap_an_{key.lower()}" for key in OPTION_KEYS},
    **{key.lower(): f"dap_an_{key.lower()}" for key in OPTION_KEYS},
    "correct": "dap_an_dung", "answer": "dap_an_dung", "dap_an_chinh_xac": "dap_an_dung", "dap_an": "dap_an_dung",
    "topic": "chu_de", "category": "chu_de",
    "difficulty": "muc_do", "level": "muc_do", "muc_do_nhan_thuc": "muc_do",
    "explanation": "giai_thich", "feedback": "giai_thich",
    "source": "nguon", "nguon_tham_khao": "nguon",
    "tags": "the", "tag": "the",
    "type": "loai", "loai_cau_hoi": "loai",
    "image": "hinh_anh", "hinh": "hinh_anh", "anh": "hinh_anh", "picture": "hinh_anh",
    "image_alt": "mo_ta_hinh", "alt": "mo_ta_hinh", "mo_ta_anh": "mo_ta_hinh",
    **{f"image_{key.lower()}": f"hinh_{key.lower()}" for key in OPTION_KEYS},
    **{f"hinh_anh_{key.lower()}": f"hinh_{key.lower()}" for key in OPTION_KEYS},
}


def raw_questions(table: Table) -> list[RawQuestion]:
    """One raw question per non-blank row. Cells a writer escaped against formula injection are unescaped."""
    questions = []
    for row, cells in table.rows:
        cell = {name: unescape_cell(value) for name, value in cells.items()}
        options = tuple((key, cell.get(column, "")) for key, column in zip(OPTION_KEYS, OPTION_COLUMNS, strict=True))
        images = tuple((key, cell[column]) for key, column in zip(OPTION_KEYS, IMAGE_COLUMNS, strict=True)
                       if cell.get(column))
        questions.append(RawQuestion(
            row=row, text=cell.get("cau_hoi", ""), options=options, correct=cell.get("dap_an_dung", ""),
            topic=cell.get("chu_de", ""), difficulty=cell.get("muc_do", ""), explanation=cell.get("giai_thich", ""),
            source=cell.get("nguon", ""), tags=cell.get("the", ""), type=cell.get("loai", ""),
            image=cell.get("hinh_anh", ""), image_alt=cell.get("mo_ta_hinh", ""), option_images=images,
        ))
    return questions


def header_and_rows(questions: list[BankQuestion]) -> tuple[list[str], list[list[str]]]:
    """The header and one escaped row per question, with as many option columns as the widest question, and the
    picture columns when a question has a picture (its ``<sha256>.<ext>`` name)."""
    width = max([MIN_EXPORTED_OPTIONS, *(OPTION_KEYS.index(q.options[-1].key) + 1 for q in questions)])
    pictured = any(q.image or any(o.image for o in q.options) for q in questions)
    left_out = {*OPTION_COLUMNS[width:], *IMAGE_COLUMNS[width:], *(() if pictured else PICTURE_COLUMNS)}
    header = [name for name in COLUMNS if name not in left_out]
    rows = []
    for question in questions:
        by_key = {option.key: option for option in question.options}
        values = {
            "cau_hoi": question.text, "dap_an_dung": correct_text(question), "chu_de": question.topic,
            "muc_do": question.difficulty.label, "giai_thich": question.explanation, "nguon": question.source,
            "the": join_tags(question.tags), "loai": question.type.label, "hinh_anh": question.image or "",
            "mo_ta_hinh": question.image_alt,
            **{column: by_key[key].text if key in by_key else ""
               for key, column in zip(OPTION_KEYS, OPTION_COLUMNS, strict=True)},
            **{column: (by_key[key].image or "") if key in by_key else ""
               for key, column in zip(OPTION_KEYS, IMAGE_COLUMNS, strict=True)},
        }
        rows.append([escape_cell(values[name]) for name in header])
    return header, rows
