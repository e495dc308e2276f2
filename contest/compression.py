"""Gzip for the app's text answers (HTML, JSON, JavaScript, CSS) when it serves browsers itself (embedded mode).

Behind nginx the proxy compresses instead (``deploy/nginx.conf``: ``gzip on``) and sends the app no
``Accept-Encoding``, so the answering processes spend no CPU on it. Here only whole bodies are compressed:

* pages and JSON of at least ``MIN_BYTES`` (a smaller body gains less than gzip's own header costs);
* static files, read from disk and compressed once per version (``COMPRESSED_STATIC``);
* never a streamed body, a download (``Content-Disposition: attachment``: exports are files to save, xlsx is
  zipped already), a partial or conditional answer, or anything already encoded. Socket.IO never reaches Flask's
  ``after_request`` (Engine.IO answers it first), so websockets are untouched.
"""

from __future__ import annotations

import gzip
import os
from pathlib import Path

from flask import Flask, Response, current_app, request

from contest.static_files import fingerprints

COMPRESSIBLE = frozenset({"text/html", "text/css", "text/javascript", "application/javascript", "application/json",
                          "image/svg+xml", "text/plain"})
MIN_BYTES = 1024
LEVEL = 6  # zlib's default: most of level 9's saving for a fraction of its time
COMPRESSED_STATIC: dict[str, tuple[int, bytes]] = {}  # filename -> (modification time, gzip bytes)


def wants_gzip() -> bool:
    return request.accept_encodings["gzip"] > 0


def compress(response: Response) -> Response:
    if response.mimetype not in COMPRESSIBLE:
        return response
    response.vary.add("Accept-Encoding")  # a shared cache keeps both versions apart
    if (response.status_code != 200 or "Content-Encoding" in response.headers
            or response.headers.get("Content-Disposition", "").startswith("attachment") or not wants_gzip()):
        return response
    if response.direct_passthrough:  # a file: only the app's static files, compressed once
        body = _static_body(response) if request.endpoint == "static" else None
    elif response.is_streamed:
        body = None
    else:
        data = response.get_data()
        body = gzip.compress(data, compresslevel=LEVEL, mtime=0) if len(data) >= MIN_BYTES else None
    if body is None:
        return response
    response.direct_passthrough = False
    response.set_data(body)
    response.headers["Content-Encoding"] = "gzip"
    response.headers.pop("Accept-Ranges", None)  # byte ranges of the file would not be ranges of this body
    etag, weak = response.get_etag()
    if etag and not weak:
        response.set_etag(etag, weak=True)  # the same content, another encoding; If-None-Match still matches
    return response


def _static_body(response: Response) -> bytes | None:
    filename = (request.view_args or {}).get("filename", "")
    path = fingerprints(current_app).path(filename)
    if path is None:
        return None
    modified = os.stat(path).st_mtime_ns
    held = COMPRESSED_STATIC.get(filename)
    if held is None or held[0] != modified:
        data = Path(path).read_bytes()
        held = (modified, gzip.compress(data, compresslevel=9, mtime=0) if len(data) >= MIN_BYTES else b"")
        COMPRESSED_STATIC[filename] = held
    if not held[1]:
        return None
    response.close()  # the open file Flask would have sent
    return held[1]


def init_app(app: Flask) -> None:
    """Registered before every other ``after_request`` so that it runs last, on the final body."""
    app.after_request(compress)
