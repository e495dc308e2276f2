"""Starting and stopping the server under test, and reading its memory and CPU from /proc (Linux)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
_CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for_port(port: int, process: subprocess.Popen | None, timeout_s: float) -> None:
    """Return once 127.0.0.1:``port`` accepts connections; fail if ``process`` died or ``timeout_s`` passed."""
    give_up = time.monotonic() + timeout_s
    while time.monotonic() < give_up:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"the server exited with {process.returncode} before listening")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"nothing listens on port {port} after {timeout_s:.0f} s")


def rss_kib(pid: int) -> int | None:
    """VmRSS of ``pid`` in KiB, or None if it cannot be read."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        pass
    return None


def cpu_s(pid: int) -> float | None:
    """User + system CPU seconds used so far by ``pid``."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
        fields = stat[stat.rindex(")") + 2 :].split()  # the command name may hold spaces
        return (int(fields[11]) + int(fields[12])) / _CLOCK_TICKS
    except (OSError, ValueError, IndexError):
        return None


def total(read, pids: Sequence[int]) -> float | None:
    """``read`` (``rss_kib`` or ``cpu_s``) summed over the server's processes, or None if one cannot be read."""
    values = [read(pid) for pid in pids]
    return None if not values or None in values else sum(values)


def pids_of(server_pid: int | Sequence[int] | None) -> tuple[int, ...]:
    """One pid or several (a cluster's answering processes) as a tuple."""
    if server_pid is None:
        return ()
    return (server_pid,) if isinstance(server_pid, int) else tuple(server_pid)


class PeakSampler:
    """Samples the RSS of a process (or the sum over several: a cluster's) on a thread until stopped, keeping the
    peak."""

    def __init__(self, pid: int | Sequence[int], every_s: float = 0.2):
        self.pids, self.every_s = pids_of(pid), every_s
        self.peak_kib: int | None = None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> PeakSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join(timeout=2)
        self._sample()

    def _run(self) -> None:
        while not self._stop.wait(self.every_s):
            self._sample()

    def _sample(self) -> None:
        value = total(rss_kib, self.pids)
        if value is not None and (self.peak_kib is None or value > self.peak_kib):
            self.peak_kib = value


class ServerProcess:
    """A server run as a child process on a free port, its output kept in ``log_path``."""

    def __init__(self, argv: list[str], env: dict[str, str], log_path: Path, port: int):
        self.argv, self.env, self.log_path, self.port = argv, env, log_path, port
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def pid(self) -> int:
        return self.process.pid

    def exited_early(self) -> int | None:
        """The server's exit status if it has already gone (negative: killed by that signal), else None."""
        return None if self.process is None else self.process.poll()

    def __enter__(self) -> ServerProcess:
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(self.argv, cwd=REPO, env=self.env, stdout=log, stderr=subprocess.STDOUT,
                                            stdin=subprocess.DEVNULL)
        try:
            wait_for_port(self.port, self.process, timeout_s=60)
        except BaseException:
            self.__exit__()
            raise
        return self

    def __exit__(self, *exc) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        for sig, grace in ((signal.SIGINT, 5), (signal.SIGTERM, 5), (signal.SIGKILL, 5)):
            self.process.send_signal(sig)
            try:
                self.process.wait(timeout=grace)
                return
            except subprocess.TimeoutExpired:
                continue


def bare_server(questions: int, log_dir: Path) -> ServerProcess:
    port = free_port()
    argv = [sys.executable, "-m", "bench.bare_server", "--port", str(port), "--questions", str(questions)]
    return ServerProcess(argv, dict(os.environ), log_dir / "bare_server.log", port)


def app_server(extra_env: dict[str, str], log_dir: Path) -> ServerProcess:
    """``python wsgi.py`` on a free port, with the caller's environment plus ``extra_env``."""
    port = free_port()
    env = {**os.environ, **extra_env, "OLYMPIAD_HOST": "127.0.0.1", "OLYMPIAD_PORT": str(port)}
    return ServerProcess([sys.executable, "wsgi.py"], env, log_dir / "app_server.log", port)
