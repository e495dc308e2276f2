from __future__ import annotations

import struct

from hypothesis import given
from hypothesis import strategies as st

from bench.frames import CLOSE, PING, TEXT, FrameReader, client_frame, upgrade_request


def server_frame(payload: bytes, opcode: int = TEXT) -> bytes:
    """An unmasked frame as a server sends it, with the length in 7, 16 or 64 bits."""
    size = len(payload)
    if size < 126:
        return struct.pack("!BB", 0x80 | opcode, size) + payload
    if size < 1 << 16:
        return struct.pack("!BBH", 0x80 | opcode, 126, size) + payload
    return struct.pack("!BBQ", 0x80 | opcode, 127, size) + payload


@given(st.lists(st.tuples(st.sampled_from([TEXT, PING, CLOSE]), st.binary(max_size=70_000)), max_size=5),
       st.lists(st.integers(min_value=1, max_value=9_000), max_size=40))
def test_frames_come_out_whole_however_the_bytes_are_cut(frames, cuts):
    stream = b"".join(server_frame(payload, opcode) for opcode, payload in frames)
    reader, out, at = FrameReader(), [], 0
    for size in cuts:
        out += reader.feed(stream[at:at + size])
        at += size
    out += reader.feed(stream[at:])
    assert out == frames
    assert reader.feed(b"") == []


def test_a_frame_cut_inside_its_extended_length_waits_for_the_rest():
    frame = server_frame(b"x" * 300)
    reader = FrameReader()
    assert reader.feed(frame[:3]) == []
    assert reader.feed(frame[3:]) == [(TEXT, b"x" * 300)]


def test_client_frames_are_masked_with_the_length_in_the_right_width():
    short, medium = client_frame("3"), client_frame("é" * 100)
    assert short == bytes([0x81, 0x80 | 1, 0, 0, 0, 0]) + b"3"
    assert medium[:4] == bytes([0x81, 0x80 | 126]) + struct.pack("!H", 200)
    assert medium[4:8] == b"\0\0\0\0" and medium[8:] == ("é" * 100).encode()


def test_upgrade_request_asks_for_a_websocket():
    request = upgrade_request("127.0.0.1:5000", "/socket.io/?EIO=4&transport=websocket").decode()
    assert request.startswith("GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\n")
    assert "Upgrade: websocket\r\n" in request and "Sec-WebSocket-Version: 13\r\n" in request
    assert request.endswith("\r\n\r\n")
