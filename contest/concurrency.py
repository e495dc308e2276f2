"""Running CPU-bound work (password hashing) without stalling the event loop of a gevent/eventlet server."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from flask import current_app

T = TypeVar("T")


def run_blocking(fn: Callable[..., T], *args) -> T:
    """Run ``fn(*args)`` in the async server's native thread pool; directly when serving with threads.

    argon2-cffi releases the GIL while hashing, so other connections keep being served meanwhile.
    """
    mode = current_app.config["ASYNC_MODE"]
    if mode == "gevent":
        import gevent

        return gevent.get_hub().threadpool.apply(fn, args)
    if mode == "eventlet":
        from eventlet import tpool

        return tpool.execute(fn, *args)
    return fn(*args)
