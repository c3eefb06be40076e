"""The evaluator's page over HTTP (the browser walk is tests/browser/test_evaluator_page.py):
signing in with a key sets a cookie that holds no key, is HttpOnly and SameSite=Strict;
a wrong key, a revoked key, a forged or expired cookie open nothing; an evaluator sees
and downloads only their own organisation's evaluations; every download is audited."""

from __future__ import annotations

import asyncio
import contextlib
import io
import os
import secrets
import signal
import time
import zipfile
from pathlib import Path

import httpx
import psutil
import pytest
from litestar.testing import AsyncTestClient

from service.admin import access
from service.admin.model import NewKey
from service.app import create_app
from service.evaluations import signin
from tests.support import SECRET
from tests.support.service import Service

# what a current browser sends on this site's own pages (a form posted from another site
# says cross-site: tests/integration/test_evaluator_signin.py)
BROWSER = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", "Sec-Fetch-Site": "same-origin"}


@pytest.fixture
async def client(pool, settings):
    """The application as a browser asks it (Accept: text/html first)."""
    async with AsyncTestClient(create_app(settings)) as client:
        client.headers.update(BROWSER)
        yield client


@pytest.fixture(scope="module")
def evaluation(small) -> int:
    """The evaluation the page offers: a small one, whose downloads are made in seconds
    (what the report says is tests/exports/test_report.py's)."""
    return small.evaluation


@pytest.fixture(scope="module")
async def keys(evaluation, pool) -> dict[str, str]:
    async with pool.acquire() as conn:
        organisation = await conn.fetchval("select organisation_id from evaluation where id = $1", evaluation)
        other_org = await conn.fetchval("insert into organisation (name) values ('Nabokommune') returning id")
        other_eval = await conn.fetchval(
            "insert into evaluation (organisation_id, name, implementation_date) values ($1, 'Nabo-evaluering',"
            " '2026-01-01') returning id", other_org)
        own = await access.create_key(conn, NewKey(name="Evaluator Lille", role="evaluator",
                                                   organisation_id=organisation, microdata=True))
        made = {
            "own": own.key,
            "own_actor": f"key:{own.id}",  # its audit entries (another module's key may have the same name)
            "other": (await access.create_key(conn, NewKey(name="Evaluator Nabo", role="evaluator",
                                                           organisation_id=other_org))).key,
            "other_evaluation": str(other_eval),
        }
    return made


async def _signed_in(client, key: str):
    response = await client.post("/evaluator/log-ind", data={"noegle": key}, follow_redirects=False)
    assert response.status_code == 303, response.text
    return response


async def test_signing_in_sets_a_cookie_that_holds_no_key_and_lists_only_own_evaluations(
        client, keys, evaluation, small):
    response = await _signed_in(client, keys["own"])
    cookie = response.headers["set-cookie"]
    assert cookie.startswith(f"{signin.COOKIE}=") and keys["own"] not in cookie
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie and "Path=/evaluator" in cookie
    assert "Secure" not in cookie  # plain http in tests; SAMMEN_BASE_URL https adds it
    page = await client.get("/evaluator")
    assert page.status_code == 200 and "Logget ind som Evaluator Lille" in page.text
    assert small.name in page.text and "Nabo-evaluering" not in page.text
    assert f'href="/evaluator/{evaluation}/rapport.pdf"' in page.text
    out = await client.post("/evaluator/log-ud", follow_redirects=False)
    assert out.status_code == 303 and 'sammen_evaluator=""' in out.headers["set-cookie"]


async def test_a_wrong_or_missing_key_is_refused_with_the_field_named(client):
    wrong = await client.post("/evaluator/log-ind", data={"noegle": "not-a-key"}, follow_redirects=False)
    assert wrong.status_code == 401 and "set-cookie" not in wrong.headers
    assert 'href="#noegle"' in wrong.text and "Nøglen er forkert" in wrong.text and 'aria-invalid="true"' in wrong.text
    empty = await client.post("/evaluator/log-ind", data={"noegle": ""}, follow_redirects=False)
    assert empty.status_code == 401 and "Skriv din API-nøgle." in empty.text
    assert "Log ind som evaluator" in (await client.get("/evaluator")).text


