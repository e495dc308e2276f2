from __future__ import annotations

import pytest

from bench import wire


def test_connect_and_disconnect_name_the_namespace():
    assert wire.connect("/play") == "40/play,"
    assert wire.disconnect("/play") == "41/play,"


def test_emit_with_ack_id_is_compact_json_and_keeps_unicode():
    frame = wire.emit("/play", "answer", {"slot": 3, "choice": ["b"], "note": "Câu"}, ack_id=12)
    assert frame == '42/play,12["answer",{"slot":3,"choice":["b"],"note":"Câu"}]'


def test_emit_without_ack_id_and_the_root_namespace():
    assert wire.emit("/", "ping", {}) == '42["ping",{}]'


@pytest.mark.parametrize("message, expected", [
    ('3/play,12[{"ok":true,"slot":3,"seq":7}]',
     wire.Packet(wire.ACK, "/play", 12, [{"ok": True, "slot": 3, "seq": 7}])),
    ('0/play,{"sid":"abc"}', wire.Packet(wire.CONNECT, "/play", None, {"sid": "abc"})),
    ('4/play,{"message":"no"}', wire.Packet(wire.CONNECT_ERROR, "/play", None, {"message": "no"})),
    ('2/play,["attempt_closed",{"attempt_id":5}]',
     wire.Packet(wire.EVENT, "/play", None, ["attempt_closed", {"attempt_id": 5}])),
    ("1/play,", wire.Packet(wire.DISCONNECT, "/play")),
    ("1/play", wire.Packet(wire.DISCONNECT, "/play")),
    ('2["hello",1]', wire.Packet(wire.EVENT, "/", None, ["hello", 1])),
    ("3/play,7[]", wire.Packet(wire.ACK, "/play", 7, [])),
])
def test_decode(message, expected):
    assert wire.decode(message) == expected


def test_decode_inverts_encode():
    packet = wire.Packet(wire.EVENT, "/play", 99, ["attempt_start", {"round_id": 4}])
    frame = wire.encode(packet)
    assert frame[0] == wire.ENGINE_MESSAGE
    assert wire.decode(frame[1:]) == packet


@pytest.mark.parametrize("message", ["", "x", "5/play,", '3/play,1{"unterminated"'])
def test_decode_refuses_what_it_cannot_read(message):
    with pytest.raises(ValueError):
        wire.decode(message)
