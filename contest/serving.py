"""Running the app on the configured async server, with its connection cap set from configuration."""

from __future__ import annotations

import gc
import logging

from flask import Flask

log = logging.getLogger("olympiad.serving")


def trust_proxies(app: Flask) -> None:
    """Behind nginx, take the client's address and scheme from the ``X-Forwarded-*`` headers of the last
    ``PROXIES`` hops (``OLYMPIAD_PROXIES=1`` behind one nginx): otherwise every entrant would share nginx's
    address, and its per-IP rate limits. Unset (0), the headers are ignored, as a client could forge them."""
    hops = int(app.config.get("PROXIES", 0))
    if hops:
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)


def tune_gc() -> None:
    """Move everything loaded at start-up out of the collector's reach and collect the young generation less
    often: with thousands of connections a full collection took 100-240 ms every few seconds, straight into
    the acknowledgement latency (measured with the load harness)."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(20_000, 20, 20)


def serve(app: Flask) -> None:
    """Serve ``app`` on HOST:PORT until interrupted. The caller (wsgi.py) has already patched for the mode."""
    mode = app.config["ASYNC_MODE"]
    host, port = app.config["HOST"], int(app.config["PORT"])
    cap = int(app.config["MAX_CONNECTIONS"])
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    # One log line per request or websocket costs CPU at 10,000 connections; warnings still show.
    for chatty in ("geventwebsocket.handler", "engineio.server", "socketio.server"):
        logging.getLogger(chatty).setLevel(logging.WARNING)
    log.info("serving on http://%s:%d with %s, at most %d connections", host, port, mode, cap)
    tune_gc()
    if mode == "gevent":
        from gevent.pool import Pool
        from gevent.pywsgi import WSGIServer
        from geventwebsocket.handler import WebSocketHandler

        server = WSGIServer((host, port), app, handler_class=WebSocketHandler, spawn=Pool(cap), log=None,
                            backlog=2048)
        server.serve_forever()
    elif mode == "eventlet":
        import eventlet
        import eventlet.wsgi

        listener = eventlet.listen((host, port), backlog=2048)
        # eventlet's default max_size of 1024 silently refuses the 1025th connection.
        eventlet.wsgi.server(listener, app, max_size=cap, log_output=False)
    else:
        from contest.extensions import socketio

        socketio.run(app, host=host, port=port, allow_unsafe_werkzeug=True)