async def test_a_forged_expired_or_revoked_sign_in_opens_nothing(client, keys, evaluation, pool):
    response = await _signed_in(client, keys["own"])
    value = response.headers["set-cookie"].split(";")[0].split("=", 1)[1]
    session_id, signature = value.split(".")
    forged = [f"{secrets.token_urlsafe(32)}.{signature}", f"{session_id}.{signature[::-1]}", "admin.1.x",
              f"{session_id}.{signature}.x"]
    for cookie in forged:
        client.cookies.set(signin.COOKIE, cookie, path="/evaluator")
        assert (await client.get(f"/evaluator/{evaluation}/data/kodebog.csv")).status_code == 401
    async with pool.acquire() as conn:
        past = await signin.sign_in(conn, keys["own"], admin_key="", secret=SECRET, now=time.time() - 9 * 3600)
        assert past is not None
        assert await signin.signed_in(conn, past[1], admin_key="", secret=SECRET) is None
        organisation = await conn.fetchval("select organisation_id from evaluation where id = $1", evaluation)
        revocable = (await access.create_key(conn, NewKey(name="Soon gone", role="evaluator",
                                                          organisation_id=organisation))).key
    client.cookies.clear()
    await _signed_in(client, revocable)
    assert (await client.get(f"/evaluator/{evaluation}/data/kodebog.csv")).status_code == 200
    async with pool.acquire() as conn:
        key_id = await conn.fetchval("select max(id) from api_key")
        await access.revoke_key(conn, key_id)
    assert (await client.get(f"/evaluator/{evaluation}/data/kodebog.csv")).status_code == 401
    assert "Log ind som evaluator" in (await client.get("/evaluator")).text


async def test_a_cookie_with_unicode_digits_or_a_non_ascii_signature_is_signed_out_not_a_server_error(
        client, keys, evaluation):
    """Litestar URL-decodes cookies: '²' passes str.isdigit() but not int(), and
    hmac.compare_digest refuses non-ASCII text; each used to answer 500 on every page."""
    response = await _signed_in(client, keys["own"])
    key_id = response.headers["set-cookie"].split(";")[0].split("=", 1)[1].split(".")[0]
    forged = ["1.%C2%B2.x", "%C2%B2.99999999999.x", f"{key_id}.99999999999.%C3%A9", "admin.99999999999.%C3%A9"]
    for cookie in forged:
        client.cookies.set(signin.COOKIE, cookie, path="/evaluator")
        download = await client.get(f"/evaluator/{evaluation}/data/kodebog.csv")
        assert download.status_code == 401, (cookie, download.text)
        home = await client.get("/evaluator")
        assert home.status_code == 401 and "Log ind som evaluator" in home.text, cookie


async def test_downloads_are_the_callers_own_and_audited(client, keys, evaluation, pool):
    await _signed_in(client, keys["own"])
    report = await client.get(f"/evaluator/{evaluation}/rapport.pdf")
    assert report.status_code == 200 and report.content.startswith(b"%PDF")
    assert report.headers["content-disposition"] == f'attachment; filename="evalueringsrapport-{evaluation}.pdf"'
    charts = await client.get(f"/evaluator/{evaluation}/figurer/svg")
    assert charts.status_code == 200
    names = zipfile.ZipFile(io.BytesIO(charts.content)).namelist()
    assert "temascorer_paaroerende.svg" in names and all(n.endswith(".svg") for n in names)
    tidy = await client.get(f"/evaluator/{evaluation}/data/svar.csv")
    assert tidy.status_code == 200 and "item_id" in tidy.text.splitlines()[0]
    other = await client.get(f"/evaluator/{keys['other_evaluation']}/rapport.pdf")
    assert other.status_code == 404
    async with pool.acquire() as conn:
        entries = [(r["action"], r["subject"]) for r in await conn.fetch(
            "select action, subject from audit_log where actor = $1 order by id desc limit 4", keys["own_actor"])]
    subject = f"evaluation {evaluation}"
    assert entries == [("export", f"{subject} tidy (csv)"), ("microdata", f"{subject} tidy (csv)"),
                       ("read", f"{subject} charts (svg)"), ("read", f"{subject} report (pdf)")]
    client.cookies.clear()
    assert (await client.get(f"/evaluator/{evaluation}/rapport.pdf")).status_code == 401


async def test_a_form_posted_from_another_site_does_not_sign_in(client, keys):
    for headers in ({"Sec-Fetch-Site": "cross-site", "Origin": "https://elsewhere.example"},
                    {"Sec-Fetch-Site": "cross-site", "Origin": "null"}):
        response = await client.post("/evaluator/log-ind", data={"noegle": keys["own"]}, headers=headers,
                                     follow_redirects=False)
        assert response.status_code == 403 and "set-cookie" not in response.headers


