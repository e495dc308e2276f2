"""Pictures in the bank's question form, and ``/media/<sha256>.<ext>`` serving them."""

from __future__ import annotations

import io

import pytest
from PIL import Image
from sqlalchemy import func, select

from contest.audit.models import AuditEntry
from question_bank.models import BankImage, Question, QuestionRevision
from tests.factories import make_topic


def picture(fmt: str = "PNG", size=(60, 40), colour=(10, 120, 200)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, fmt)
    return buffer.getvalue()


@pytest.fixture
def form(db_session):
    topic = make_topic(db_session, name="Lịch sử")
    return {"text": "Đây là chân dung của ai?", "option_a": "Trần Phú", "option_b": "Lê Hồng Phong",
            "correct": ["B"], "topic_id": topic.id, "difficulty": "NB", "type": "single"}


def count(db_session, model) -> int:
    return db_session.scalar(select(func.count()).select_from(model))


def current(db_session) -> QuestionRevision:
    question = db_session.scalar(select(Question))
    return db_session.scalar(select(QuestionRevision).where(QuestionRevision.question_id == question.id,
                                                            QuestionRevision.number == question.revision))


def test_a_question_and_an_option_get_pictures_from_the_form(client, organiser, db_session, form):
    created = client.post("/organiser/bank/new", content_type="multipart/form-data", data={
        **form, "image": (io.BytesIO(picture("JPEG", (2000, 1000))), "chan-dung.jpg"), "image_alt": "Ảnh chân dung",
        "image_c": (io.BytesIO(picture()), "c.png"), "option_c": ""})
    assert created.status_code == 302
    revision = current(db_session)
    stem = db_session.get(BankImage, revision.image.split(".")[0])
    assert revision.image.endswith(".jpg") and (stem.width, stem.height) == (1280, 640)
    assert revision.image_alt == "Ảnh chân dung"
    # Option C is a picture alone: it is an option all the same.
    assert [option["key"] for option in revision.options] == ["A", "B", "C"]
    assert revision.options[2]["text"] == "" and revision.options[2]["image"].endswith(".png")
    page = client.get(created.headers["Location"]).get_data(as_text=True)
    assert f'src="/media/{revision.image}"' in page and f'src="/media/{revision.options[2]["image"]}"' in page
    assert db_session.scalar(select(AuditEntry.action).order_by(AuditEntry.id.desc())) == "bank.question.created"


def test_a_file_that_is_not_a_picture_is_a_field_error_and_nothing_is_written(client, organiser, db_session, form):
    client.set_cookie("lang", "en")
    page = client.post("/organiser/bank/new", content_type="multipart/form-data", data={
        **form, "image_a": (io.BytesIO(b"MZ\x90\x00 not a picture"), "a.png")})
    assert page.status_code == 200
    assert "the file is not a PNG, JPEG, WebP or GIF image" in page.get_data(as_text=True)
    assert count(db_session, Question) == count(db_session, BankImage) == 0


def test_the_refusal_is_in_vietnamese_by_default(client, organiser, db_session, form):
    page = client.post("/organiser/bank/new", content_type="multipart/form-data", data={
        **form, "image": (io.BytesIO(b"GIF89a broken"), "a.gif")}).get_data(as_text=True)
    assert "tệp không phải ảnh PNG, JPEG, WebP hay GIF" in page


def test_editing_keeps_replaces_or_removes_a_picture_each_by_a_new_revision(client, organiser, db_session, form):
    client.post("/organiser/bank/new", content_type="multipart/form-data",
                data={**form, "image": (io.BytesIO(picture()), "a.png")})
    question = db_session.scalar(select(Question))
    first = current(db_session).image
    edit = f"/organiser/bank/{question.id}/edit"
    page = client.get(edit).get_data(as_text=True)
    assert f'src="/media/{first}"' in page and 'enctype="multipart/form-data"' in page

    client.post(edit, content_type="multipart/form-data", data={**form, "tags": "tuan-1"})
    assert question.revision == 2 and current(db_session).image == first  # kept

    client.post(edit, content_type="multipart/form-data",
                data={**form, "tags": "tuan-1", "image": (io.BytesIO(picture(colour=(1, 2, 3))), "b.png")})
    assert question.revision == 3 and current(db_session).image not in (first, None)
    shown = client.get(f"/organiser/bank/{question.id}").get_data(as_text=True)
    assert f'src="/media/{current(db_session).image}"' in shown and f'src="/media/{first}"' in shown  # revision 1

    client.post(edit, content_type="multipart/form-data", data={**form, "tags": "tuan-1", "remove_image": "y"})
    assert question.revision == 4 and current(db_session).image is None
    assert count(db_session, BankImage) == 2  # the revisions before keep theirs


