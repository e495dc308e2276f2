"""The Engine.IO v4 / Socket.IO v5 text wire format, as much of it as an entrant needs. Pure code.

A websocket frame carries one Engine.IO packet: a type digit then data. ``0`` open (JSON handshake), ``1`` close,
``2`` ping (answered by ``3`` pong), ``4`` message. A message carries one Socket.IO packet: a type digit, then the
namespace followed by a comma unless it is ``/``, then the ack id if any, then JSON data::

    40/play,                          connect to /play
    40/play,{"sid":"..."}             the server accepts
    44/play,{"message":"..."}         the server refuses
    42/play,7["answer",{...}]         an event that wants acknowledgement 7
    43/play,7[{"ok":true,...}]        acknowledgement 7
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

ENGINE_OPEN, ENGINE_CLOSE, ENGINE_PING, ENGINE_PONG, ENGINE_MESSAGE = "0", "1", "2", "3", "4"
CONNECT, DISCONNECT, EVENT, ACK, CONNECT_ERROR = 0, 1, 2, 3, 4

_COMPACT = {"separators": (",", ":"), "ensure_ascii": False}


@dataclass(frozen=True)
class Packet:
    """A decoded Socket.IO packet. ``data`` is the JSON payload (a list for events and acks), or None."""

    type: int
    namespace: str = "/"
    ack_id: int | None = None
    data: Any = None


def encode(packet: Packet) -> str:
    """The websocket text frame (Engine.IO message included) for ``packet``."""
    text = ENGINE_MESSAGE + str(packet.type)
    if packet.namespace != "/":
        text += packet.namespace + ","
    if packet.ack_id is not None:
        text += str(packet.ack_id)
    if packet.data is not None:
        text += json.dumps(packet.data, **_COMPACT)
    return text


def connect(namespace: str) -> str:
    return encode(Packet(CONNECT, namespace))


def disconnect(namespace: str) -> str:
    return encode(Packet(DISCONNECT, namespace))


def emit(namespace: str, event: str, payload: Any, ack_id: int | None = None) -> str:
    return encode(Packet(EVENT, namespace, ack_id, [event, payload]))


def decode(message: str) -> Packet:
    """The Socket.IO packet in an Engine.IO message's data (the frame without its leading ``4``).

    Raises ValueError on anything malformed (binary attachments included: ``/play`` never sends them).
    """
    if not message or not message[0].isdigit():
        raise ValueError(f"not a Socket.IO packet: {message[:40]!r}")
    packet_type, rest = int(message[0]), message[1:]
    if packet_type > CONNECT_ERROR:
        raise ValueError(f"unsupported Socket.IO packet type {packet_type}")
    namespace = "/"
    if rest.startswith("/"):
        namespace, comma, rest = rest.partition(",")
        if not comma:  # "41/play" without a trailing comma: nothing follows the namespace
            rest = ""
    digits = 0
    while digits < len(rest) and rest[digits].isdigit():
        digits += 1
    ack_id = int(rest[:digits]) if digits else None
    payload = rest[digits:]
    data = json.loads(payload) if payload else None
    return Packet(packet_type, namespace, ack_id, data)