async def test_tables_and_data_files_download_from_the_page(client, keys, evaluation, pool):
    """The workbook opens with a sheet per table; the SPSS file comes zipped with its
    codebook; both downloads are in the audit log."""
    from openpyxl import load_workbook

    await _signed_in(client, keys["own"])
    xlsx = await client.get(f"/evaluator/{evaluation}/tabeller.xlsx")
    assert xlsx.status_code == 200, xlsx.text
    assert len(load_workbook(io.BytesIO(xlsx.content)).sheetnames) >= 5
    sav = await client.get(f"/evaluator/{evaluation}/datafil/sav")
    assert sav.status_code == 200, sav.text
    names = zipfile.ZipFile(io.BytesIO(sav.content)).namelist()
    assert any(n.endswith(".sav") for n in names) and any(n.endswith("codebook.csv") for n in names)
    assert (await client.get(f"/evaluator/{keys['other_evaluation']}/datafil/sav")).status_code == 404
    async with pool.acquire() as conn:
        subjects = [r["subject"] for r in await conn.fetch(
            "select subject from audit_log where actor = $1 and action = 'export' order by id desc limit 2",
            keys["own_actor"])]
    subject = f"evaluation {evaluation}"
    assert subjects[1] == f"{subject} tables (xlsx)" and subjects[0].startswith(f"{subject} ")


async def test_a_download_without_a_sign_in_shows_the_sign_in_page(client, evaluation):
    response = await client.get(f"/evaluator/{evaluation}/rapport.pdf")
    assert response.status_code == 401 and response.headers["content-type"].startswith("text/html")
    assert "Log ind for at hente filen." in response.text and 'name="noegle"' in response.text


async def test_twenty_wrong_keys_a_minute_and_the_address_waits(client, keys, fresh_rate_limits):
    """The same limit as wrong API keys (service/web/limits.py: 20 a minute per address)."""
    for _ in range(20):
        assert (await client.post("/evaluator/log-ind", data={"noegle": "guess"})).status_code == 401
    blocked = await client.post("/evaluator/log-ind", data={"noegle": keys["own"]}, follow_redirects=False)
    assert blocked.status_code == 429 and "Retry-After" in blocked.headers
    assert "set-cookie" not in blocked.headers


async def test_the_charts_are_listed_by_title_and_download_one_by_one(client, keys, evaluation, pool):
    await _signed_in(client, keys["own"])
    page = await client.get(f"/evaluator/{evaluation}/figurer")
    assert page.status_code == 200
    assert "Temascorer før og efter: Som pårørende – hvad synes du?" in page.text  # the stored title
    assert "Svarfordeling: Som pårørende – hvad synes du? – indsats" in page.text  # with the arm's label
    assert f'href="/evaluator/{evaluation}/figur/svg/temascorer_paaroerende"' in page.text
    svg = await client.get(f"/evaluator/{evaluation}/figur/svg/temascorer_paaroerende")
    assert svg.status_code == 200 and svg.headers["content-type"].startswith("image/svg+xml")
    assert b"<svg" in svg.content[:500] and "Temascorer" in svg.text
    assert (await client.get(f"/evaluator/{evaluation}/figur/png/no_such_chart")).status_code == 404
    assert (await client.get(f"/evaluator/{keys['other_evaluation']}/figurer")).status_code == 404
    async with pool.acquire() as conn:
        subject = await conn.fetchval("select subject from audit_log where action = 'read' order by id desc limit 1")
    assert subject == f"evaluation {evaluation} chart temascorer_paaroerende (svg)"


async def test_a_client_that_is_no_browser_gets_the_apis_401(client, evaluation):
    """Like every route that needs a key (tests/integration/test_routes_need_credentials.py)."""
    for method, path in (("GET", "/evaluator"), ("GET", f"/evaluator/{evaluation}/rapport.pdf"),
                         ("POST", "/evaluator/log-ind"), ("POST", "/evaluator/log-ud")):
        r = await client.request(method, path, headers={"Accept": "*/*"})
        assert r.status_code == 401 and r.headers["content-type"].startswith("application/json"), (method, path)
        assert r.headers["www-authenticate"] == "Bearer"


@pytest.fixture(scope="module")
def served(pg_url):
    # faulthandler in it and what it starts: a process that hangs can be made to show where
    with Service(pg_url, env={"PYTHONFAULTHANDLER": "1"}) as service:
        yield service


