"""Which device an attempt belongs to: the id a client sends, the fallback when it sends none, and a coarse name
for its user agent. Pure code.

A page keeps a random id in ``localStorage`` (so two tabs of one browser are one device) and sends it on connect,
``attempt_start``/``attempt_resume`` and the HTTP calls (docs/contract.md). A client that sends none (the load
harness, an old page) is one device per login: ``login:<id>``, which a page's id can never be, as it may hold no
colon.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

DEVICE_ID = re.compile(r"[A-Za-z0-9_-]{8,64}")
HEADER = "X-Olympiad-Device"
AGENT_LENGTH = 64
ADDRESS_LENGTH = 45  # the longest IPv6 text form

# First match wins: scripts before browsers (a script may claim to be Chrome as well), Edge and Opera before the
# Chrome they are built on.
SCRIPTS = (("HeadlessChrome", "headless Chrome"), ("python", "script: Python"), ("curl", "script: curl"),
           ("Go-http", "script: Go"), ("okhttp", "script: okhttp"), ("node", "script: Node"),
           ("axios", "script: axios"), ("bot", "bot"), ("Selenium", "Selenium"))
SYSTEMS = (("Android", "Android"), ("iPhone", "iPhone"), ("iPad", "iPad"), ("Windows", "Windows"),
           ("CrOS", "ChromeOS"), ("Mac OS X", "macOS"), ("Linux", "Linux"))
BROWSERS = (("Edg/", "Edge"), ("OPR/", "Opera"), ("coc_coc", "Cốc Cốc"), ("Zalo", "Zalo"), ("FBAN", "Facebook"),
            ("Firefox/", "Firefox"), ("Chrome/", "Chrome"), ("Safari/", "Safari"))


@dataclass(frozen=True)
class Client:
    """Who is asking: the device, a coarse name of its user agent and its address (behind the trusted proxies)."""

    device: str
    agent: str = ""
    address: str = ""


def device_of(raw: object, login_id: int | None) -> str:
    """The device id a client sent when it is well formed, else one device per login."""
    if isinstance(raw, str) and DEVICE_ID.fullmatch(raw):
        return raw
    return f"login:{login_id}"


def named(device: str) -> bool:
    """Whether the client named this device itself (a page's id), rather than being one device per login."""
    return not device.startswith("login:")


def sent_device(raw: object) -> str | None:
    """The device id in a payload when it is well formed, else None (use the connection's)."""
    return raw if isinstance(raw, str) and DEVICE_ID.fullmatch(raw) else None


def coarse_agent(user_agent: str | None) -> str:
    """"Android Chrome", "iPhone Safari", "script: Python"…: enough to tell devices apart, not to single one out."""
    text = user_agent or ""
    lowered = text.lower()
    for needle, name in SCRIPTS:
        if needle.lower() in lowered:
            return name
    system = next((name for needle, name in SYSTEMS if needle in text), "")
    browser = next((name for needle, name in BROWSERS if needle in text), "")
    return (f"{system} {browser}".strip() or ("other" if text else "unknown"))[:AGENT_LENGTH]


def client_of(raw_device: object, login_id: int | None, user_agent: str | None, address: str | None) -> Client:
    """The ``Client`` of a request or connection."""
    return Client(device_of(raw_device, login_id), coarse_agent(user_agent), (address or "")[:ADDRESS_LENGTH])
