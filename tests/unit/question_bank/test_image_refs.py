"""Finding the pictures an import names in its zip (pure), and the formats carrying picture names both ways."""

from __future__ import annotations

import io
import zipfile

import pytest
from PIL import Image

from question_bank.formats import aiken, gift
from question_bank.formats.errors import TableError
from question_bank.formats.model import BankQuestion, Option, RawQuestion, ReadResult
from question_bank.image_refs import attach_images
from question_bank.import_plan import plan_import
from question_bank.vocabulary import Difficulty

KNOWN = "cd" * 32 + ".png"


def png(colour=(1, 2, 3)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (10, 10), colour).save(buffer, "PNG")
    return buffer.getvalue()


def archive(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as out:
        for name, data in files.items():
            out.writestr(name, data)
    return buffer.getvalue()


def raw(image: str = "", **options: str) -> RawQuestion:
    return RawQuestion(row=2, text="Ai đây?", options=(("A", "Một"), ("B", "Hai")), correct="A", topic="Sử",
                       difficulty="NB", image=image, option_images=tuple(options.items()))


def problems(attached) -> list[tuple[str, str]]:
    return [(p.column, p.message % p.params) for p in attached.read.problems]


def test_a_file_is_found_by_its_path_or_its_name_alone_in_any_case():
    files = archive({"Anh/Chan_Dung.PNG": png(), "b.png": png((9, 9, 9))})
    attached = attach_images(ReadResult([raw("anh/chan_dung.png", B="B.PNG"), raw("chan_dung.png")]), files)
    assert problems(attached) == []
    first, second = attached.read.questions
    assert first.image == second.image and first.image.endswith(".png") and len(attached.images) == 2
    assert dict(first.option_images)["B"] in attached.images


def test_a_name_the_bank_holds_needs_no_zip():
    attached = attach_images(ReadResult([raw(KNOWN)]), None, frozenset({KNOWN}))
    assert problems(attached) == [] and attached.read.questions[0].image == KNOWN and attached.images == {}


def test_what_cannot_be_used_is_a_problem_of_its_column():
    files = archive({"a/x.png": png(), "b/x.png": png(), "big.png": b"\0" * (5 * 1024 * 1024 + 1),
                     "text.png": b"hello"})
    attached = attach_images(ReadResult([raw("x.png", A="missing.png", B="big.png"), raw("text.png")]), files)
    assert problems(attached) == [
        ("hinh_anh", "the zip has several files named x.png: give the folder too"),
        ("hinh_a", "the zip of pictures has no file missing.png"),
        ("hinh_b", "the image is 5.0 MB, more than the 5.0 MB allowed"),
        ("hinh_anh", "the file is not a PNG, JPEG, WebP or GIF image"),
    ]
    assert attach_images(ReadResult([raw("x.png")]), None).read.problems[0].message.startswith("the picture")


def test_a_damaged_zip_is_a_file_error():
    with pytest.raises(TableError, match="zip of pictures"):
        attach_images(ReadResult([raw("x.png")]), b"PK\x03\x04 nope")


def test_an_option_may_be_a_picture_alone_and_pictures_tell_questions_apart():
    files = archive({"a.png": png(), "b.png": png((200, 0, 0))})
    read = ReadResult([RawQuestion(row=2, text="Ảnh nào?", options=(("A", ""), ("B", "")), correct="B",
                                   topic="Sử", difficulty="NB", option_images=(("A", "a.png"), ("B", "b.png")))])
    plan = plan_import(attach_images(read, files).read, {}, [])
    assert plan.ok and [bool(o.image) and o.text == "" for o in plan.questions[0][1].options] == [True, True]
    same_picture_twice = ReadResult([RawQuestion(row=2, text="Ảnh nào?", options=(("A", ""), ("B", "")),
                                                 correct="B", topic="Sử", difficulty="NB",
                                                 option_images=(("A", "a.png"), ("B", "a.png")))])
    plan = plan_import(attach_images(same_picture_twice, files).read, {}, [])
    assert [p.message for p in plan.problems] == ["option %(key)s repeats option %(other)s"]


def pictured_question() -> BankQuestion:
    options = (Option("A", "Trần Phú", "ab" * 32 + ".jpg"), Option("B", "Lê Duẩn"))
    return BankQuestion(text="Đây là ai?", options=options,
                        correct=("A",), topic="Sử", difficulty=Difficulty.RECOGNITION, image=KNOWN,
                        image_alt="Chân dung")


def test_gift_carries_the_picture_names_in_comments_both_ways():
    text = gift.write([pictured_question()]).decode()
    assert f"// hinh_anh: {KNOWN}\n// mo_ta_hinh: Chân dung\n// hinh_a: {'ab' * 32}.jpg\n" in text
    read = gift.read(text.encode()).questions[0]
    assert (read.image, read.image_alt, read.option_images) == (KNOWN, "Chân dung", (("A", "ab" * 32 + ".jpg"),))


def test_aiken_is_text_only():
    assert aiken.write([pictured_question()]).decode() == "Đây là ai?\nA. Trần Phú\nB. Lê Duẩn\nANSWER: A\n"
