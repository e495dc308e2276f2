"""The indexed managers keep the same room table as python-socketio's own, whatever the order of connects, joins,
leaves, room closings and disconnects (``contest.realtime.room_index``)."""

from __future__ import annotations

import itertools
import random

import pytest
import socketio

from contest.realtime.room_index import IndexedManager, PendingSids


def _manager(kind):
    manager = kind()
    manager.set_server(socketio.Server(async_mode="threading"))
    ids = itertools.count()
    manager.server.eio.generate_id = lambda: f"s{next(ids)}"  # both managers hand out the same sids
    return manager


def _table(manager):
    return {ns: {room: dict(members) for room, members in rooms.items()} for ns, rooms in manager.rooms.items()}


@pytest.mark.parametrize("seed", range(20))
def test_the_indexed_manager_keeps_the_same_rooms_as_python_socketios(seed):
    rng = random.Random(seed)
    plain, indexed = _manager(socketio.Manager), _manager(IndexedManager)
    connected: dict[str, list[str]] = {"/play": [], "/boards": []}
    rooms = [f"user:{n}" for n in range(6)] + [f"attempt:{n}" for n in range(4)]
    for step in range(300):
        namespace = rng.choice(["/play", "/boards"])
        sids = connected[namespace]
        move = rng.random()
        if move < 0.25 or not sids:
            sids.append(plain.connect(f"e{step}", namespace))
            assert indexed.connect(f"e{step}", namespace) == sids[-1]
        elif move < 0.3:  # a connect whose handler is still running, accepted a few steps later (or not at all)
            sids.append(plain.pre_connect(f"e{step}", namespace))
            assert indexed.pre_connect(f"e{step}", namespace) == sids[-1]
            assert not indexed.is_connected(sids[-1], namespace)
        elif move < 0.35:
            pending = list(plain.pending_connect.get(namespace, ()))
            if pending:
                sid = rng.choice(pending)
                assert plain.connect(sid, namespace) == indexed.connect(sid, namespace) == sid
        elif move < 0.38:
            sid = rng.choice(sids)
            if sid not in plain.pending_disconnect.get(namespace, ()):
                assert plain.pre_disconnect(sid, namespace) == indexed.pre_disconnect(sid, namespace)
        elif move < 0.6:
            sid, room = rng.choice(sids), rng.choice(rooms)
            plain.basic_enter_room(sid, namespace, room)
            indexed.basic_enter_room(sid, namespace, room)
        elif move < 0.75:
            sid, room = rng.choice(sids), rng.choice(rooms)
            plain.basic_leave_room(sid, namespace, room)
            indexed.basic_leave_room(sid, namespace, room)
        elif move < 0.8:
            room = rng.choice(rooms)
            plain.basic_close_room(room, namespace)
            indexed.basic_close_room(room, namespace)
        else:
            sid = sids.pop(rng.randrange(len(sids)))
            plain.basic_disconnect(sid, namespace)
            indexed.basic_disconnect(sid, namespace)
        assert _table(indexed) == _table(plain)
        for table in ("pending_connect", "pending_disconnect"):
            assert {ns: list(pending) for ns, pending in getattr(indexed, table).items()} == getattr(plain, table)
        for sid in sids:
            assert indexed.is_connected(sid, namespace) == plain.is_connected(sid, namespace)
        for sid in sids:
            assert sorted(indexed.get_rooms(sid, namespace), key=str) == sorted(plain.get_rooms(sid, namespace),
                                                                                key=str)
    for namespace, sids in connected.items():
        for sid in sids:
            indexed.basic_disconnect(sid, namespace)
    assert indexed.rooms_of == {}


def test_a_disconnect_does_not_walk_the_other_connections_rooms():
    manager = _manager(IndexedManager)
    sids = [manager.connect(f"e{n}", "/play") for n in range(2000)]
    for n, sid in enumerate(sids):
        manager.basic_enter_room(sid, "/play", f"user:{n}")

    class Counting(dict):
        walked = 0

        def items(self):
            Counting.walked += 1
            return super().items()

        def copy(self):
            Counting.walked += 1
            return super().copy()

    manager.rooms["/play"] = Counting(manager.rooms["/play"])
    manager.basic_disconnect(sids[0], "/play")
    assert Counting.walked == 0
    assert "user:0" not in manager.rooms["/play"] and "user:1" in manager.rooms["/play"]


def test_pending_connections_are_looked_up_in_a_set_not_a_list():
    """Every event asks whether its connection is pending; in an opening thousands are."""
    manager = _manager(IndexedManager)
    sids = [manager.pre_connect(f"e{n}", "/play") for n in range(3000)]
    assert isinstance(manager.pending_connect["/play"], PendingSids)  # the manager's own `= []`, converted
    assert not manager.is_connected(sids[-1], "/play")
    manager.connect(sids[-1], "/play")
    assert manager.is_connected(sids[-1], "/play") and sids[-1] not in manager.pending_connect["/play"]
    with pytest.raises(ValueError):
        manager.pending_connect["/play"].remove("nobody")
