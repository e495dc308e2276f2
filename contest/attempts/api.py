"""The same attempt operations over plain HTTP JSON, for clients whose websocket fails (DESIGN.md §3)."""

from __future__ import annotations

import random

from flask import Blueprint, request
from flask_login import current_user, login_required

from contest.admission import through
from contest.api import json_body, ok
from contest.attempts import service
from contest.attempts.devices import HEADER, Client, client_of
from contest.attempts.payloads import answer_payload
from contest.attempts.runtime import runtime
from contest.db import utcnow
from contest.extensions import db
from contest.web import optional_whole

api = Blueprint("attempts_api", __name__, url_prefix="/api")


def request_client() -> Client:
    """The device of this request (the ``X-Olympiad-Device`` header; one device per login without it), its coarse
    user agent and its address as seen behind the configured proxies."""
    return client_of(request.headers.get(HEADER), current_user.login_id, request.headers.get("User-Agent"),
                     request.remote_addr)


@api.post("/rounds/<int:round_id>/attempts")
@login_required
def start(round_id: int):
    """Start (or reopen, taking it over from another device) the entrant's attempt at a round."""
    attempt = service.start_attempt(db.session, runtime(), user_id=current_user.id, round_id=round_id,
                                    now=utcnow(), rng=random.Random(), client=request_client())
    return ok(attempt=attempt)


@api.get("/attempts/<int:attempt_id>")
@login_required
def resume(attempt_id: int):
    """The attempt with its saved answers; ``?takeover=0`` refuses rather than take it from another device."""
    attempt = service.resume_attempt(db.session, runtime(), user_id=current_user.id, attempt_id=attempt_id,
                                     now=utcnow(), client=request_client(),
                                     takeover=request.args.get("takeover") != "0")
    return ok(attempt=attempt)


@api.put("/attempts/<int:attempt_id>/answers/<int:slot>")
@login_required
def answer(attempt_id: int, slot: int):
    """``{choice: [keys], seq}`` -> ``{slot, seq}`` once durably stored."""
    payload = answer_payload({**json_body(), "attempt_id": attempt_id, "slot": slot})
    return ok(**service.record_answer(db.session, runtime(), user_id=current_user.id, answer=payload,
                                      now=utcnow(), via="http", device=request_client().device,
                                      fresh_device=True))


@api.post("/attempts/<int:attempt_id>/submit")
@login_required
def submit(attempt_id: int):
    """``{prediction?}`` -> ``{result}``, as the ``attempt_submit`` event."""
    body = json_body()
    with through("submit"):
        result = service.submit_attempt(db.session, runtime(), user_id=current_user.id, attempt_id=attempt_id,
                                        prediction=optional_whole(body, "prediction"), now=utcnow())
    return ok(result=result)
