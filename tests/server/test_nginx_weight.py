"""deploy/nginx.conf in front of a real app process: nginx compresses pages, JSON and static files (the app is sent
no Accept-Encoding, so it spends no CPU on it and nothing is compressed twice), passes the app's cache lifetimes
through (a year for a fingerprinted static address, revalidation otherwise) and leaves downloads' bodies alone."""

from __future__ import annotations

import gzip
import re
import subprocess
import time
from pathlib import Path

import pytest
import requests

from tests.server.running import free_port, running_server
from tests.server.test_board_process import NGINX, nginx_config

pytestmark = pytest.mark.server

GZIP = {"Accept-Encoding": "gzip"}


def by_nginx(response: requests.Response) -> bool:
    """Compressed by nginx on the fly (sent in chunks, with no length), not by the app (a whole body, its length)."""
    return response.headers["Content-Encoding"] == "gzip" and "Content-Length" not in response.headers


def raw(url: str, headers: dict) -> requests.Response:
    """The answer as sent: ``requests`` would otherwise decode the gzip and hide it."""
    response = requests.get(url, headers=headers, timeout=10, stream=True)
    response.body = response.raw.read(decode_content=False)
    return response


def test_nginx_compresses_and_keeps_the_apps_cache_headers(tmp_path_factory):
    assert Path(NGINX).exists(), "needs nginx: apt-get install nginx (.ci/run installs it)"
    with running_server(tmp_path_factory, OLYMPIAD_PROXIES="1") as app:
        tmp = tmp_path_factory.mktemp("nginx")
        port = free_port()
        config = nginx_config(tmp, port, app, app)
        (tmp / "nginx-error.log").touch()
        with (tmp / "nginx-error.log").open("a") as errors:
            nginx = subprocess.Popen([NGINX, "-c", str(config), "-p", str(tmp), "-g", "daemon off;"],
                                     stdout=errors, stderr=errors)
        try:
            front = f"http://127.0.0.1:{port}"
            deadline = time.monotonic() + 10
            while True:
                try:
                    if requests.get(f"{front}/healthz", timeout=1).ok:
                        break
                except requests.ConnectionError:
                    pass
                assert time.monotonic() < deadline, (tmp / "nginx-error.log").read_text()
                time.sleep(0.1)

            direct = raw(f"{app.url}/register", GZIP)  # the app alone compresses (embedded mode)
            assert direct.headers["Content-Encoding"] == "gzip" and not by_nginx(direct)
            page = raw(f"{front}/register", GZIP)
            assert page.headers["Content-Encoding"] == "gzip" and "Accept-Encoding" in page.headers["Vary"]
            assert by_nginx(page)  # the app was sent no Accept-Encoding
            html = gzip.decompress(page.body).decode()  # compressed once: one gzip layer, then the page
            assert "<form" in html
            plain = raw(f"{front}/register", {"Accept-Encoding": "identity"})
            assert "Content-Encoding" not in plain.headers and b"<form" in plain.body

            css = re.search(r'href="(/static/css/app\.css\?v=[0-9a-f]+)"', html).group(1)
            styles = raw(f"{front}{css}", GZIP)
            assert by_nginx(styles)
            assert styles.headers["Cache-Control"] == "public, max-age=31536000, immutable"
            assert b".topbar" in gzip.decompress(styles.body)
            bare = raw(f"{front}/static/js/attempt/answers.js", GZIP)
            assert bare.headers["Cache-Control"] == "no-cache" and by_nginx(bare)

        finally:
            nginx.terminate()
            nginx.wait(timeout=10)
