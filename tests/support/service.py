"""`sammen serve` as a child process, the service exactly as it is shipped: on a free
port, against a given database, up once /healthz answers 200; stopped with SIGTERM, and
killed (its whole process group, which only it is in) if it does not stop."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from types import TracebackType

from tests.support import ADMIN_KEY, QUESTIONNAIRE_DIR, ROOT, SECRET

HOST = "127.0.0.1"
# no proxy from the environment for a server on loopback
_DIRECT = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def free_port(host: str = HOST) -> int:
    with socket.socket() as s:
        s.bind((host, 0))
        return s.getsockname()[1]


class ServiceFailed(RuntimeError):
    """The service exited or did not answer in time; the message ends with its log."""


class Service:
    """with Service(database_url) as service: ... service.url ...

    database_url None: the service starts its own embedded PostgreSQL (in SAMMEN_DATA_DIR,
    given in `env`), as on a fresh machine."""

    def __init__(self, database_url: str | None, *, workers: int = 1, admin_key: str | None = ADMIN_KEY,
                 env: dict[str, str] | None = None, log_path: Path | None = None) -> None:
        self.database_url, self.workers, self.admin_key = database_url, workers, admin_key
        self.extra_env = env or {}
        self.port = free_port()
        self.url = f"http://{HOST}:{self.port}"
        self._own_log = log_path is None
        self.log_path = log_path  # made when started, if not given
        self.proc: subprocess.Popen[bytes] | None = None

    def environment(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("SAMMEN_", "WEB_CONCURRENCY", "DATABASE_URL"))}
        if self.database_url:
            env["DATABASE_URL"] = self.database_url
        env |= {
            "SAMMEN_HOST": HOST,
            "SAMMEN_PORT": str(self.port),
            "SAMMEN_WORKERS": str(self.workers),
            "SAMMEN_QUESTIONNAIRE_DIR": str(QUESTIONNAIRE_DIR),
            "SAMMEN_SECRET_KEY": SECRET,  # never the developer's ~/.config/sammen/secret
            "PYTHONUNBUFFERED": "1",
        }
        if self.admin_key:
            env["SAMMEN_ADMIN_API_KEY"] = self.admin_key
        if "SAMMEN_ANALYSIS_CORE" in os.environ:  # the tests' choice (tests/conftest.py), not the benchmarks'
            env["SAMMEN_ANALYSIS_CORE"] = os.environ["SAMMEN_ANALYSIS_CORE"]
        return env | self.extra_env

    def start(self, timeout: float = 60.0) -> Service:
        if self.log_path is None:
            self.log_path = Path(tempfile.mkstemp(prefix="sammen-serve-", suffix=".log")[1])
        with open(self.log_path, "wb") as log:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "service.cli", "serve"], cwd=ROOT, env=self.environment(),
                stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
            )
        deadline = time.monotonic() + timeout
        while not self.healthy():
            problem = None
            if self.proc.poll() is not None:
                problem = f"sammen serve exited with {self.proc.returncode}"
            elif time.monotonic() > deadline:
                problem = f"sammen serve did not answer /healthz within {timeout:.0f} s"
            if problem:
                problem += f":\n{self.log_tail()}"
                self.stop()
                raise ServiceFailed(problem)
            time.sleep(0.1)
        return self

    def healthy(self) -> bool:
        try:
            with _DIRECT.open(f"{self.url}/healthz", timeout=2) as r:
                return r.status == 200
        except OSError:
            return False

    def log_tail(self, chars: int = 3000) -> str:
        try:
            return self.log_path.read_text(encoding="utf-8", errors="replace")[-chars:] if self.log_path else ""
        except OSError:
            return ""

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)  # its own session: only what it started
                self.proc.wait(5)
        if self._own_log and self.log_path:
            self.log_path.unlink(missing_ok=True)

    def __enter__(self) -> Service:
        return self.start()

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self.stop()
