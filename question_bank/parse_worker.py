"""The child process that reads an uploaded file and plans its import (``parsing.WORKER`` starts it).

Parsing an upload is CPU work in pure Python (openpyxl holds the GIL), so in the server's process it would
stall every connection of that process however it is scheduled. Here it runs in a process of its own, at a
lower priority, with a memory and CPU ceiling, and the server waits for it without blocking (``parsing.py``).
The request comes pickled on stdin and the answer goes pickled to stdout: both ends are this code base, and
the answer holds only plain values the parent built the request for. Any request with ``run()`` (and the
``nice``, ``memory_mb`` and ``cpu_s`` ceilings) can be sent: the entrant lists of schools use it too
(``contest.accounts.entrant_list_rows``).
"""

from __future__ import annotations

import pickle
import resource
import sys
from dataclasses import dataclass, field

from question_bank.formats.limits import NO_LIMITS, TableLimits
from question_bank.import_plan import NO_DEFAULTS, Defaults, ImportPlan


@dataclass(frozen=True)
class ParseRequest:
    path: str  # the stored upload
    filename: str
    fmt: str  # "" to detect from the name and content
    limits: TableLimits = NO_LIMITS
    defaults: Defaults = NO_DEFAULTS
    skip_existing: bool = False
    existing: dict[str, int] = field(default_factory=dict)  # content key -> question id, as in plan_import
    topics: tuple[str, ...] = ()
    memory_mb: int | None = None
    cpu_s: int | None = None
    nice: int = 10
    images_path: str = ""  # the zip of pictures uploaded with the file, if any
    known_images: frozenset[str] = frozenset()  # the bank's pictures, by name: a file may name them without a zip

    def run(self) -> ParseOutcome:
        return plan_file(self)


@dataclass(frozen=True)
class ParseOutcome:
    """``plan`` when the file was read (an ``ImportPlan``, or the plan of another request's kind), else ``error``:
    a ``TableError``'s msgid and params."""

    plan: ImportPlan | object | None = None
    error: tuple[str, dict] | None = None


def plan_file(request: ParseRequest) -> ParseOutcome:
    """Read the file and plan its import against the bank the request describes. Pure but for reading the file."""
    from pathlib import Path

    from question_bank.formats import FORMATS, TEXT_ONLY, detect_format, read_questions
    from question_bank.formats.errors import TableError
    from question_bank.formats.model import N_
    from question_bank.image_refs import attach_images, used_images
    from question_bank.import_plan import plan_import

    data = Path(request.path).read_bytes()
    archive = Path(request.images_path).read_bytes() if request.images_path else None
    try:
        fmt = request.fmt if request.fmt in FORMATS else detect_format(request.filename, data)
        read = read_questions(data, fmt, request.limits)
        attached = attach_images(read, None if fmt in TEXT_ONLY else archive, request.known_images)
    except TableError as error:
        return ParseOutcome(error=(error.message, error.params))
    plan = plan_import(attached.read, request.existing, request.topics, request.defaults, request.skip_existing)
    plan.images = used_images(attached.images, [question for _row, question in plan.questions])
    if archive and fmt in TEXT_ONLY:
        plan.warnings.append((N_("Aiken files carry no pictures: the zip of pictures was not used."), {}))
    return ParseOutcome(plan=plan)


def _confine(request) -> None:
    import os

    if request.nice:
        os.nice(request.nice)  # the server's connections come first on a shared core
    if request.memory_mb:
        limit = request.memory_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    if request.cpu_s:
        resource.setrlimit(resource.RLIMIT_CPU, (request.cpu_s, request.cpu_s + 1))


def main() -> None:
    request = pickle.loads(sys.stdin.buffer.read())
    _confine(request)
    outcome = request.run()
    sys.stdout.buffer.write(pickle.dumps(outcome, protocol=pickle.HIGHEST_PROTOCOL))
    sys.stdout.buffer.flush()