def _where_it_waits(service: Service) -> str:
    """Every process the service started and each thread's kernel wait (/proc wchan), then
    the Python stacks of its fork servers, which faulthandler writes to the service's log
    as SIGABRT ends them: what a test that waited in vain reports."""
    assert service.proc is not None
    lines = []
    for p in [psutil.Process(service.proc.pid), *psutil.Process(service.proc.pid).children(recursive=True)]:
        try:
            waits = sorted({Path(f"/proc/{p.pid}/task/{t.id}/wchan").read_text() for t in p.threads()})
            lines.append(f"{p.pid} (parent {p.ppid()}) {p.status()} cpu {sum(p.cpu_times()[:2]):.1f} s"
                         f" waits {waits}: {' '.join(p.cmdline())[:100]}")
        except (psutil.NoSuchProcess, OSError):
            continue
    for pid, parent in _forking(service).items():
        if parent == service.proc.pid:  # a fork server, not a job process it forked
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGABRT)
    time.sleep(2)
    return "\n".join([*lines, service.log_tail(6000)])


def _forking(service: Service) -> dict[int, int]:
    """The service's fork server and the job processes it forked (job_process.py), each
    by its parent; not what the server runs while it imports (ldconfig, gcc)."""
    assert service.proc is not None
    forking: dict[int, int] = {}
    for p in psutil.Process(service.proc.pid).children(recursive=True):
        try:
            if "multiprocessing.forkserver" in " ".join(p.cmdline()):
                forking[p.pid] = p.ppid()
        except psutil.NoSuchProcess:  # ended while listed
            continue
    return forking


def _job_processes(service: Service) -> list[int]:
    """The fork server's children that run below the web process (job_process.py's
    initializer lowers their priority): not a child it forks on its way to exec ldconfig
    or gcc while it imports, which carries its command line until the exec. Counting
    those, the wait ended on one that was gone when counted again (ci4, ci7)."""
    found = []
    for pid, parent in _forking(service).items():
        try:
            if parent != service.proc.pid and psutil.Process(pid).nice() > 0:
                found.append(pid)
        except psutil.NoSuchProcess:
            continue
    return found


async def test_the_process_that_makes_reports_starts_when_an_evaluator_signs_in(served, keys):
    """Not with the service: one that only citizens use never holds the drawing libraries
    (about 350 MB a web process); the evaluator who signs in finds it started when they
    ask for the first report or chart page."""
    async with httpx.AsyncClient(base_url=served.url, timeout=30, headers=BROWSER) as http:
        assert (await http.get("/evaluator")).status_code == 401  # the sign-in page
        assert _forking(served) == {}  # neither the fork server (and its libraries) nor a job process
        signed_in = await http.post("/evaluator/log-ind", data={"noegle": keys["own"]}, follow_redirects=True)
        assert signed_in.status_code == 200 and "Logget ind som" in signed_in.text  # the list, as a browser lands
        # the fork server imports the libraries first, then forks it: seconds, more under the suite's load
        until = time.monotonic() + 120
        while not _job_processes(served) and time.monotonic() < until:
            await asyncio.sleep(0.2)
        assert len(_job_processes(served)) == 1, _where_it_waits(served)


async def test_the_service_goes_on_answering_while_a_report_is_made(keys, evaluation, served):
    """A report is made in a job process (service/evaluations/job_process.py), never on
    the event loop that serves the citizens' forms: while `sammen serve` makes the report
    (seconds, even for this small evaluation), /healthz keeps answering, never held for a
    quarter of the report's time (the PDF made on the loop would hold it for most of it;
    a busy 2-core machine once held one answer for 1.1 s of an 8 s report, the others
    within 0.08 s, which a fixed half second called a failure)."""
    async with httpx.AsyncClient(base_url=served.url, timeout=120) as http:
        began = time.perf_counter()
        report = asyncio.ensure_future(http.get(f"/api/evaluations/{evaluation}/report.pdf",
                                                headers={"Authorization": f"Bearer {keys['own']}"}))
        answered, slowest = 0, 0.0
        while not report.done():
            started = time.perf_counter()
            assert (await http.get("/healthz")).status_code == 200
            slowest = max(slowest, time.perf_counter() - started)
            answered += 1
            await asyncio.sleep(0.05)
        made = await report
        took = time.perf_counter() - began
    assert made.status_code == 200 and made.content.startswith(b"%PDF")
    assert answered >= 10, "the report was made before the service was asked anything"
    assert slowest < 0.25 * took, f"the service did not answer for {slowest:.1f} s of the report's {took:.1f} s"
