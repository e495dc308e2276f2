"""Do entrants wait while an organiser uploads a huge question bank? Answer latency before and during an upload.

    .venv/bin/python -m bench.upload_stall [--rows 1000000] [--kind lying|honest|dimensions] [--raise-limits]

Starts ``python wsgi.py`` (gevent) on a fresh, migrated and demo-seeded SQLite database, connects three entrants
on ``/play`` answering (``--event answer``, acknowledged once stored) or sending ``time_sync`` about 8 times a
second each, measures their acknowledgements for a few seconds, then uploads an
adversarial workbook as the demo organiser (and follows the import job until it is checked, up to ``--during``
seconds) while still measuring. Prints one JSON line: p50/p95/p99/max before and during, and what the upload
answered. ``--raise-limits`` lifts the row/cell limits so the parsing child grinds through every row (until
``--timeout``): the case where only parsing off the event loop keeps the acknowledgements prompt.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import re
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
from pathlib import Path

import requests
import socketio

from bench.servers import REPO, app_server
from bench.stats import latency_summary

ORGANISER = ("admin@example.org", "demo-admin-pass")  # `flask demo seed`
ENTRANTS = [(f"09000000{n:02d}", "demo-pass") for n in range(1, 4)]
# Each entrant stays under the server's per-connection flood limit (10 events/s): three of them make ~25 samples/s.
PROBE_INTERVAL_S = 0.12
RAISED_LIMITS = {"OLYMPIAD_IMPORT_MAX_ROWS": "5000000", "OLYMPIAD_IMPORT_MAX_CELLS": "50000000",
                 "OLYMPIAD_IMPORT_MAX_UNPACKED_BYTES": str(2 * 1024**3), "OLYMPIAD_IMPORT_WORKER_MEMORY_MB": "3072"}
_CONTENT_TYPES = (b'<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/'
                  b'2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
                  b'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/'
                  b'xl/'
                  b'workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+'
                  b'xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-'
                  b'officedocument.spreadsheetml.worksheet+xml"/></Types>')
_RELS = (b'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
         b'relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
         b'relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>')
_WORKBOOK = (b'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/'
             b'2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet '
             b'name="CauHoi" sheetId="1" r:id="rId1"/></sheets></workbook>')
_WORKBOOK_RELS = (b'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/'
                  b'package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/'
                  b'officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>')


def adversarial_xlsx(rows: int, kind: str = "lying") -> bytes:
    """A bank workbook of ``rows`` one-number rows under a ``cau_hoi, dap_an_dung`` header (1,000,000 rows: ~5 MB).
    ``kind``: ``lying`` declares A1:B2, ``honest`` its true size, ``dimensions`` 3,000 × 16,384 cells over 3 rows."""
    dimension = {"lying": "A1:B2", "honest": f"A1:B{rows + 1}", "dimensions": "A1:XFD3000"}[kind]
    if kind == "dimensions":
        rows = 3
    body = "".join(f'<row r="{n}"><c r="A{n}"><v>{n}</v></c></row>' for n in range(2, rows + 2))
    sheet = ('<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
             f'<dimension ref="{dimension}"/><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>cau_hoi</t></is>'
             '</c><c r="B1" t="inlineStr"><is><t>dap_an_dung</t></is></c></row>' + body + "</sheetData></worksheet>")
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", _CONTENT_TYPES)
        archive.writestr("_rels/.rels", _RELS)
        archive.writestr("xl/workbook.xml", _WORKBOOK)
        archive.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
        archive.writestr("xl/worksheets/sheet1.xml", sheet.encode())
    return out.getvalue()


def valid_bank(count: int) -> bytes:
    """An xlsx of ``count`` valid, distinct questions (bench.bank_import's generator)."""
    import random

    from bench.bank_import import generated_bank
    from question_bank.formats import write_questions

    return write_questions(generated_bank(count, random.Random(9)), "xlsx")


def login(url: str, who: tuple[str, str]) -> requests.Session:
    http = requests.Session()
    response = http.post(f"{url}/api/session", json={"login": who[0], "password": who[1]}, timeout=30)
    response.raise_for_status()
    return http


class AckProbe:
    """One entrant sending ``event`` every ``interval_s``; each acknowledgement's latency kept with its time.
    ``answer``: the entrant starts an attempt in the demo's open round and answers its first question again and
    again (a new ``seq`` each time), each acknowledged once durably stored; ``time_sync`` touches no database."""

    def __init__(self, url: str, http: requests.Session, interval_s: float = PROBE_INTERVAL_S,
                 event: str = "answer"):
        self.client = socketio.Client(http_session=http, reconnection=False)
        self.client.connect(url, namespaces=["/play"], transports=["websocket"], wait_timeout=10)
        self.interval_s = interval_s
        self.event, self.payload = event, lambda: {}
        if event == "answer":
            started = self.client.call("attempt_start", {"round_id": 1}, namespace="/play", timeout=30)
            assert started["ok"], started
            attempt = started["attempt"]
            question = attempt["questions"][0]
            seq = iter(range(1, 10**9))
            self.payload = lambda: {"attempt_id": attempt["id"], "slot": question["slot"],
                                    "choice": [question["options"][0]["key"]], "seq": next(seq)}
        self.samples: list[tuple[float, float]] = []  # (sent at, latency ms)
        self.failures = 0
        self.last_failure = ""
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            sent = time.monotonic()
            try:
                reply = self.client.call(self.event, self.payload(), namespace="/play", timeout=30)
                assert reply["ok"], reply
                self.samples.append((sent, (time.monotonic() - sent) * 1000))
            except Exception as error:
                self.failures += 1
                self.last_failure = repr(error)
            self._stop.wait(self.interval_s)

    def __enter__(self) -> AckProbe:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join(timeout=40)
        self.client.disconnect()

    def between(self, start: float, end: float) -> list[float]:
        return [latency for sent, latency in self.samples if start <= sent < end]


def upload_and_follow(url: str, organiser: requests.Session, data: bytes, *, during_s: float,
                      confirm: bool = False) -> dict:
    """POST the file to the bank import form; follow its job (if the server makes one) until it is no longer
    waiting or ``during_s`` passed; with ``confirm``, then "Import now" and follow the import the same way
    (``confirm_window``: its start and end, monotonic). Returns the status codes, the job's last state and the
    seconds taken."""
    form = organiser.get(f"{url}/organiser/bank/import", timeout=30).text
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', form).group(1)
    started = time.monotonic()
    response = organiser.post(f"{url}/organiser/bank/import", files={"file": ("bank.xlsx", data)},
                              data={"csrf_token": token}, allow_redirects=False, timeout=600)
    answered_s = time.monotonic() - started
    outcome = {"upload_status": response.status_code, "upload_answered_s": round(answered_s, 2), "job": None}
    polls: list[float] = []  # each poll reads the job from the database: a request that needs a connection
    if response.status_code == 302:
        job_url = url + response.headers["Location"]
        outcome["job"] = _follow(organiser, job_url, started + during_s, polls)
        if confirm and outcome["job"]["status"] == "ready":
            page = organiser.get(job_url, timeout=30).text
            token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
            confirmed = time.monotonic()
            organiser.post(f"{job_url}/confirm", data={"csrf_token": token}, allow_redirects=False, timeout=60)
            outcome["job"] = _follow(organiser, job_url, confirmed + during_s, polls)
            outcome["confirm_window"] = (confirmed, time.monotonic())
    outcome["followed_s"] = round(time.monotonic() - started, 2)
    outcome["job_poll_ms"] = latency_summary(polls)
    return outcome


def _follow(organiser: requests.Session, job_url: str, until: float, polls: list[float]) -> dict:
    while True:
        asked = time.monotonic()
        job = organiser.get(job_url, headers={"Accept": "application/json"}, timeout=60).json()
        polls.append((time.monotonic() - asked) * 1000)
        if not job["waiting"] or time.monotonic() > until:
            return job
        time.sleep(0.25)


def measure(url: str, data: bytes, *, before_s: float = 5.0, during_s: float = 20.0, event: str = "answer",
            confirm: bool = False) -> dict:
    """Ack latency of ``event`` for ``before_s`` seconds, then while ``data`` is uploaded and its job followed
    (with ``confirm``, imported too: ``during_import`` is the latency while the rows are written)."""
    organiser = login(url, ORGANISER)
    with contextlib.ExitStack() as stack:
        probes = [stack.enter_context(AckProbe(url, login(url, who), event=event)) for who in ENTRANTS]
        time.sleep(before_s)
        upload_start = time.monotonic()
        outcome = upload_and_follow(url, organiser, data, during_s=during_s, confirm=confirm)
        upload_end = time.monotonic()
    window = outcome.pop("confirm_window", None)
    if window:
        outcome["during_import"] = latency_summary([ms for p in probes for ms in p.between(*window)])
    return {"before": latency_summary([ms for p in probes for ms in p.between(upload_start - before_s, upload_start)]),
            "during": latency_summary([ms for p in probes for ms in p.between(upload_start, upload_end)]),
            "probe_failures": sum(p.failures for p in probes),
            "last_failure": next((p.last_failure for p in probes if p.last_failure), ""), **outcome}


def prepared_database(directory: Path, database_url: str | None = None) -> dict[str, str]:
    """A migrated, demo-seeded database (a SQLite file of its own unless ``database_url``, an empty database);
    the environment that points a server at it."""
    env = {**os.environ, "DATABASE_URL": database_url or f"sqlite:///{directory / 'bench.sqlite3'}",
           "OLYMPIAD_SECRET_KEY": "bench-upload-stall", "PYTHONUNBUFFERED": "1"}
    env.pop("REDIS_URL", None)
    for args in (("db", "upgrade"), ("demo", "seed", "--entrants", "3")):
        subprocess.run([sys.executable, "-m", "flask", "--app", "contest", *args], cwd=REPO, env=env, check=True,
                       capture_output=True)
    return env


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--kind", choices=("lying", "honest", "dimensions"), default="lying")
    parser.add_argument("--raise-limits", action="store_true")
    parser.add_argument("--timeout", type=int, default=30, help="IMPORT_TIMEOUT_S of the server")
    parser.add_argument("--during", type=float, default=60.0)
    parser.add_argument("--event", choices=("answer", "time_sync"), default="answer")
    parser.add_argument("--database-url", help="an empty database to use instead of a new SQLite file")
    parser.add_argument("--valid", type=int, default=0, metavar="N",
                        help="upload a valid bank of N questions instead, and confirm its import")
    args = parser.parse_args(argv)
    data = valid_bank(args.valid) if args.valid else adversarial_xlsx(args.rows, args.kind)
    with tempfile.TemporaryDirectory() as folder:
        env = prepared_database(Path(folder), args.database_url)
        settings = {"OLYMPIAD_ASYNC_MODE": "gevent", "OLYMPIAD_IMPORT_TIMEOUT_S": str(args.timeout),
                    **(RAISED_LIMITS if args.raise_limits else {})}
        os.environ.update({key: env[key] for key in ("DATABASE_URL", "OLYMPIAD_SECRET_KEY")})
        with app_server(settings, Path(folder)) as server:
            figures = measure(server.url, data, during_s=args.during, event=args.event, confirm=bool(args.valid))
    print(json.dumps({"rows": args.rows, "kind": args.kind, "event": args.event, "file_bytes": len(data),
                      "raised_limits": args.raise_limits, **figures}, ensure_ascii=False))


if __name__ == "__main__":
    main()
