"""Serve Olympiad: ``python wsgi.py`` (or ``gunicorn wsgi:app`` with a gevent websocket worker).

The async server is one setting, ``OLYMPIAD_ASYNC_MODE``: ``gevent`` (default) or ``eventlet``. It is read
here, before anything else is imported, because the standard library must be patched first; the database
driver is made cooperative right after, so a slow query never stalls the other connections of the process.
"""

import os

ASYNC_MODE = os.environ.get("OLYMPIAD_ASYNC_MODE", "gevent")

if ASYNC_MODE == "gevent":
    from gevent import config, monkey

    # Greenlets here do not record the stack that spawned them (gevent's default does, for debugging): Engine.IO
    # spawns one for every message and a few for every connection, and recording took 36 µs and 0.6 KB a greenlet
    # against 14 µs without (py-spy had greenlet creation at 8 % of a process in a round's opening).
    # GEVENT_TRACK_GREENLET_TREE=1 turns it back on.
    config.track_greenlet_tree = os.environ.get("GEVENT_TRACK_GREENLET_TREE", "0") not in ("0", "", "false")
    monkey.patch_all()
    from psycogreen.gevent import patch_psycopg

    patch_psycopg()
elif ASYNC_MODE == "eventlet":
    import eventlet

    eventlet.monkey_patch()
    from psycogreen.eventlet import patch_psycopg

    patch_psycopg()
elif ASYNC_MODE != "threading":
    raise SystemExit(f"OLYMPIAD_ASYNC_MODE must be gevent, eventlet or threading, not {ASYNC_MODE!r}")

from contest import create_app  # noqa: E402
from contest.attempts import start_background  # noqa: E402
from contest.realtime.board import start_board_ticker  # noqa: E402
from contest.serving import serve, trust_proxies  # noqa: E402

app = create_app({"ASYNC_MODE": ASYNC_MODE})
trust_proxies(app)
start_background(app)  # the answer writer and the deadline sweeper of this process
start_board_ticker(app)  # pushes changed /board snapshots to this process's watchers, once a second at most

if __name__ == "__main__":
    serve(app)