def test_the_same_picture_twice_is_stored_once(client, organiser, db_session, form):
    client.post("/organiser/bank/new", content_type="multipart/form-data",
                data={**form, "image": (io.BytesIO(picture()), "a.png")})
    client.post("/organiser/bank/new", content_type="multipart/form-data",
                data={**form, "text": "Câu khác?", "image": (io.BytesIO(picture()), "a-copy.png")})
    assert count(db_session, Question) == 2 and count(db_session, BankImage) == 1


def test_two_questions_differing_only_by_their_picture_are_not_duplicates(client, organiser, db_session, form):
    for colour in ((1, 1, 1), (200, 200, 200)):
        response = client.post("/organiser/bank/new", content_type="multipart/form-data",
                               data={**form, "image": (io.BytesIO(picture(colour=colour)), "p.png")})
        assert response.status_code == 302
    again = client.post("/organiser/bank/new", content_type="multipart/form-data",
                        data={**form, "image": (io.BytesIO(picture(colour=(1, 1, 1))), "p.png")})
    assert again.status_code == 200 and count(db_session, Question) == 2


def test_media_is_served_content_addressed_with_a_year_of_cache(client, organiser, db_session, form):
    client.post("/organiser/bank/new", content_type="multipart/form-data",
                data={**form, "image": (io.BytesIO(picture()), "a.png")})
    name = current(db_session).image
    client.delete("/api/session", json={})  # entrants and the public load it without the organiser's login
    served = client.get(f"/media/{name}")
    assert served.status_code == 200 and served.mimetype == "image/png"
    assert served.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert served.headers["ETag"] == f'"{name.split(".")[0]}"'
    assert served.headers["X-Content-Type-Options"] == "nosniff"
    assert "Set-Cookie" not in served.headers and "Cookie" not in served.headers.get("Vary", "")
    assert Image.open(io.BytesIO(served.data)).size == (60, 40)
    again = client.get(f"/media/{name}", headers={"If-None-Match": served.headers["ETag"]})
    assert again.status_code == 304 and not again.data


@pytest.mark.parametrize("name", ["0" * 64 + ".png", "abc.png", "../instance/olympiad.db", "0" * 64])
def test_an_unknown_media_name_is_404(client, db_session, name):
    assert client.get(f"/media/{name}").status_code == 404


def test_media_under_the_wrong_extension_is_404(client, organiser, db_session, form):
    client.post("/organiser/bank/new", content_type="multipart/form-data",
                data={**form, "image": (io.BytesIO(picture()), "a.png")})
    sha = current(db_session).image.split(".")[0]
    assert client.get(f"/media/{sha}.jpg").status_code == 404



def test_a_served_picture_is_read_from_the_database_once_per_process(client, organiser, db_session, form,
                                                                      monkeypatch):
    from question_bank import image_store, media_pages

    monkeypatch.setattr(media_pages, "RECENT", image_store.RecentImages())
    client.post("/organiser/bank/new", content_type="multipart/form-data",
                data={**form, "image": (io.BytesIO(picture()), "a.png")})
    name, unknown = current(db_session).image, "0" * 64 + ".png"
    reads, read = [], image_store.image_file

    def counted(session, wanted):
        reads.append(wanted)
        return read(session, wanted)

    monkeypatch.setattr(image_store, "image_file", counted)
    for _ in range(3):
        assert client.get(f"/media/{name}").status_code == 200
    for _ in range(2):
        assert client.get(f"/media/{unknown}").status_code == 404
    assert reads == [name, unknown, unknown]  # a miss is not remembered: the picture may be added later


def test_the_least_recently_served_pictures_go_first(monkeypatch):
    from question_bank import image_store

    monkeypatch.setattr(image_store, "image_file", lambda session, name: ("image/png", name.encode() * 10))
    recent = image_store.RecentImages(max_bytes=25)
    for name in ("a", "b", "a", "c"):  # 10 bytes each: room for two
        recent.get(None, name)
    assert list(recent.files) == ["a", "c"] and recent.size == 20
