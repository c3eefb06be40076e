"""The embedded PostgreSQL dies under a running `sammen serve`: citizens see the Danish
"try again in a moment" page (503, Retry-After), the API a 503 with Retry-After, and the
same web process starts the database again and serves the link, without a restart."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import signal
import tempfile
import time
from pathlib import Path

import httpx
import msgspec
import pytest

from service.surveys.model import Questionnaire
from tests.support import ADMIN_KEY
from tests.support.answers import valid_answers
from tests.support.service import Service


def _postmaster_pid(pgdata: Path) -> int:
    return int((pgdata / "postmaster.pid").read_text().split("\n", 1)[0])


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def _set_up_one_link(http: httpx.Client) -> str:
    """An evaluation with one open wave and one personal link, through the admin API."""
    def post(path: str, body: dict) -> dict:
        r = http.post(path, json=body, headers={"Authorization": f"Bearer {ADMIN_KEY}"})
        assert r.status_code == 201, r.text
        return r.json()

    org = post("/api/admin/organisations", {"name": "Udfaldskommune"})["id"]
    unit = post(f"/api/admin/organisations/{org}/units", {"name": "Bostøtte", "sector": "udfoerer"})["id"]
    today = dt.date.today()
    evaluation = post(f"/api/admin/organisations/{org}/evaluations",
                      {"name": "Udfald", "implementation_date": today.isoformat(), "units": [{"unit_id": unit}]})["id"]
    wave = post(f"/api/admin/evaluations/{evaluation}/waves",
                {"name": "Før", "phase": "before", "opens_on": (today - dt.timedelta(days=1)).isoformat(),
                 "closes_on": (today + dt.timedelta(days=30)).isoformat(), "questionnaire_id": "moede_borger"})["id"]
    return post(f"/api/admin/waves/{wave}/invitations", {"unit_id": unit, "count": 1})[0]["token"]


@pytest.fixture
def data_dir():
    folder = Path(tempfile.mkdtemp(prefix="sammen-outage-"))
    yield folder
    pgdata = folder / "pgdata"
    if (pgdata / "postmaster.pid").exists():  # the service stops its server; if it did not, stop it here
        pid = _postmaster_pid(pgdata)
        if _alive(pid):
            os.kill(pid, signal.SIGTERM)
    shutil.rmtree(folder, ignore_errors=True)


def test_a_killed_embedded_database_gives_503_then_comes_back_without_a_restart(data_dir):
    with Service("", env={"SAMMEN_DATA_DIR": str(data_dir)}) as service, \
            httpx.Client(base_url=service.url, trust_env=False, timeout=10) as http:
        token = _set_up_one_link(http)
        assert http.get(f"/s/{token}").status_code == 200
        web_process = service.proc.pid
        killed = _postmaster_pid(data_dir / "pgdata")
        os.kill(killed, signal.SIGKILL)

        # The pool notices on the next request; from then on every request fails until
        # the database is back: the API's and the page's, one right after the other.
        deadline = time.monotonic() + 15
        while (api := http.get(f"/api/forms/{token}")).status_code == 200:
            assert time.monotonic() < deadline, "the service never noticed the database was gone"
            time.sleep(0.05)
        page = http.get(f"/s/{token}")
        assert api.status_code == 503, api.text + service.log_tail()
        assert int(api.headers["retry-after"]) > 0 and api.json()["status_code"] == 503
        assert page.status_code == 503, page.text
        assert page.headers["content-type"].startswith("text/html") and int(page.headers["retry-after"]) > 0
        assert "Prøv igen om lidt" in page.text and 'lang="da"' in page.text
        assert "content-security-policy" in page.headers and "cache-control" in page.headers

        deadline = time.monotonic() + 60
        while (again := http.get(f"/s/{token}")).status_code != 200:
            assert again.status_code == 503, again.text
            assert time.monotonic() < deadline, f"the database did not come back:\n{service.log_tail()}"
            time.sleep(0.25)
        assert service.proc.poll() is None and service.proc.pid == web_process  # the same web process
        assert _postmaster_pid(data_dir / "pgdata") != killed  # a new server, on the same data

        form = http.get(f"/api/forms/{token}").json()
        answers = valid_answers(msgspec.convert(form["questionnaire"], Questionnaire))
        r = http.post(f"/api/responses/{token}", json={"submission_id": "0b5a2f61-0e0e-4c4e-8a51-2f0c9a1c7d42",
                                                       "answers": answers})
        assert r.status_code == 201, r.text
        assert http.get(f"/api/forms/{token}").json()["status"] == "answered"
        log = service.log_tail(20_000)
        assert token not in log  # tokens never reach a log line
