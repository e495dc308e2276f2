"""Websocket framing for a cheap load client (RFC 6455), as much as a board watcher needs. Pure code.

The watchers stand for 5,000 phones but run on the machine under test, so their CPU is taken from the server
they measure. websocket-client parses each frame with several small reads and copies; here one ``recv`` of up
to 64 KiB is cut into frames in place, and a text frame's bytes are only decoded when the caller asks.
"""

from __future__ import annotations

import base64
import os
import struct

TEXT, CLOSE, PING, PONG = 0x1, 0x8, 0x9, 0xA


def upgrade_request(host: str, path: str) -> bytes:
    key = base64.b64encode(os.urandom(16)).decode()
    return (f"GET {path} HTTP/1.1\r\nHost: {host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n").encode()


def client_frame(text: str, opcode: int = TEXT) -> bytes:
    """One masked frame (a client must mask). The all-zero mask key leaves the payload as it is, which RFC 6455
    allows (the key is only required to be present) and spares the XOR."""
    payload = text.encode()
    size = len(payload)
    if size < 126:
        header = struct.pack("!BB", 0x80 | opcode, 0x80 | size)
    elif size < 1 << 16:
        header = struct.pack("!BBH", 0x80 | opcode, 0x80 | 126, size)
    else:
        header = struct.pack("!BBQ", 0x80 | opcode, 0x80 | 127, size)
    return header + b"\0\0\0\0" + payload


class FrameReader:
    """Feed it received bytes; it yields ``(opcode, payload bytes)`` for each whole unmasked frame.

    Fragmented messages are not reassembled: the servers under test send each message as one frame.
    """

    def __init__(self) -> None:
        self._buffer = bytearray()

    def feed(self, data: bytes) -> list[tuple[int, bytes]]:
        self._buffer += data
        frames, at, buffer = [], 0, self._buffer
        while len(buffer) - at >= 2:
            opcode, size = buffer[at] & 0x0F, buffer[at + 1] & 0x7F
            start = at + 2
            if size == 126:
                if len(buffer) - start < 2:
                    break
                size, start = struct.unpack_from("!H", buffer, start)[0], start + 2
            elif size == 127:
                if len(buffer) - start < 8:
                    break
                size, start = struct.unpack_from("!Q", buffer, start)[0], start + 8
            if len(buffer) - start < size:
                break
            frames.append((opcode, bytes(buffer[start:start + size])))
            at = start + size
        del buffer[:at]
        return frames
