"""Running ``parse_worker`` from the server: a child process per upload, waited for cooperatively.

Under gevent the standard library is patched, so waiting on the child's pipes yields to the other greenlets:
entrants' acknowledgements go on while a file is parsed. The child is killed past ``timeout``.
"""

from __future__ import annotations

import pickle
import signal
import subprocess
import sys
from pathlib import Path

from question_bank.formats.model import N_
from question_bank.parse_worker import ParseOutcome, ParseRequest

ROOT = Path(__file__).resolve().parent.parent
# Imported, not run as ``-m``: what it pickles must name ``question_bank.parse_worker``, not ``__main__``.
WORKER = "from question_bank.parse_worker import main; main()"


class WorkerFailed(RuntimeError):
    """The child died, ran out of memory or time, or answered nothing readable: say so, never hang."""


def plan_in_worker(request: ParseRequest, *, timeout: float) -> ParseOutcome:  # or any request with run()
    """The child's outcome for ``request``. A child over its time answers a ``TableError``-like outcome (the
    file is too heavy to read); a crash raises ``WorkerFailed`` with what the child printed."""
    try:
        done = subprocess.run([sys.executable, "-c", WORKER], cwd=ROOT,
                              input=pickle.dumps(request, protocol=pickle.HIGHEST_PROTOCOL),
                              capture_output=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        return _too_long(timeout)
    if done.returncode in (-signal.SIGXCPU, -signal.SIGKILL):  # over its CPU ceiling
        return _too_long(timeout)
    if done.returncode != 0 or not done.stdout:
        detail = done.stderr.decode(errors="replace")[-1500:]
        if "MemoryError" in detail:
            return ParseOutcome(error=(N_("the file needs too much memory to read; split it into smaller files"),
                                       {}))
        raise WorkerFailed(f"parse worker exited with {done.returncode}: {detail}")
    outcome = pickle.loads(done.stdout)
    if not isinstance(outcome, ParseOutcome):
        raise WorkerFailed(f"parse worker answered {type(outcome).__name__}")
    return outcome


def _too_long(timeout: float) -> ParseOutcome:
    return ParseOutcome(error=(N_("the file took longer than %(seconds)s s to read; split it into smaller files"),
                               {"seconds": int(timeout)}))
