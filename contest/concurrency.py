"""Running CPU-bound work (password hashing) beside the event loop of a gevent/eventlet server, at low priority.

argon2-cffi releases the GIL, so a hash in a native thread runs truly in parallel with the event loop. In a login
rush that was the trouble: the hub's ten threads per process hashed on every core, the event loops got a share of
the CPU like any other thread, and the entrants already in waited seconds for their acknowledgements
(bench/RESULTS.md). So hashes run in a small pool of their own whose threads lower their own scheduling priority
(on Linux ``nice`` is per thread): the kernel gives the event loop what it asks for and the hashes what is left.
A rush then takes longer; answers do not.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable
from typing import TypeVar

from flask import current_app

T = TypeVar("T")
log = logging.getLogger(__name__)
_pools: dict[int, object] = {}  # pool size -> the gevent ThreadPool of that size, made on first use
_lowered = threading.local()


def run_blocking(fn: Callable[..., T], *args) -> T:
    """Run ``fn(*args)`` in a native thread at low priority (``HASH_THREADS`` per process, niced by
    ``HASH_NICE``); directly when serving with plain threads (``flask`` commands, tests)."""
    config = current_app.config
    mode = config["ASYNC_MODE"]
    if mode not in ("gevent", "eventlet"):
        return fn(*args)
    nice = config["HASH_NICE"]

    def lowered() -> T:
        lower_this_thread(nice)
        return fn(*args)

    if mode == "gevent":
        return _gevent_pool(config["HASH_THREADS"]).apply(lowered)
    from eventlet import tpool  # its pool is process-wide: EVENTLET_THREADPOOL_SIZE sets its size

    return tpool.execute(lowered)


def _gevent_pool(size: int):
    pool = _pools.get(size)
    if pool is None:
        from gevent.threadpool import ThreadPool

        pool = _pools[size] = ThreadPool(size)
    return pool


def lower_this_thread(increment: int) -> None:
    """Add ``increment`` to the calling thread's nice value, once per thread; a refusal is logged and ignored."""
    if getattr(_lowered, "done", False) or increment <= 0:
        return
    _lowered.done = True
    thread = threading.get_native_id()
    try:
        os.setpriority(os.PRIO_PROCESS, thread, min(19, os.getpriority(os.PRIO_PROCESS, thread) + increment))
    except OSError as error:
        log.warning("hashing thread keeps its priority: %s", error)
