"""The ``answer`` event without a Flask request context: the hot path of a round.

Flask-SocketIO builds a Flask request context for every event, and with it the copy of the session it keeps per
connection; at 1,000 answers a second that context cost more CPU than the answer itself (bench/RESULTS.md). An
answer needs nothing from it when all it depends on is in memory already: whose connection it is
(``PlayNamespace.users``), that their login is still open (its room, with the database re-check not yet due), the
attempt (``AttemptCache``) and that the connection's device holds it (its holder room, ``notifier.holder_room``,
which a take-over in any process closes). Such an answer is checked and stored here.

Everything else goes the ordinary way, through ``PlayNamespace.on_answer`` under Flask-SocketIO, which checks it
all again: a cache miss (it needs the database), a login due for its re-check, and every refusal of the answer
itself, whose message is translated from the entrant's request. So the two paths cannot disagree about what is
accepted: the fast one accepts only what the ordinary one would. Its own refusals are the ones that come after
the checks: the rate limit (``guards.allow_event``, counted once per event, so it is not sent on to be counted
again) and a store that failed.
"""

from __future__ import annotations

import logging
import time

from contest.attempts import service
from contest.attempts.payloads import answer_payload
from contest.attempts.runtime import EXTENSION
from contest.db import utcnow
from contest.errors import DomainError
from contest.realtime.guards import allow_event
from contest.realtime.in_memory import caller_in_memory
from contest.realtime.notifier import holder_room, in_room
from contest.realtime.replies import ack, refuse
from contest.web import BadPayload

log = logging.getLogger(__name__)
SETTING = "ANSWER_FAST_PATH"


def answer_in_memory(namespace, sid: str, *args) -> dict | None:
    """The acknowledgement of an answer stored without a Flask context, or None: take the ordinary path."""
    caller = caller_in_memory(namespace, sid, args, SETTING)
    if caller is None:
        return None
    app, environ, user_id, data = caller
    try:
        answer = answer_payload(data)
    except BadPayload:
        return None
    rt = app.extensions[EXTENSION]
    state = rt.cache.get(answer.attempt_id)
    if state is None:
        return None
    client = namespace.clients.get(sid)
    if client is None or not in_room(namespace.namespace, holder_room(answer.attempt_id, client.device), sid):
        return None  # not known to hold the attempt here: the ordinary path asks the database who does
    now = utcnow()
    try:
        keys = service.checked_choice(state, user_id=user_id, answer=answer, now=now, device=client.device)
    except DomainError:
        return None
    if not allow_event(sid, user_id, time.time(), "answer"):  # counted once: refused here, not sent on
        with app.request_context(environ):
            return refuse(DomainError("rate_limited"))
    try:
        if rt.writer.needs_app_context:  # the inline writer of `flask` commands and tests, not a server's
            with app.app_context():
                return ack(**service.store_answer(rt, answer, keys, now=now))
        return ack(**service.store_answer(rt, answer, keys, now=now))
    except DomainError as error:  # the writer could not store it: the entrant's client sends it again
        with app.request_context(environ):
            return refuse(error)
    except Exception:
        log.exception("event on_answer failed")
        with app.request_context(environ):
            return refuse(DomainError("internal"))
