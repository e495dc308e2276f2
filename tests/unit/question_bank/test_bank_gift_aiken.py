"""GIFT and Aiken: reading the supported subset, reporting the rest, and round trips."""

from __future__ import annotations

from dataclasses import replace

from question_bank.formats import aiken, detect_format, gift
from question_bank.formats.model import BankQuestion
from question_bank.import_plan import Defaults, plan_import
from question_bank.vocabulary import Difficulty, QuestionType
from tests.unit.question_bank.bank_samples import SAMPLE_BANK, options

GIFT_SAMPLE = """// Ngân hàng thử
$CATEGORY: $course$/top/Kỹ năng số

// muc_do: Thông hiểu
// [tag:an toàn] [tag:mật khẩu]
::Q1:: Mật khẩu nào mạnh nhất? {
  ~123456 #Quá dễ đoán
  =Tr0ng\\{Mat\\}Khau!9
  ~matkhau
  #### Mật khẩu mạnh có chữ hoa, số và ký hiệu.
}

[html]Thủ đô của Việt Nam là Hà Nội.{TRUE}

Những dịch vụ nào là trực tuyến? {~%50%Cấp căn cước ~%50%Khai sinh ~%-100%Xem phim}

Bao nhiêu? {#2:0}

Ghép cặp {=a -> 1 =b -> 2}

Viết tên {=Hà Nội =Ha Noi}

Hôm nay {~là =không là} thứ hai.
"""


RECOGNITION_DEFAULT = Defaults(difficulty=Difficulty.RECOGNITION)


def plan_of(result, defaults=RECOGNITION_DEFAULT):
    return plan_import(result, existing={}, known_topics=[], defaults=defaults)


def test_gift_reads_the_choice_and_true_false_subset():
    result = gift.read(GIFT_SAMPLE.encode())
    plan = plan_of(result)
    assert [(p.row, p.column, p.text()) for p in plan.problems] == [
        (17, "cau_hoi", "numerical questions are not supported"),
        (19, "cau_hoi", "matching questions are not supported"),
        (21, "cau_hoi", "short-answer questions are not supported (a choice question needs ~wrong answers)"),
    ]
    questions = [question for _, question in plan.questions]
    assert [row for row, _ in plan.questions] == [6, 13, 15, 23]
    password, capital, services, missing_word = questions
    assert password == BankQuestion(
        "Mật khẩu nào mạnh nhất?", options("123456", "Tr0ng{Mat}Khau!9", "matkhau"), ("B",), "Kỹ năng số",
        Difficulty.COMPREHENSION, QuestionType.SINGLE, explanation="Mật khẩu mạnh có chữ hoa, số và ký hiệu.",
        tags=("an toàn", "mật khẩu"))
    assert capital.type is QuestionType.TRUE_FALSE and capital.correct == ("A",)
    assert capital.text == "Thủ đô của Việt Nam là Hà Nội." and capital.difficulty is Difficulty.RECOGNITION
    assert services.type is QuestionType.MULTIPLE and services.correct == ("A", "B")
    assert missing_word.text == "Hôm nay _____ thứ hai." and missing_word.correct == ("B",)


def test_gift_round_trip():
    data = gift.write(SAMPLE_BANK)
    assert [q for _, q in plan_of(gift.read(data)).questions] == SAMPLE_BANK


def test_gift_true_false_with_other_wording_round_trips_as_choices():
    question = BankQuestion("Trời xanh.", options("True", "False"), ("B",), "T", Difficulty.RECOGNITION,
                            QuestionType.TRUE_FALSE)
    assert "{\n=True" not in gift.write([question]).decode()  # not {T}: the option texts must survive
    assert [q for _, q in plan_of(gift.read(gift.write([question]))).questions] == [question]


AIKEN_SAMPLE = """Thủ đô của Việt Nam là?
A. Hà Nội
B) Huế
ANSWER: A

Câu hỏi
nhiều dòng?
a. một
b. hai
c. ba
ANSWER: b, c

Thiếu đáp án
A. x
B. y
Câu tiếp theo bị lỗi
A. p
ANSWER: A
"""


def test_aiken_reads_questions_and_reports_broken_blocks():
    result = aiken.read(AIKEN_SAMPLE.encode())
    plan = plan_of(result, Defaults(topic="Chung", difficulty=Difficulty.APPLICATION))
    assert [(p.row, p.column, p.text()) for p in plan.problems] == [
        (13, "dap_an_dung", "no ANSWER: line after the options"),
        (16, "dap_an_b", "fewer than 2 options (found 1)"),
    ]
    first, second = (q for _, q in plan.questions)
    assert first == BankQuestion("Thủ đô của Việt Nam là?", options("Hà Nội", "Huế"), ("A",), "Chung",
                                 Difficulty.APPLICATION)
    assert second.text == "Câu hỏi\nnhiều dòng?" and second.correct == ("B", "C")


def test_aiken_round_trip_keeps_keys_and_text():
    defaults = Defaults(topic="Chung", difficulty=Difficulty.RECOGNITION)
    sample = [replace(q, topic="Chung", difficulty=Difficulty.RECOGNITION, explanation="", source="", tags=())
              for q in SAMPLE_BANK if "\n" not in q.text and q.type is not QuestionType.MULTIPLE]
    sample.append(BankQuestion("Khóa không liền nhau", options("x", "y", keys="AC"), ("C",), "Chung",
                               Difficulty.RECOGNITION))
    assert [q for _, q in plan_of(aiken.read(aiken.write(sample)), defaults).questions] == sample


def test_format_detection():
    assert detect_format("bank.XLSX") == "xlsx"
    assert detect_format("bank.gift.txt") == "gift"
    assert detect_format("bank.txt", AIKEN_SAMPLE.encode()) == "aiken"
    assert detect_format("bank.txt", GIFT_SAMPLE.encode()) == "gift"
    assert detect_format("bank.txt", b"cau_hoi,dap_an_a") == "csv"
