"""The consent and purpose text shown at registration (Decree 13/2023/NĐ-CP on personal data protection), by
version. Pure code: no Flask, no database.

The text lives here, not in the translation catalog, because what an entrant agreed to must stay readable word for
word after the wording changes: each entrant's record keeps ``CONSENT_VERSION`` as it was when they ticked the box,
and ``TEXTS`` keeps every version ever shown, in Vietnamese (the binding text) and English. Changing a word means a
new version: add it to ``TEXTS`` and point ``CONSENT_VERSION`` at it; never edit a version already shown.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

CONSENT_VERSION = "2026-12-01"
# Decree 13/2023, article 20: processing a child's data needs the consent of a parent or guardian; the child's own
# consent is needed as well from the age of 7. "Child" is under 16 (the Law on Children).
GUARDIAN_AGE = 16


@dataclass(frozen=True)
class ConsentText:
    title: str
    sections: tuple[tuple[str, str], ...]  # (heading, paragraph)
    consent_label: str
    guardian_label: str


_VI = ConsentText(
    title="Đồng ý xử lý dữ liệu cá nhân",
    sections=(
        ("Dữ liệu thu thập",
         "Họ và tên, ngày sinh, số điện thoại di động, email (nếu có), số CCCD (nếu có) và đơn vị (trường) của bạn; "
         "các bài thi, câu trả lời và kết quả của bạn."),
        ("Mục đích",
         "Tổ chức cuộc thi (đăng nhập, làm bài, chấm điểm), xét và trao giải (liên hệ và xác minh người đoạt giải), "
         "công bố kết quả và thống kê theo đơn vị."),
        ("Ai được xem",
         "Bảng xếp hạng công khai chỉ hiện tên (đầy đủ hoặc chữ cái đầu, tùy cuộc thi), đơn vị và kết quả; không bao "
         "giờ hiện số điện thoại, CCCD hay ngày sinh. Ban tổ chức cuộc thi được xem tên, đơn vị và kết quả; chỉ ban tổ "
         "chức cấp cuộc thi được xem số điện thoại, CCCD và ngày sinh khi cần để liên hệ, xác minh và trao giải, và "
         "mỗi lần xem hay xuất đều được ghi nhật ký. Dữ liệu không được cung cấp cho bên thứ ba, trừ khi pháp luật "
         "yêu cầu."),
        ("Thời gian lưu trữ",
         "Trong thời gian cuộc thi diễn ra và tối đa 12 tháng sau khi vòng thi cuối cùng kết thúc. Sau đó dữ liệu cá "
         "nhân được xóa hoặc thay bằng bí danh (ví dụ \"Thí sinh #1234\"); kết quả và xếp hạng được giữ lại dưới bí "
         "danh đó."),
        ("Quyền của bạn",
         "Bạn có quyền được biết, xem, sửa, rút lại sự đồng ý và yêu cầu xóa dữ liệu của mình bằng cách liên hệ ban "
         "tổ chức. Rút lại sự đồng ý không ảnh hưởng đến việc xử lý đã thực hiện trước đó; khi dữ liệu bị xóa, bạn "
         "không thể tiếp tục dự thi bằng tài khoản này."),
        ("Thí sinh dưới 16 tuổi",
         "Việc đăng ký của trẻ em dưới 16 tuổi cần sự đồng ý của cha, mẹ hoặc người giám hộ."),
    ),
    consent_label="Tôi đã đọc và đồng ý cho ban tổ chức xử lý dữ liệu cá nhân của tôi theo các mục đích trên.",
    guardian_label="Tôi dưới 16 tuổi và cha, mẹ hoặc người giám hộ của tôi đã đồng ý cho tôi đăng ký.",
)

_EN = ConsentText(
    title="Consent to the processing of personal data",
    sections=(
        ("What is collected",
         "Your full name, date of birth, mobile phone, email (if given), citizen ID / CCCD (if given) and your unit "
         "(school); your attempts, answers and results."),
        ("Why",
         "To run the contest (login, taking rounds, scoring), to award prizes (contacting and verifying winners), "
         "and to publish results and statistics by unit."),
        ("Who sees it",
         "Public leaderboards show only your name (in full or as initials, as the contest chooses), unit and "
         "results; never your phone, CCCD or date of birth. The contest's organisers see names, units and results; "
         "only contest-level organisers see phone, CCCD and date of birth, when they need them to contact, verify "
         "and award winners, and every view or export of them is logged. Nothing is given to third parties unless "
         "the law requires it."),
        ("How long it is kept",
         "While the contest runs and at most 12 months after its last round closes. Then the personal data is "
         "erased or replaced by a pseudonym (like \"Thí sinh #1234\"); results and rankings are kept under it."),
        ("Your rights",
         "You may know, see and correct your data, withdraw this consent and ask for your data to be erased, by "
         "contacting the organisers. Withdrawing does not undo processing already done; once your data is erased "
         "you can no longer take part with this account."),
        ("Entrants under 16",
         "Children under 16 may register only with the agreement of a parent or guardian."),
    ),
    consent_label="I have read this and agree that the organisers process my personal data for these purposes.",
    guardian_label="I am under 16 and my parent or guardian agrees to my registering.",
)

TEXTS: dict[str, dict[str, ConsentText]] = {CONSENT_VERSION: {"vi": _VI, "en": _EN}}


def text_for(version: str, language: str) -> ConsentText:
    """The text of ``version`` in ``language``; Vietnamese (the binding text) when there is no such translation."""
    texts = TEXTS[version]
    return texts.get(language, texts["vi"])


def age_on(birth_date: date, today: date) -> int:
    """Whole years of age on ``today``."""
    return today.year - birth_date.year - ((today.month, today.day) < (birth_date.month, birth_date.day))


def needs_guardian(birth_date: date | None, today: date) -> bool:
    """An entrant under ``GUARDIAN_AGE`` registers only with a parent's or guardian's agreement. An unknown birth
    date needs none here: registration refuses it anyway."""
    return birth_date is not None and age_on(birth_date, today) < GUARDIAN_AGE
