"""The login phase: ``POST /api/session`` for every entrant at a limited rate, cookies cached in a file.

Each login costs the server a password hash (DESIGN.md §4), so a rerun reuses the cached cookies (sessions last the
whole contest) and logs in only the entrants it has no cookie for. One cached cookie is checked with
``GET /api/session`` first: a server with another secret key invalidates the whole file.
"""

from __future__ import annotations

import json
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests

from bench.stats import latency_summary

RETRIES_WHEN_LIMITED = 3


def door_work(session: requests.Session, url: str, timeout_s: float) -> dict:
    """The proof of work ``POST /api/session`` asks for when the door's is on (docs/contract.md), solved here."""
    from contest.fairplay.door import solve

    pow_ = session.get(f"{url}/api/pow", params={"purpose": "login"}, timeout=timeout_s).json().get("pow")
    if not pow_:
        return {}
    return {"pow_challenge": pow_["challenge"], "pow_solution": solve(pow_["challenge"], pow_["bits"])}


def login_schedule(count: int, rate_per_s: float, start: float) -> list[float]:
    """When each of ``count`` logins is due, ``rate_per_s`` a second from ``start``."""
    return [start + index / rate_per_s for index in range(count)]


def cookie_header(jar: requests.cookies.RequestsCookieJar) -> str:
    return "; ".join(f"{name}={value}" for name, value in jar.items())


def load_cache(path: Path) -> dict[str, str]:
    try:
        cached = json.loads(path.read_text())
    except (OSError, ValueError):
        return {}
    return cached if isinstance(cached, dict) else {}


def save_cache(path: Path, cookies: dict[str, str]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(cookies))


def cookie_still_valid(url: str, cookie: str) -> bool:
    try:
        reply = requests.get(f"{url}/api/session", headers={"Cookie": cookie}, timeout=10)
        return reply.ok and reply.json().get("ok") is True
    except (requests.RequestException, ValueError):
        return False


class LoginPhase:
    """Logs in ``logins`` at ``rate_per_s`` on a few threads; blocking I/O, the server does the hashing."""

    def __init__(self, url: str, password: str, rate_per_s: float, threads: int = 32, timeout_s: float = 30):
        self.url, self.password, self.rate_per_s = url, password, rate_per_s
        self.threads, self.timeout_s = threads, timeout_s
        self.errors: Counter = Counter()
        self.latency_ms: list[float] = []
        self._lock = threading.Lock()
        self._local = threading.local()

    def run(self, logins: list[str]) -> tuple[dict[str, str], dict]:
        started = time.time()
        due = login_schedule(len(logins), self.rate_per_s, started)
        with ThreadPoolExecutor(max_workers=self.threads) as pool:
            cookies = list(pool.map(self._log_in, logins, due))
        got = {login: cookie for login, cookie in zip(logins, cookies, strict=True) if cookie}
        seconds = time.time() - started
        report = {"performed": len(logins), "ok": len(got), "per_s": round(len(got) / seconds, 1) if got else None,
                  "ms": latency_summary(self.latency_ms), "errors": dict(sorted(self.errors.items()))}
        return got, report

    def _log_in(self, login: str, due: float) -> str | None:
        session = getattr(self._local, "session", None) or requests.Session()
        self._local.session = session
        time.sleep(max(0.0, due - time.time()))
        body = {"login": login, "password": self.password}
        for _ in range(RETRIES_WHEN_LIMITED + 1):
            session.cookies.clear()
            sent = time.time()
            try:
                reply = session.post(f"{self.url}/api/session", json=body, timeout=self.timeout_s)
                code = self._error_code(reply)
                if code == "pow_required" and "pow_solution" not in body:  # the door asks for work: do it, once
                    body = {**body, **door_work(session, self.url, self.timeout_s)}
                    reply = session.post(f"{self.url}/api/session", json=body, timeout=self.timeout_s)
            except requests.RequestException:
                self._error("connect_failed")
                return None
            body = {key: value for key, value in body.items() if not key.startswith("pow_")}  # each one is single-use
            if reply.status_code == 429:
                self._error("rate_limited")
                time.sleep(min(10.0, float(reply.headers.get("Retry-After", "1") or 1)))
                continue
            code = self._error_code(reply)
            if code:
                self._error(code)
                return None
            with self._lock:
                self.latency_ms.append((time.time() - sent) * 1000)
            return cookie_header(session.cookies)
        return None

    @staticmethod
    def _error_code(reply: requests.Response) -> str | None:
        try:
            body = reply.json()
        except ValueError:
            return f"http_{reply.status_code}"
        if reply.ok and isinstance(body, dict) and body.get("ok") is True:
            return None
        error = body.get("error") if isinstance(body, dict) else None
        fallback = f"http_{reply.status_code}"
        return error.get("code", fallback) if isinstance(error, dict) else fallback

    def _error(self, code: str) -> None:
        with self._lock:
            self.errors[code] += 1


def sessions_for(url: str, logins: list[str], password: str, rate_per_s: float, cache_path: Path,
                 fresh: bool) -> tuple[list[str | None], dict]:
    """A cookie header (or None when that login failed) per login, logging in only those without a cached one."""
    cache = {} if fresh else load_cache(cache_path)
    sample = next((cache[login] for login in logins if login in cache), None)
    if sample is not None and not cookie_still_valid(url, sample):
        cache = {}
    missing = [login for login in logins if login not in cache]
    report: dict = {"cached": len(logins) - len(missing)}
    if missing:
        got, report["login"] = LoginPhase(url, password, rate_per_s).run(missing)
        cache.update(got)
        save_cache(cache_path, cache)
    return [cache.get(login) for login in logins], report
