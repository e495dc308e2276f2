"""The ``/board`` namespace: the public watching leaderboards live (docs/contract.md). No login needed.

``watch {round_id, level?, unit_id?}`` -> ``{ok, board}`` with the current snapshot; afterwards the server pushes
``board`` snapshots ``{round_id, level, unit_id, generated_at, state, total, rows: [{rank, name, unit, score,
duration_ms}]}`` (the top 50) at most once a second and only when they changed. ``unwatch {}`` -> ``{ok}``.
A connection watches one board at a time (a new ``watch`` replaces the old). The pushing is done by one ticker
per process (``start_board_ticker``); see ``contest.leaderboards.watch`` for why and how it scales.
"""

from __future__ import annotations

from flask import Flask, current_app, request
from flask_babel import lazy_gettext as _l
from flask_socketio import Namespace, join_room, leave_room

from contest.db import utcnow
from contest.errors import DomainError, bad_field
from contest.extensions import db, socketio
from contest.leaderboards.queries.boards import SNAPSHOT_ROWS, board_snapshot, snapshot_version
from contest.leaderboards.runtime import extension
from contest.leaderboards.watch import BoardKey, BoardTicker, BoardWatchers, Snapshots
from contest.realtime.flood import flood_guard
from contest.realtime.replies import ack, event
from contest.units.models import Unit
from contest.web import whole

NAMESPACE = "/board"
EXTENSION = "olympiad.board_watch"


class BoardWatch:
    """This process's watchers, snapshots and ticker (one per app)."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self.watchers = BoardWatchers()
        self.snapshots = Snapshots()
        self.ticker = BoardTicker(self.watchers, self.snapshots, self.build, emit_local, socketio.sleep)
        self.started = False

    def build(self, key: BoardKey) -> tuple[dict, str]:
        """The board's snapshot and fingerprint, read in a fresh app context (the ticker's own)."""
        with self.app.app_context():
            try:
                return snapshot_of(key)
            finally:
                db.session.remove()


def snapshot_of(key: BoardKey) -> tuple[dict, str]:
    ext = extension(current_app)
    snapshot = board_snapshot(db.session, ext.boards, ext.names, round_id=key.round_id, unit_id=key.unit_id,
                              now=utcnow(), limit=SNAPSHOT_ROWS)
    return snapshot, snapshot_version(snapshot)


def emit_local(room: str, snapshot: dict) -> None:
    """``board`` to this process's members of ``room`` only (see ``contest.leaderboards.watch``)."""
    socketio.emit("board", snapshot, to=room, namespace=NAMESPACE, ignore_queue=True)


def board_watch(app: Flask) -> BoardWatch:
    if EXTENSION not in app.extensions:
        app.extensions[EXTENSION] = BoardWatch(app)
    return app.extensions[EXTENSION]


def start_board_ticker(app: Flask) -> None:
    """Start this process's ticker (the server calls it next to the answer writer; tests call ``tick``)."""
    watch = board_watch(app)
    if not watch.started:
        watch.started = True
        socketio.start_background_task(watch.ticker.run, app.config.get("BOARD_TICK_S", 1.0))


class BoardNamespace(Namespace):
    def on_connect(self, auth=None):
        return True

    def on_disconnect(self, *args):
        board_watch(current_app).watchers.unwatch(request.sid)
        flood_guard.forget(request.sid)

    @event(login=False)
    def on_watch(self, data: dict, user_id: int | None) -> dict:
        """``{round_id, level?, unit_id?}`` -> ``board`` (the current snapshot); ``not_found`` for an unknown round
        or unit, ``bad_request`` for a level without a unit or a unit of another level."""
        key = _board_key(data)
        watch = board_watch(current_app)
        snapshot, version = watch.snapshots.get(key, lambda: snapshot_of(key))
        room, left = watch.watchers.watch(request.sid, key)
        if left is not None and left != room:
            leave_room(left)
        join_room(room)
        watch.ticker.given(key, version)
        return ack(board=snapshot)

    @event(login=False)
    def on_unwatch(self, data: dict, user_id: int | None) -> dict:
        """``{}`` -> ``{ok: true}``: no more ``board`` pushes on this connection."""
        left = board_watch(current_app).watchers.unwatch(request.sid)
        if left is not None:
            leave_room(left)
        return ack()


def _board_key(data: dict) -> BoardKey:
    round_id = whole(data.get("round_id"), "round_id", minimum=1)
    level = data.get("level")
    if level is not None and (not isinstance(level, str) or len(level) > 64):
        raise bad_field("level")
    unit_id = data.get("unit_id")
    if unit_id is not None:
        unit_id = whole(unit_id, "unit_id", minimum=1)
    if extension(current_app).boards.round_info(db.session, round_id) is None:
        raise DomainError("not_found", _l("There is no such round."))
    if unit_id is None:
        if level:
            raise DomainError("bad_request", _l("Choose a unit of level %(level)s (the unit parameter).",
                                                level=level))
        return BoardKey(round_id, None)
    unit = db.session.get(Unit, unit_id)
    if unit is None:
        raise DomainError("not_found", _l("There is no such unit."))
    if level and unit.level != level:
        raise DomainError("bad_request", _l("Unit %(unit)s is not at level %(level)s.", unit=unit.name, level=level))
    return BoardKey(round_id, unit_id)
