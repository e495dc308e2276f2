"""Pictures on a paper: the attempt payload names them by their content with their size, in the order the
options are shown, and gives away nothing of the key; the review page shows them too."""

from __future__ import annotations

import io
import json
import random
from datetime import timedelta

import pytest
from PIL import Image

from contest.attempts import service
from contest.attempts.models import Attempt
from contest.db import utcnow
from question_bank.image_check import check_image
from question_bank.image_store import add_images
from question_bank.models import Question, QuestionRevision, Topic
from question_bank.vocabulary import Difficulty, QuestionType
from tests.factories import PASSWORD, make_tree, make_user
from tests.integration.attempts.conftest import make_round


def picture(colour: tuple[int, int, int], size=(90, 60)):
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, "PNG")
    return check_image(buffer.getvalue())


@pytest.fixture
def pictured(db_session):
    """Five questions, each with a portrait above it and a picture per option (B right, as in ``make_bank``)."""
    topic = Topic(name="Lịch sử Đảng")
    db_session.add(topic)
    stems, options = [], {}
    for n in range(5):
        stem = picture((n * 40, 10, 10))
        by_key = {key: picture((10, n * 40, 60 + i * 40)) for i, key in enumerate("ABCD")}
        add_images(db_session, [stem, *by_key.values()], now=utcnow(), actor_id=None)
        question = Question(topic=topic, difficulty=Difficulty.RECOGNITION, type=QuestionType.SINGLE, revision=1,
                            content_key=f"p{n}")
        db_session.add(question)
        db_session.flush()
        db_session.add(QuestionRevision(
            question_id=question.id, number=1, text=f"Ai trong ảnh {n}?", image=stem.name,
            image_alt=f"Chân dung {n}" if n == 0 else "",
            options=[{"key": k, "text": f"Nhân vật {k}{n}", "image": by_key[k].name} for k in "ABCD"],
            correct=["B"]))
        stems.append(stem)
        options.update({(question.id, k): image for k, image in by_key.items()})
    db_session.commit()
    return stems, options


@pytest.fixture
def alice(db_session):
    tree = make_tree(db_session)
    user = make_user(db_session, unit=tree["s1"], phone="0911111111", full_name="Alice")
    db_session.commit()
    return user


def start(db_session, rt, user, round_, seed: int) -> dict:
    return service.start_attempt(db_session, rt, user_id=user.id, round_id=round_.id, now=utcnow(),
                                 rng=random.Random(seed))


def test_the_payload_carries_each_picture_with_its_size_in_the_shown_order(db_session, rt, pictured, alice):
    stems, options = pictured
    round_ = make_round(db_session, questions=5)
    payload = start(db_session, rt, alice, round_, 3)
    paper = db_session.get(Attempt, payload["id"]).paper
    by_name = {image.name: image for image in stems}
    for question, item in zip(payload["questions"], paper, strict=True):
        image = question["image"]
        assert image["url"].startswith("/media/") and image["url"].removeprefix("/media/") in by_name
        assert (image["width"], image["height"]) == (90, 60)
        for option, original in zip(question["options"], item["opts"], strict=True):
            assert option["image"] == {"url": f"/media/{options[(item['q'], original)].name}", "width": 90,
                                       "height": 60, "alt": ""}
    alts = {question["image"]["alt"] for question in payload["questions"]}
    assert alts == {"", "Chân dung 0"}


def test_no_picture_address_tells_the_right_option(db_session, rt, pictured, alice):
    """Each address is the SHA-256 of the picture's bytes: the same for an option whatever its place on a paper,
    and holding no key, label or question id. Nothing else in the payload names the key either."""
    _stems, options = pictured
    round_ = make_round(db_session, questions=5, attempts=5)
    right_urls = {f"/media/{image.name}" for (_q, key), image in options.items() if key == "B"}
    seen: dict[str, str] = {}
    for seed in range(3):
        payload = start(db_session, rt, alice, round_, seed)
        text = json.dumps(payload)
        assert "correct" not in text and '"B"]' not in text
        for question in payload["questions"]:
            for option in question["options"]:
                url = option["image"]["url"]
                name = url.removeprefix("/media/")
                assert len(name.split(".")[0]) == 64 and name.endswith(".png")
                assert seen.setdefault(url, option["text"]) == option["text"]  # the address follows the content
        service.submit_attempt(db_session, rt, user_id=alice.id, attempt_id=payload["id"], prediction=None,
                               now=utcnow())
    # The right options' pictures are served like any other: nothing tells them apart but their content.
    assert right_urls <= set(seen) and len(seen) == 20


def test_the_review_page_shows_the_pictures(client, db_session, rt, pictured, alice):
    stems, _options = pictured
    round_ = make_round(db_session, questions=5)
    payload = start(db_session, rt, alice, round_, 1)
    service.submit_attempt(db_session, rt, user_id=alice.id, attempt_id=payload["id"], prediction=None,
                           now=utcnow())
    round_.opens_at, round_.closes_at = utcnow() - timedelta(days=2), utcnow() - timedelta(minutes=1)
    db_session.commit()
    assert client.post("/api/session", json={"login": "0911111111", "password": PASSWORD}).json["ok"]
    page = client.get(f"/attempts/{payload['id']}/review").get_data(as_text=True)
    assert page.count('class="question-image"') == 5 and page.count('class="choice-image"') == 20
    assert f'src="/media/{stems[0].name}" width="90" height="60" alt="Chân dung 0" loading="lazy"' in page
    served = client.get(f"/media/{stems[0].name}")
    assert served.status_code == 200 and served.data == stems[0].data
