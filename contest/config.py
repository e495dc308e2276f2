"""Configuration in three layers: defaults here, then ``instance/config.py``, then the environment.

Environment variables with the ``OLYMPIAD_`` prefix override any key (values are parsed as JSON when they
can be, so ``OLYMPIAD_MAX_CONNECTIONS=5000`` is an int); ``DATABASE_URL`` and ``REDIS_URL`` are read as they are.
"""

from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path

from flask import Flask

from contest.private_files import FILE_MODE, private_dir, write_private

SQLITE_FILE = "olympiad.sqlite3"


class Defaults:
    SECRET_KEY: str | None = None
    # The async server is chosen by wsgi.py (it must patch before importing anything else); code run by
    # `flask` commands and tests uses plain threads.
    ASYNC_MODE = "threading"
    HOST = "127.0.0.1"
    PORT = 5000
    # Concurrent connections one server process accepts. eventlet's own default of 1024 would silently
    # refuse the 1025th entrant; the process has a 20,000 open-file limit here.
    MAX_CONNECTIONS = 10_000
    REDIS_URL: str | None = None
    SQLALCHEMY_DATABASE_URI: str | None = None
    SQLALCHEMY_ENGINE_OPTIONS: dict = {}
    BABEL_DEFAULT_LOCALE = "vi"
    LANGUAGES = ("vi", "en")
    # Entrants log in once for the whole contest: every login costs a password hash.
    PERMANENT_SESSION_LIFETIME = timedelta(days=45)
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_DURATION = timedelta(days=45)
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_HTTPONLY = True
    # Behind HTTPS (the nginx sample in deploy/): every cookie Secure, and HSTS on every answer.
    SECURE_COOKIES = False
    # A /play connection's login is looked up in the database at most this often; an ended login's sockets
    # are refused at once through their Socket.IO room (contest.realtime.logins). None: 60 s on one process,
    # 600 s with REDIS_URL, where the room's message reaches every process and the look-up is only a fallback
    # (at 10,000 sockets a 60 s re-check is ~170 queries a second, competing with answers for the pool).
    LOGIN_RECHECK_S: float | None = None
    # Rate limits (Flask-Limiter syntax). A whole school may sit behind one NAT address, so the per-IP
    # limits are generous and the per-account ones strict.
    RATELIMIT_ENABLED = True
    # No X-RateLimit headers: they cost one more Redis read per limited request, and a read failing after the
    # view ran turned a good login into a 500. A 429 gets its Retry-After from contest.api.
    RATELIMIT_HEADERS_ENABLED = False
    # Redis is a cache, never the door: while its storage fails, limits are counted in the process.
    RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True
    RATELIMIT_SWALLOW_ERRORS = True
    # Flask-Limiter would set Retry-After on every response of a limited route, over the login throttle's; its
    # 429s get theirs from contest.api instead.
    RATELIMIT_HEADER_RETRY_AFTER = "X-RateLimit-Retry-After"
    LOGIN_LIMIT_PER_IP = "300 per minute"
    # Wrong passwords per account and address (contest.accounts.throttle): this many are free, then each one
    # makes that address wait 1, 2, 4 ... seconds, at most the cap; the count is forgotten after the window.
    LOGIN_THROTTLE_FREE_FAILURES = 5
    LOGIN_THROTTLE_MAX_DELAY_S = 300
    LOGIN_THROTTLE_WINDOW_S = 3600
    REGISTER_LIMIT_PER_IP = "120 per hour"
    # Proof of work at the login and registration doors (contest.fairplay.door): 0 is off; 14 bits is some 16,000
    # SHA-256 in the page. A registration burst from an address (this many in 10 minutes) adds the extra bits.
    FAIRPLAY_POW_BITS = 0
    FAIRPLAY_POW_TTL_S = 600
    FAIRPLAY_POW_BURST = 10
    FAIRPLAY_POW_BURST_EXTRA_BITS = 4
    # Registrations refused because the phone/email/CCCD is taken: what probing for who is registered costs.
    REGISTER_CONFLICT_LIMIT_PER_IP = "30 per hour"
    # argon2id at OWASP's minimum (m=19 MiB, t=2, p=1): ~30 ms here, verified off the event loop.
    ARGON2_TIME_COST = 2
    ARGON2_MEMORY_KIB = 19 * 1024
    ARGON2_PARALLELISM = 1
    # Hashes run in this many native threads per process, niced by HASH_NICE so they take only the CPU the event
    # loop leaves (contest.concurrency): a login rush must not slow the acknowledgements of entrants already in.
    HASH_THREADS = 2
    HASH_NICE = 10
    WTF_CSRF_TIME_LIMIT = None  # tied to the session, which lasts the contest
    # Request bodies (contest.input_guard): forms, JSON and /api/, and the question bank upload, which is the
    # one route that takes files.
    MAX_CONTENT_LENGTH = 1024 * 1024
    JSON_MAX_BYTES = 64 * 1024
    BANK_UPLOAD_MAX_BYTES = 32 * 1024 * 1024  # a CSV of 20,000 long questions is ~12 MB
    # Question-bank uploads: checked before and while the file is parsed, in a child process (parse_worker).
    IMPORT_MAX_ROWS = 20_000  # questions per file (a title and a header row come on top)
    IMPORT_MAX_COLUMNS = 50
    IMPORT_MAX_CELLS = 500_000
    IMPORT_MAX_UNPACKED_BYTES = 64 * 1024 * 1024  # an xlsx's members inflated: a zip bomb stops here
    IMPORT_TIMEOUT_S = 120  # the child is killed past this
    IMPORT_WORKER_MEMORY_MB = 1024
    # Entrant administration (contest.accounts.admin_service, entrant_lists): how long a reset code an organiser
    # gives (or an emailed link) lasts, and a slip's first-password code; resets tried per address.
    RESET_CODE_MINUTES = 30
    SLIP_CODE_DAYS = 14
    RESET_LIMIT_PER_IP = "60 per hour"
    ENTRANT_UPLOAD_MAX_BYTES = 8 * 1024 * 1024  # a list of 20,000 students is ~2 MB
    # A contest's banner image (contest.rounds.content checks 2 MB itself: this leaves room for the form around it).
    BANNER_UPLOAD_MAX_BYTES = 3 * 1024 * 1024
    # The bank's question form with its pictures (a stem and up to 8 options; question_bank.image_check caps each
    # at 5 MB: most pictures are far smaller, and the rest of the form is text).
    BANK_QUESTION_FORM_MAX_BYTES = 16 * 1024 * 1024
    # Mail (contest.mail): SMTP when MAIL_SERVER is set, else every message goes to the log (and the app's outbox).
    MAIL_SERVER = ""
    MAIL_PORT = 587
    MAIL_USERNAME = ""
    MAIL_PASSWORD = ""
    MAIL_USE_TLS = True
    MAIL_SENDER = "olympiad@localhost"
    MAIL_TIMEOUT_S = 10
    BOARD_NAME_STYLE = "full"
    # Answers whose attempt, user and login are in memory are taken without a Flask request context
    # (contest.realtime.fast_answer); False sends every answer through Flask-SocketIO's handler.
    ANSWER_FAST_PATH = True
    # The /play connect and attempt_start of a logged-in entrant are done without a request context
    # (contest.realtime.fast_opening); False sends them through Flask-SocketIO's handlers.
    OPENING_FAST_PATH = True
    # Answers stored per group commit at most, and how often overdue attempts are finalised.
    ANSWER_BATCH_MAX = 500
    # How long an answer waits for its group commit before it is answered ``unavailable``: well under the
    # clients' 10 s acknowledgement time-out (contest/static/js/attempt.js), so that during a database outage
    # they get the clear refusal rather than a time-out (measured: at 10 s every answer of a 10 s outage timed out).
    ANSWER_STORE_WAIT_S = 5.0
    SOCKETIO_MAX_MESSAGE_BYTES = 4 * 1024 * 1024
    # NORMAL or FULL; see contest.db.set_sqlite_synchronous for what each promises.
    SQLITE_SYNCHRONOUS = "NORMAL"
    # How long SQLite waits for another process's write lock. SQLite waits inside a C call, during which a gevent
    # process serves nobody: kept well under the answer ack time-out, and past it the request is answered 503.
    SQLITE_BUSY_TIMEOUT_S = 0.25
    SWEEP_INTERVAL_S = 5.0
    # Per account on /play (contest.realtime.guards): connections (a new one beyond closes the oldest), and events
    # per window across processes, on top of each connection's own token bucket (contest.realtime.flood).
    PLAY_MAX_CONNECTIONS_PER_ACCOUNT = 3
    PLAY_ACCOUNT_EVENTS = 100
    PLAY_ACCOUNT_WINDOW_S = 10.0
    # Of those, the events that cost database work beyond an answer's (attempt_start, attempt_resume,
    # attempt_submit): an entrant sends a handful per attempt; a flooding account's cost the others nothing.
    PLAY_ACCOUNT_HEAVY_EVENTS = 10
    # A connection whose outgoing packets pile up past this many (its client does not read) is closed
    # (contest.realtime.outgoing), and so is one whose socket stays unwritable this long.
    SOCKETIO_OUTGOING_QUEUE_MAX = 256
    SOCKETIO_UNWRITABLE_S = 20.0
    SOCKETIO_SEND_BUFFER_BYTES = 64 * 1024  # each websocket's kernel send buffer (0: the kernel's own, up to MBs)
    BOARD_RECONCILE_S = 30.0  # how often the leader checks live boards against the database
    # Redis connections per process and kind of work (see contest/redis_pools.py), and how long a request waits
    # for a free one before it is answered 503 with Retry-After.
    REDIS_POOL_LIMITER = 32
    REDIS_POOL_PRESENCE = 4
    REDIS_POOL_BOARDS = 16
    REDIS_POOL_TIMEOUT_S = 3.0
    # Logins and registrations in progress per process, how many more may wait, and how long (contest.admission).
    LOGIN_CONCURRENCY = 16
    LOGIN_QUEUE = 64
    LOGIN_QUEUE_WAIT_S = 2.0
    # Submits, and connects with attempt starts ("opening"), in progress per process, how many more may wait, and
    # how long: the wait stays well under the client's 10 s acknowledgement time-out (contest.admission.through).
    SUBMIT_CONCURRENCY = 8
    SUBMIT_QUEUE = 2000
    SUBMIT_QUEUE_WAIT_S = 4.0
    OPENING_CONCURRENCY = 12
    OPENING_QUEUE = 2000
    OPENING_QUEUE_WAIT_S = 3.0


