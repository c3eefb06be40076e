"""Without DATABASE_URL Sammen starts a real PostgreSQL itself, keeps its data for the
next start, and stops it when the last process using it ends."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request

import psutil

from tests.conftest import ROOT


def _env(data_dir) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    return env | {"SAMMEN_DATA_DIR": str(data_dir), "SAMMEN_QUESTIONNAIRE_DIR": str(ROOT / "questionnaires")}


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
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen([sys.executable, "-m", "service.cli", "serve"], cwd=ROOT,
                            env=_env(tmp_path) | {"SAMMEN_PORT": str(port)},
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as r:
                    assert json.load(r) == {"ok": True}
                    break
            except OSError:
                assert proc.poll() is None and time.monotonic() < deadline, proc.stderr.read().decode()
                time.sleep(0.2)
        assert _servers(tmp_path)
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    time.sleep(0.5)
    assert not _servers(tmp_path)
