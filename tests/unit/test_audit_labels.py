"""Every audit action the code records has a label for the audit log page (``contest.audit.labels``), and an
entry's details read as text: no raw id, list or ``None``."""

from __future__ import annotations

from contest.audit.labels import ACTIONS, describe
from tests.english_text import english_phrases


def test_every_recorded_action_has_a_label():
    recorded = {phrase for phrase, source in english_phrases().items() if source == "a raw audit action"}
    # Dotted ids on an action's line that are not actions (what a disclosure was, an export's file).
    not_actions = {"export.contacts", "download.contacts"}
    missing = sorted(recorded - set(ACTIONS) - not_actions)
    assert not missing, f"audit actions without a label in contest/audit/labels.py ACTIONS: {missing}"


def test_an_entry_reads_as_vietnamese(app):
    with app.test_request_context("/"):
        shown = describe("results.correct", "round", "3",
                         {"voided": [], "added_voided": [12, 15], "reason": "Khiếu nại", "every_key": True,
                          "topic_id": None, "frozen_at": "2026-05-25T01:00:00+00:00", "what": "export.contacts"})
    assert shown.action == "Sửa kết quả sau khiếu nại" and shown.target == "vòng thi số 3"
    assert dict(shown.details) == {"câu hỏi bị hủy": "–", "câu hỏi mới bị hủy": "12, 15", "lý do": "Khiếu nại",
                                   "có đủ đáp án": "có", "chủ đề số": "–", "đóng băng lúc": "08:00 25/05/2026",
                                   "việc": "xuất danh sách liên hệ trao giải"}
