"""Weight on the wire: gzip for pages, JSON and static files when the browser asks for it (and never for downloads,
streams, tiny answers or conditional ones); static addresses with their content's hash, kept a year, and every
other static address revalidated, the attempt page's ES modules included."""

from __future__ import annotations

import gzip
import re

import pytest
from flask import Flask, Response, send_file, url_for

from contest import compression, static_files
from contest.static_files import LONG_CACHE, SHORT_CACHE
from tests.factories import make_tree

GZIP = {"Accept-Encoding": "gzip, deflate, br"}


def static_url(app, filename: str) -> str:
    with app.test_request_context():
        return url_for("static", filename=filename)


def test_a_large_page_is_gzipped_for_a_browser_that_asks(client, db_session):
    make_tree(db_session)
    plain = client.get("/register")
    packed = client.get("/register", headers=GZIP)
    assert len(plain.data) >= compression.MIN_BYTES and "Content-Encoding" not in plain.headers
    assert packed.headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in packed.headers["Vary"] and "Accept-Encoding" in plain.headers["Vary"]
    assert gzip.decompress(packed.data) == plain.data
    assert int(packed.headers["Content-Length"]) == len(packed.data) < len(plain.data) / 2


def test_small_and_refused_answers_are_left_alone(client):
    tiny = client.get("/healthz", headers=GZIP)  # a few bytes of JSON: gzip would add more than it saves
    assert tiny.status_code == 200 and "Content-Encoding" not in tiny.headers
    refused = client.get("/register", headers={"Accept-Encoding": "gzip;q=0, identity"})
    assert "Content-Encoding" not in refused.headers and b"<form" in refused.data


def test_static_addresses_carry_their_hash_and_are_kept_a_year(app, client):
    url = static_url(app, "css/app.css")
    version = re.fullmatch(r"/static/css/app\.css\?v=([0-9a-f]{12})", url).group(1)
    with client.get(url) as fresh:
        assert fresh.headers["Cache-Control"] == LONG_CACHE
        body = fresh.get_data()
    with client.get("/static/css/app.css") as bare, client.get("/static/css/app.css?v=0123456789ab") as stale:
        # Not this version's address: the browser asks again each time (an ETag makes that a 304).
        assert bare.headers["Cache-Control"] == stale.headers["Cache-Control"] == SHORT_CACHE
        assert bare.get_data() == body
    page = client.get("/login").get_data(as_text=True)
    assert f'href="/static/css/app.css?v={version}"' in page
    assert static_files.fingerprints(app).of("css/app.css") == version


def test_static_files_are_gzipped_once_and_still_revalidate(app, client):
    url = static_url(app, "js/attempt.js")
    with client.get(url) as plain:
        source = plain.get_data()
    with client.get(url, headers=GZIP) as packed:
        assert packed.headers["Content-Encoding"] == "gzip" and "Accept-Ranges" not in packed.headers
        assert gzip.decompress(packed.get_data()) == source
        etag = packed.headers["ETag"]
    assert etag.startswith('W/"')  # the same file in another encoding
    with client.get(url, headers={**GZIP, "If-None-Match": etag}) as again:
        assert again.status_code == 304 and not again.get_data()
        assert again.headers["Cache-Control"] == LONG_CACHE


def test_the_attempt_page_modules_import_each_other_and_revalidate(app, client, db_session):
    """attempt.js (versioned) imports ./attempt/*.js by relative paths, which carry no version: each is answered
    no-cache with an ETag, so a new release is picked up at once and an unchanged module costs a 304."""
    entry = static_url(app, "js/attempt.js")
    with client.get(entry) as response:
        source = response.get_data(as_text=True)
    imported = re.findall(r'from "\./(attempt/[\w-]+\.js)"', source)
    assert "attempt/transport.js" in imported
    for module in imported:
        with client.get(f"/static/js/{module}") as first:
            assert first.status_code == 200 and first.headers["Cache-Control"] == SHORT_CACHE
            etag = first.headers["ETag"]
        with client.get(f"/static/js/{module}", headers={"If-None-Match": etag}) as again:
            assert again.status_code == 304


@pytest.fixture
def toy(tmp_path):
    """An app with only the compression and its routes: a download, a stream, a big JSON, a partial answer."""
    (tmp_path / "static").mkdir()
    app = Flask("toy", static_folder=str(tmp_path / "static"))
    compression.init_app(app)
    static_files.init_app(app)
    big = "Trường THPT Đại Từ, " * 200

    @app.get("/export.csv")
    def export():
        path = tmp_path / "export.csv"
        path.write_text(big)
        return send_file(path, mimetype="text/plain", as_attachment=True)

    @app.get("/stream")
    def stream():
        return Response((big for _ in range(3)), mimetype="text/html")

    @app.get("/big.json")
    def big_json():
        return {"rows": [big]}

    @app.get("/partial")
    def partial():
        return Response(big, status=206, mimetype="text/html")

    return app.test_client()


@pytest.mark.parametrize("path", ["/export.csv", "/stream", "/partial"])
def test_downloads_streams_and_partial_answers_are_not_compressed(toy, path):
    with toy.get(path, headers=GZIP) as response:
        assert "Content-Encoding" not in response.headers
        assert "Trường THPT Đại Từ" in response.get_data(as_text=True)


def test_big_json_is_compressed(toy):
    response = toy.get("/big.json", headers=GZIP)
    assert response.headers["Content-Encoding"] == "gzip"
    assert b"rows" in gzip.decompress(response.data)
