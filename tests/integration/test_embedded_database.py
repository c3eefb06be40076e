"""Without DATABASE_URL Sammen starts a real PostgreSQL itself, keeps its data for the
next start, and stops it when the last process using it ends."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time

import psutil

from tests.support import ROOT
from tests.support.service import Service


def _env(data_dir) -> dict[str, str]:
    """What `sammen serve` gets from tests/support, without DATABASE_URL: the embedded default."""
    return Service(None, env={"SAMMEN_DATA_DIR": str(data_dir)}).environment()


def _servers(data_dir) -> list[psutil.Process]:
    found = []
    for proc in psutil.process_iter(["name", "cmdline"]):
        if proc.info["name"] == "postgres" and str(data_dir) in " ".join(proc.info["cmdline"] or []):
            found.append(proc)
    return found


def _cli(data_dir, *args: str) -> str:
    done = subprocess.run([sys.executable, "-m", "service.cli", *args], env=_env(data_dir), cwd=ROOT,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_embedded_database_keeps_its_data_between_starts_and_stops_after_use(tmp_path):
    _cli(tmp_path, "organisation", "Thisted Kommune")
    assert not _servers(tmp_path)  # the command's own server stopped with it
    overview = json.loads(_cli(tmp_path, "overview"))
    assert [o["organisation"] for o in overview] == ["Thisted Kommune"]
    assert (tmp_path / "pgdata" / "PG_VERSION").exists()


def test_service_stops_its_embedded_database_on_sigterm(tmp_path):
    service = Service(None, env={"SAMMEN_DATA_DIR": str(tmp_path)}).start()  # up: /healthz answered
    try:
        assert _servers(tmp_path)
    finally:
        service.stop()  # SIGTERM; SIGKILL only if that did not stop it
    assert service.proc is not None and service.proc.returncode != -signal.SIGKILL
    deadline = time.monotonic() + 10  # asked, not waited for: gone at once is the usual case
    while _servers(tmp_path) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _servers(tmp_path)