def load_config(app: Flask, overrides: dict | None) -> None:
    """Fill ``app.config`` from the three layers, then apply ``overrides`` (used by tests and wsgi.py)."""
    app.config.from_object(Defaults)
    app.config.from_pyfile("config.py", silent=True)
    app.config.from_prefixed_env(prefix="OLYMPIAD")
    if os.environ.get("DATABASE_URL"):
        app.config["SQLALCHEMY_DATABASE_URI"] = os.environ["DATABASE_URL"]
    if os.environ.get("REDIS_URL"):
        app.config["REDIS_URL"] = os.environ["REDIS_URL"]
    if overrides:
        app.config.update(overrides)

    if not app.config["SQLALCHEMY_DATABASE_URI"]:
        private_dir(Path(app.instance_path))
        app.config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{Path(app.instance_path) / SQLITE_FILE}"
    app.config["SQLALCHEMY_DATABASE_URI"] = uri = database_uri(app.config["SQLALCHEMY_DATABASE_URI"])
    if uri.startswith("postgresql"):
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {
            "pool_pre_ping": True,
            "pool_size": 20,
            "max_overflow": 20,
            **app.config["SQLALCHEMY_ENGINE_OPTIONS"],
        }
    elif uri.startswith("sqlite"):
        # One connection per process: SQLite has one writer anyway, and greenlets waiting for the pool
        # yield to each other, where waiting inside SQLite's busy handler would stall the whole process.
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {
            "pool_size": 1,
            "max_overflow": 0,
            "pool_timeout": 30,
            **app.config["SQLALCHEMY_ENGINE_OPTIONS"],
        }
    if app.config["SECURE_COOKIES"]:
        app.config["SESSION_COOKIE_SECURE"] = app.config["REMEMBER_COOKIE_SECURE"] = True
    app.config.setdefault("RATELIMIT_STORAGE_URI", app.config["REDIS_URL"] or "memory://")
    if app.config["LOGIN_RECHECK_S"] is None:
        app.config["LOGIN_RECHECK_S"] = 600.0 if app.config["REDIS_URL"] else 60.0
    if not app.config["SECRET_KEY"]:
        app.config["SECRET_KEY"] = _instance_secret(Path(app.instance_path))


def database_uri(uri: str) -> str:
    """``uri`` with PostgreSQL pinned to psycopg2, the driver psycogreen makes cooperative (SQLAlchemy 2.1
    would pick psycopg 3 for a bare ``postgresql://``); ``postgres://``, which some hosts hand out, too."""
    for bare in ("postgres://", "postgresql://"):
        if uri.startswith(bare):
            return "postgresql+psycopg2://" + uri.removeprefix(bare)
    return uri


def _instance_secret(instance: Path) -> str:
    """A random key kept in the instance folder, so sessions survive restarts without a configured key."""
    path = instance / "secret_key"
    if path.exists():
        path.chmod(FILE_MODE)
        return path.read_text().strip()
    private_dir(instance)
    key = secrets.token_hex(32)
    write_private(path, key)
    return key
