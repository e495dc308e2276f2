"""Importing a workbook with the zip of the pictures it names: all or nothing as for every other problem (a missing
file, a file that is not a picture, one too large, no zip at all: each a row problem, nothing written); the bank's
export names its pictures so that it imports again without a zip; GIFT keeps them, Aiken says it drops them."""

from __future__ import annotations

import io
import zipfile

import pytest
from openpyxl import Workbook, load_workbook
from PIL import Image
from sqlalchemy import func, select

from question_bank.import_jobs import ImportJob
from question_bank.models import BankImage, Question, QuestionRevision

HEADER = ["cau_hoi", "dap_an_a", "dap_an_b", "dap_an_c", "dap_an_dung", "chu_de", "muc_do", "image", "image_alt",
          "image_a", "image_b"]


def picture(fmt="PNG", colour=(20, 90, 160), size=(64, 48)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, fmt)
    return buffer.getvalue()


def workbook(rows: list[list[str]], header=HEADER) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def archive(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as out:
        for name, data in files.items():
            out.writestr(name, data)
    return buffer.getvalue()


ROWS = [
    ["Đây là ai?", "Trần Phú", "Lê Hồng Phong", "Hà Huy Tập", "B", "Lịch sử", "NB", "anh/chan_dung.JPG",
     "Chân dung một người đàn ông", "", ""],
    ["Bản đồ nào là chiến dịch Điện Biên Phủ?", "", "", "Không có", "A", "Lịch sử", "TH", "", "", "ban_do_1.png",
     "ban_do_2.png"],
]
FILES = {"anh/chan_dung.jpg": picture("JPEG"), "ban_do_1.png": picture(colour=(1, 2, 3)),
         "maps/ban_do_2.png": picture(colour=(200, 2, 3))}


def upload(client, data: bytes, name: str, images: bytes | None = None, **form) -> str:
    sent = {"file": (io.BytesIO(data), name), **form}
    if images is not None:
        sent["images"] = (io.BytesIO(images), "hinh.zip")
    response = client.post("/organiser/bank/import", data=sent, content_type="multipart/form-data")
    assert response.status_code == 302, response.get_data(as_text=True)
    return client.get(response.headers["Location"]).get_data(as_text=True)


def confirm(client, db_session) -> None:
    job_id = db_session.scalar(select(func.max(ImportJob.id)))
    assert client.post(f"/organiser/bank/import/{job_id}/confirm").status_code == 302


def count(db_session, model) -> int:
    return db_session.scalar(select(func.count()).select_from(model))


def revisions(db_session) -> list[QuestionRevision]:
    return list(db_session.scalars(select(QuestionRevision).order_by(QuestionRevision.id)))


def test_a_workbook_and_its_zip_import_the_pictures(client, organiser, db_session, run_now):
    client.set_cookie("lang", "en")
    page = upload(client, workbook(ROWS), "lich_su.xlsx", archive(FILES))
    assert "2 questions are ready to import." in page and "3 new pictures." in page
    assert count(db_session, Question) == count(db_session, BankImage) == 0  # nothing before the confirmation
    confirm(client, db_session)
    assert count(db_session, Question) == 2 and count(db_session, BankImage) == 3
    portrait, maps = revisions(db_session)
    assert portrait.image.endswith(".jpg") and portrait.image_alt == "Chân dung một người đàn ông"
    # The second question's options A and B are pictures alone (found by their name alone, in any folder).
    assert [(o["text"], bool(o.get("image"))) for o in maps.options] == [("", True), ("", True), ("Không có", False)]
    assert maps.image is None
    assert db_session.get(BankImage, maps.options[1]["image"].split(".")[0]).width == 64


def bad_zip(files_change: dict) -> bytes:
    return archive({**FILES, **files_change})


@pytest.mark.parametrize("files, column, message", [
    ({"maps/ban_do_2.png": None}, "hinh_b", "the zip of pictures has no file ban_do_2.png"),
    ({"ban_do_1.png": b"<svg onload=alert(1)>"}, "hinh_a", "the file is not a PNG, JPEG, WebP or GIF image"),
    ({"anh/chan_dung.jpg": b"\0" * (5 * 1024 * 1024 + 1)}, "hinh_anh",
     "the image is 5.0 MB, more than the 5.0 MB allowed"),
])
def test_each_bad_picture_is_a_row_problem_and_nothing_is_written(client, organiser, db_session, run_now, files,
                                                                  column, message):
    client.set_cookie("lang", "en")
    kept = {name: data for name, data in {**FILES, **files}.items() if data is not None}
    page = upload(client, workbook(ROWS), "lich_su.xlsx", archive(kept))
    row = 2 if column == "hinh_anh" else 3
    assert f"<td>{row}</td><td>{column}</td><td>{message}</td>" in page
    assert "nothing was imported" in page and "Import now" not in page
    assert count(db_session, Question) == count(db_session, BankImage) == 0


def test_no_zip_for_a_workbook_naming_pictures_is_a_problem_in_vietnamese(client, organiser, db_session, run_now):
    page = upload(client, workbook(ROWS), "lich_su.xlsx")
    assert ("<td>2</td><td>hinh_anh</td><td>ảnh anh/chan_dung.JPG không có trong ngân hàng, và chưa tải lên tệp zip "
            "ảnh nào</td>") in page
    assert count(db_session, Question) == 0


def test_a_damaged_zip_is_a_file_error(client, organiser, db_session, run_now):
    client.set_cookie("lang", "en")
    page = upload(client, workbook(ROWS), "lich_su.xlsx", b"PK\x03\x04 not really a zip")
    assert "the zip of pictures cannot be read" in page and count(db_session, Question) == 0


def test_the_bank_export_names_its_pictures_and_imports_again_without_a_zip(client, organiser, db_session, run_now):
    client.set_cookie("lang", "en")
    upload(client, workbook(ROWS), "lich_su.xlsx", archive(FILES))
    confirm(client, db_session)
    exported = client.get("/organiser/bank/export?format=xlsx")
    sheet = load_workbook(io.BytesIO(exported.data)).active
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    header = rows[0]
    assert {"hinh_anh", "mo_ta_hinh", "hinh_a", "hinh_b", "hinh_c", "hinh_d"} <= set(header)
    portrait = revisions(db_session)[0]
    assert portrait.image in rows[1] + rows[2]

    for row in rows[1:]:
        row[header.index("cau_hoi")] += " (bản 2)"
    again = upload(client, workbook([[c or "" for c in row] for row in rows[1:]], header=header), "lai.xlsx")
    assert "2 questions are ready to import." in again and "new picture" not in again
    confirm(client, db_session)
    assert count(db_session, Question) == 4 and count(db_session, BankImage) == 3
    assert revisions(db_session)[-2].image == portrait.image or revisions(db_session)[-1].image == portrait.image


def test_gift_keeps_the_pictures_and_aiken_drops_them_with_a_warning(client, organiser, db_session, run_now):
    client.set_cookie("lang", "en")
    upload(client, workbook(ROWS), "lich_su.xlsx", archive(FILES))
    confirm(client, db_session)
    gift = client.get("/organiser/bank/export?format=gift").get_data(as_text=True)
    portrait = revisions(db_session)[0]
    assert f"// hinh_anh: {portrait.image}" in gift and "// mo_ta_hinh: Chân dung một người đàn ông" in gift
    assert "// hinh_a: " in gift and "// hinh_b: " in gift
    aiken = client.get("/organiser/bank/export?format=aiken").get_data(as_text=True)
    assert "hinh" not in aiken and ".png" not in aiken

    edited = gift.replace("Đây là ai?", "Người trong ảnh là ai?").replace("Bản đồ nào", "Lược đồ nào")
    page = upload(client, edited.encode(), "lai.gift")
    assert "2 questions are ready to import." in page
    confirm(client, db_session)
    assert [r.image for r in revisions(db_session)[2:]] == [portrait.image, None]
    assert all(o.get("image") for o in revisions(db_session)[3].options[:2])

    text = "Ai là Tổng Bí thư đầu tiên?\nA. Trần Phú\nB. Lê Duẩn\nANSWER: A\n"
    page = upload(client, text.encode(), "cau.aiken.txt", archive(FILES), topic="Lịch sử", difficulty="NB")
    assert "Aiken files carry no pictures: the zip of pictures was not used." in page
    assert "1 question is ready to import." in page


def test_the_command_line_import_takes_the_zip_and_refuses_another_banks_picture_names(db_session):
    """``import_questions`` (``flask bank import FILE --images ZIP``) resolves pictures the same way."""
    from contest.db import utcnow
    from question_bank.formats import xlsx_format
    from question_bank.importing import import_questions

    stranger = [["Ai đây?", "Một", "Hai", "", "A", "Lịch sử", "NB", "ab" * 32 + ".png", "", "", ""]]
    plan = import_questions(db_session, xlsx_format.read(workbook(stranger)), now=utcnow())
    assert [(p.row, p.column, p.message) for p in plan.problems] == [
        (2, "hinh_anh", "the picture %(name)s is not in the bank, and no zip of pictures was uploaded")]
    assert count(db_session, Question) == 0

    plan = import_questions(db_session, xlsx_format.read(workbook(ROWS)), now=utcnow(), images=archive(FILES))
    assert plan.ok and count(db_session, Question) == 2 and count(db_session, BankImage) == 3
