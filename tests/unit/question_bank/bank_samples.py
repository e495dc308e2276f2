"""A small bank exercising everything the formats must carry (shared by the round-trip tests)."""

from __future__ import annotations

from question_bank.formats.model import BankQuestion, Option
from question_bank.vocabulary import Difficulty, QuestionType


def options(*texts: str, keys: str = "ABCDEFGH") -> tuple[Option, ...]:
    return tuple(Option(key, text) for key, text in zip(keys, texts, strict=False))


SAMPLE_BANK = [
    BankQuestion("Thủ đô của Việt Nam là thành phố nào?", options("Hà Nội", "Huế", "Đà Nẵng", "TP. Hồ Chí Minh"),
                 ("A",), "Địa lý", Difficulty.RECOGNITION, explanation="Hà Nội là thủ đô từ năm 1010.",
                 source="SGK Địa lý 12", tags=("địa lý", "thủ đô")),
    BankQuestion("Những dịch vụ nào là dịch vụ công trực tuyến?\nChọn tất cả đáp án đúng.",
                 options("Cấp căn cước", "Đăng ký khai sinh", "Mua vé xem phim"), ("A", "B"), "Dịch vụ công",
                 Difficulty.COMPREHENSION, QuestionType.MULTIPLE),
    BankQuestion("Nghị quyết 01-NQ/TU ban hành năm 2020.", options("Đúng", "Sai"), ("A",), "Chuyển đổi số",
                 Difficulty.RECOGNITION, QuestionType.TRUE_FALSE),
    BankQuestion("=1+1 có phải công thức? {không} ~ # : \\", options("-5", "+3", "@home", "'=quoted"), ("C",),
                 "Kỹ năng số", Difficulty.APPLICATION, explanation="=SUM(A1:A3) là công thức."),
    BankQuestion("Tám lựa chọn, một đáp án đúng", options(*"12345678"), ("H",), "Kỹ năng số",
                 Difficulty.HIGH_APPLICATION),
    BankQuestion("Chọn một đáp án (dạng hộp kiểm)", options("x", "y"), ("B",), "Kỹ năng số",
                 Difficulty.COMPREHENSION, QuestionType.MULTIPLE),
]


def nfd(text: str) -> str:
    import unicodedata

    return unicodedata.normalize("NFD", text)


IN_THE_BANK = ("Cổng Dịch vụ công quốc gia có địa chỉ nào?", ("dichvucong.gov.vn", "vneid.gov.vn"))

# A file as organisers send them: a title row, blank rows, accented headers, mixed-case answers, NFD text,
# duplicates and bad answers. Rows are numbered as a spreadsheet shows them.
MESSY_ROWS = [
    ["NGÂN HÀNG CÂU HỎI CUỘC THI CHUYỂN ĐỔI SỐ 2025"],
    [],
    ["Câu hỏi", "Đáp án A", "Đáp án B", "Đáp án C", "Đáp án D", "Đáp án đúng", "Chủ đề", "Mức độ", "Giải thích"],
    ["Ứng dụng VNeID do bộ nào quản lý?", "Bộ Y tế", "Bộ Công an", "Bộ Tài chính", "", "b", "Kỹ năng số",
     "Nhận biết", ""],  # 4: fine, lower-case answer
    [],
    [nfd("Những việc nào giúp giữ an toàn tài khoản?"), nfd("Bật xác thực hai lớp"), "Chia sẻ mật khẩu",
     nfd("Cập nhật phần mềm"), "", "a, C", nfd("Kỹ năng số"), "th", ""],  # 6: fine, NFD text, two answers
    ["  những việc nào giúp giữ AN TOÀN tài khoản  ", "Bật xác thực hai lớp", "Chia sẻ mật khẩu",
     "Cập nhật phần mềm", "", "A", "Kỹ năng số", "TH", ""],  # 7: duplicate of row 6
    ["", "Có", "Không", "", "", "A", "Kỹ năng số", "NB", ""],  # 8: empty question
    ["Chỉ một phương án?", "Có", "", "", "", "A", "Kỹ năng số", "NB", ""],  # 9: one option
    ["Đáp án E không có?", "1", "2", "3", "4", "E", "Kỹ năng số", "NB", ""],  # 10: answer names no option
    ["Mức độ lạ?", "1", "2", "", "", "A", "Kỹ năng số", "Khó", ""],  # 11: unknown difficulty
    ["Đáp án lạ?", "1", "2", "", "", "X", "Kỹ năng số", "NB", ""],  # 12: answer is not a letter
    [IN_THE_BANK[0], *IN_THE_BANK[1], "", "", "A", "Dịch vụ công", "1", ""],  # 13: already in the bank
    ["Nghị quyết 57-NQ/TW bàn về khoa học, công nghệ và chuyển đổi số.", "", "", "", "", "Đúng",
     "Chuyển đổi số", "VD", "Ban hành ngày 22/12/2024."],  # 14: fine, true/false by its answer alone
]

MESSY_PROBLEMS = [
    (7, "cau_hoi", "duplicate of the question on row 6"),
    (8, "cau_hoi", "the question is empty"),
    (9, "dap_an_b", "fewer than 2 options (found 1)"),
    (10, "dap_an_dung", "the correct answer E names an option that is empty or missing"),
    (11, "muc_do", "unknown difficulty Khó (use Nhận biết, Thông hiểu, Vận dụng, Vận dụng cao, NB/TH/VD/VDC or 1-4)"),
    (12, "dap_an_dung", "the correct answer X is not a list of option letters A-H"),
    (13, "cau_hoi", "duplicate of question #%(id)s in the bank"),
]


def messy_file(fmt: str) -> bytes:
    import csv
    import io

    if fmt == "csv":
        buffer = io.StringIO()
        csv.writer(buffer).writerows(MESSY_ROWS)
        return buffer.getvalue().encode("utf-8")
    from openpyxl import Workbook

    book = Workbook()
    for row in MESSY_ROWS:
        book.active.append([cell or None for cell in row] or [None])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def expected_messy_problems(existing_id: int) -> list[tuple[int, str, str]]:
    return [(row, column, text.replace("%(id)s", str(existing_id))) for row, column, text in MESSY_PROBLEMS]
