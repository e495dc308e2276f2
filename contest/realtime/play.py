"""The ``/play`` namespace: entrants taking rounds (docs/contract.md). Handlers are thin: check, call, reply."""

from __future__ import annotations

import random
import time
from dataclasses import replace

from flask import current_app, request
from flask_login import current_user
from flask_socketio import Namespace, join_room, leave_room

from contest.accounts.logins import login_is_open
from contest.admission import through
from contest.attempts import service
from contest.attempts.devices import Client, client_of, device_of, sent_device
from contest.attempts.payloads import answer_payload
from contest.attempts.runtime import runtime
from contest.db import release_connection, utcnow
from contest.errors import DomainError
from contest.extensions import db
from contest.overload import OVERLOAD_ERRORS
from contest.presence import presence
from contest.realtime.fast_answer import answer_in_memory
from contest.realtime.fast_opening import connect_in_memory, start_in_memory
from contest.realtime.flood import flood_guard
from contest.realtime.guards import account_guard, close_connections
from contest.realtime.logins import LoginWatch
from contest.realtime.notifier import holder_room, in_room, round_room, user_room
from contest.realtime.replies import ack, event, refused_connection
from contest.web import optional_whole, whole

FAST_PATHS = {"connect": connect_in_memory, "attempt_start": start_in_memory, "answer": answer_in_memory}


class PlayNamespace(Namespace):
    def __init__(self, namespace: str):
        super().__init__(namespace)
        self.users: dict[str, int] = {}  # connection id -> the user logged in when it connected
        self.clients: dict[str, Client] = {}  # connection id -> its device, coarse user agent and address
        self.logins = LoginWatch(namespace)

    def trigger_event(self, event, *args):
        """Route the opening (``connect``, ``attempt_start``) and ``answer`` to their paths without a Flask request
        context when they can take them (``fast_opening``, ``fast_answer``); all else to Flask-SocketIO."""
        fast = FAST_PATHS.get(event)
        if fast is not None and args:
            reply = fast(self, *args)
            if reply is not None:
                return reply
        return super().trigger_event(event, *args)

    def on_connect(self, auth=None):
        # Anonymous connections are accepted; their events are answered with not_authenticated.
        try:
            with through("opening"):  # loading the login is a query: in a rush, in line or refused at once
                known = current_user.is_authenticated
        except OVERLOAD_ERRORS as error:  # the user could not be loaded: refuse the connection with a retry hint
            db.session.rollback()
            raise refused_connection(error, "connect /play") from None
        if known:
            user_id, login_id = current_user.id, current_user.login_id
            release_connection(db.session)  # the rest waits on Redis; at 500 connects a second the pool is the limit
            self.admit(request.sid, request.environ, user_id, login_id, auth)
        return True

    def admit(self, sid: str, environ: dict, user_id: int, login_id: int, auth) -> None:
        """Let in a connection of ``user_id`` under the open login ``login_id``: remember its user and client,
        join its user's and login's rooms, count it, and close the oldest of the account's connections over its
        cap."""
        self.users[sid] = user_id
        device = auth.get("device_id") if isinstance(auth, dict) else None
        self.clients[sid] = client_of(device, login_id, environ.get("HTTP_USER_AGENT"),
                                      environ.get("REMOTE_ADDR"))  # the address behind the trusted proxies
        self.enter_room(sid, user_room(user_id))
        self.logins.track(sid, login_id, time.monotonic())
        presence().connected()
        close_connections(account_guard.connected(sid, user_id, time.time()), self.namespace)

    def on_disconnect(self, *args):
        user_id = self.users.pop(request.sid, None)
        self.clients.pop(request.sid, None)
        if user_id is not None:
            presence().disconnected()
            account_guard.disconnected(request.sid, user_id, time.time())
        self.logins.forget(request.sid)
        flood_guard.forget(request.sid)

    def login_open(self, sid: str) -> bool:
        """Whether the connection's login is still open (checked before each event by ``replies.event``)."""
        return self.logins.still_open(sid, now=time.monotonic(), recheck_s=current_app.config["LOGIN_RECHECK_S"],
                                      is_open=self._login_in_database)

    @staticmethod
    def _login_in_database(login_id: int) -> bool:
        try:
            return login_is_open(db.session, login_id)
        finally:
            release_connection(db.session)  # the answer's wait for its group commit must hold no connection

    @event(login=False)
    def on_time_sync(self, data: dict, user_id: int | None) -> dict:
        """``{}`` -> ``server_now`` (epoch ms): the client's offset to the only clock that counts."""
        return ack(server_now=int(time.time() * 1000))

    def client_for(self, sid: str, data: dict) -> Client:
        """The connection's client; a well-formed ``device_id`` in the payload replaces the one it connected with."""
        client = self.clients.get(sid) or Client(device_of(None, None))
        sent = sent_device(data.get("device_id"))
        if sent is not None and sent != client.device:
            client = self.clients[sid] = replace(client, device=sent)
        return client

    @event()
    def on_attempt_start(self, data: dict, user_id: int) -> dict:
        """``{round_id, device_id?}`` -> ``attempt``: id, deadline, server_now, questions, answers
        (docs/contract.md). An attempt in progress on another device is taken over."""
        return self.start(request.sid, data, user_id)

    def start(self, sid: str, data: dict, user_id: int) -> dict:
        """``on_attempt_start`` of connection ``sid``, in an app context (``fast_opening`` runs it without the
        request's)."""
        round_id = whole(data.get("round_id"), "round_id", minimum=1)
        client = self.client_for(sid, data)
        with through("opening"):
            attempt = service.start_attempt(db.session, runtime(), user_id=user_id, round_id=round_id,
                                            now=utcnow(), rng=random.Random(), client=client)
        if attempt["status"] == "in_progress":
            self.enter_room(sid, holder_room(attempt["id"], client.device))
            self.enter_room(sid, round_room(round_id))  # told when the round is paused and resumed
        return ack(attempt=attempt)

    @event()
    def on_attempt_resume(self, data: dict, user_id: int) -> dict:
        """``{attempt_id, device_id?, takeover?}`` -> the same ``attempt`` object with every answer saved so far.
        ``takeover: false`` refuses (``attempt_taken_over``) rather than take it from another device."""
        attempt_id = whole(data.get("attempt_id"), "attempt_id", minimum=1)
        client = self.client_for(request.sid, data)
        # Joined before the device is claimed: a take-over by a third device that commits after this one closes
        # the room after this join, never before it.
        room = holder_room(attempt_id, client.device)
        held = in_room(self.namespace, room, request.sid)
        join_room(room)
        try:
            attempt = service.resume_attempt(db.session, runtime(), user_id=user_id, attempt_id=attempt_id,
                                             now=utcnow(), client=client, takeover=data.get("takeover") is not False)
        except DomainError:
            if not held:
                leave_room(room)
            raise
        if attempt["status"] == "in_progress":
            join_room(round_room(attempt["round_id"]))
        return ack(attempt=attempt)

    @event()
    def on_answer(self, data: dict, user_id: int) -> dict:
        """``{attempt_id, slot, choice: [keys], seq}`` -> ``{slot, seq}`` once durably stored; refused with
        ``attempt_taken_over`` when the attempt belongs to another device."""
        answer = answer_payload(data)
        client = self.client_for(request.sid, {})
        room = holder_room(answer.attempt_id, client.device)
        held = in_room(self.namespace, room, request.sid)
        if not held:  # joined before the database says who holds it, as in on_attempt_resume
            join_room(room)
        try:
            stored = service.record_answer(db.session, runtime(), user_id=user_id, answer=answer, now=utcnow(),
                                           device=client.device, fresh_device=not held)
        except DomainError:
            if not held:
                leave_room(room)
            raise
        return ack(**stored)

    @event()
    def on_attempt_submit(self, data: dict, user_id: int) -> dict:
        """``{attempt_id, prediction?}`` -> ``result``: score, max_score, duration_ms."""
        attempt_id = whole(data.get("attempt_id"), "attempt_id", minimum=1)
        with through("submit"):
            result = service.submit_attempt(db.session, runtime(), user_id=user_id, attempt_id=attempt_id,
                                            prediction=optional_whole(data, "prediction"), now=utcnow())
        return ack(result=result)
