"""The evaluator's page in real Chromium on a tablet and a laptop, with a small
evaluation (tests/conftest.py `small`: its report is made in seconds): a wrong key is
refused with the field named, the right key lists the organisation's evaluation, the
report downloads as a PDF that opens and as an HTML file, signing out closes the page;
axe finds nothing serious or critical on any of its pages nor in the HTML report (the
same bar as the citizens' form; the demo's report, with every section filled, is
tests/exports/test_report.py)."""

from __future__ import annotations

import socket
from io import BytesIO
from pathlib import Path

import httpx
import pytest
from pypdf import PdfReader

from tests.conftest import invite, make_wave
from tests.support.browser import LAPTOP, PHONE, TABLET, check
from tests.support.evaluation import evaluator_key as new_evaluator_key
from tests.support.respond import respond
from tests.support.service import Service

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
async def evaluator_key(small, pool) -> str:
    async with pool.acquire() as conn:
        return await new_evaluator_key(conn, evaluation=small.evaluation, name="Evaluator Lille")


async def _sign_in(page, key: str) -> None:
    await page.get_by_label("API-nøgle").fill(key)
    await page.get_by_role("button", name="Log ind").click()


async def _fits_the_width(page) -> bool:
    return await page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


async def test_an_evaluator_signs_in_on_a_tablet_and_downloads_the_report(new_phone, evaluator_key, small, tmp_path):
    page = await new_phone(**TABLET)
    found: list[str] = []
    minor: list[str] = []
    await page.goto("/evaluator")
    assert await page.locator("h1").inner_text() == "Log ind som evaluator"
    await check(page, "sign-in", found, minor)

    await _sign_in(page, "a-wrong-key-0123456789")
    summary = page.locator(".summary")
    assert await summary.count() == 1
    assert "Nøglen er forkert" in await summary.inner_text()
    assert await page.get_by_label("API-nøgle").get_attribute("aria-invalid") == "true"
    await check(page, "sign-in with a wrong key", found, minor)
    await summary.get_by_role("link").click()
    assert await page.evaluate("document.activeElement.id") == "noegle"

    await _sign_in(page, evaluator_key)
    assert await page.locator("h1").inner_text() == "Evalueringer"
    assert await page.get_by_role("heading", name=small.name).count() == 1
    assert await _fits_the_width(page)
    await check(page, "the list of evaluations", found, minor)
    [cookie] = await page.context.cookies()
    assert cookie["httpOnly"] and cookie["sameSite"] == "Strict" and evaluator_key not in cookie["value"]

    async with page.expect_download(timeout=120_000) as info:
        await page.get_by_role("link", name="Evalueringsrapport til udskrift (PDF)").click()
    download = await info.value
    assert download.suggested_filename == f"evalueringsrapport-{small.evaluation}.pdf"
    saved = tmp_path / download.suggested_filename
    await download.save_as(saved)
    reader = PdfReader(BytesIO(Path(saved).read_bytes()))
    assert len(reader.pages) >= 8
    assert "Evalueringens design" in "".join(p.extract_text() for p in reader.pages[:4])

    async with page.expect_download(timeout=120_000) as info:
        await page.get_by_role("link", name="Evalueringsrapport til skærm (HTML, én fil)").click()
    html = tmp_path / "rapport.html"
    await (await info.value).save_as(html)
    report = await page.context.new_page()
    await report.goto(html.as_uri())  # the file as the evaluator opens it: nothing fetched, so it shows offline
    assert await report.locator("h1").inner_text() == small.name
    await check(report, "the HTML report", found, minor)
    await report.close()

    await page.get_by_role("button", name="Log ud").click()
    assert await page.locator("h1").inner_text() == "Log ind som evaluator"
    assert (await page.goto(f"/evaluator/{small.evaluation}/rapport.pdf")).status == 401

    print(f"\naxe on the evaluator's page: {len(found)} serious/critical, {len(minor)} minor")
    for line in minor:
        print(line)
    assert not found, "axe found serious or critical violations:\n" + "\n".join(found)


async def test_the_list_reads_on_a_laptop_and_in_english(new_phone, evaluator_key):
    page = await new_phone(**LAPTOP, locale="en-GB")
    await page.goto("/evaluator?lang=en")
    assert await page.locator("h1").inner_text() == "Sign in as an evaluator"
    await page.get_by_label("API key").fill(evaluator_key)
    await page.get_by_role("button", name="Sign in").click()
    assert await page.locator("h1").inner_text() == "Evaluations"
    assert await page.get_by_role("link", name="Evaluation report for print (PDF, Danish)").count() == 1
    assert await _fits_the_width(page)
    found: list[str] = []
    await check(page, "the list in English on a laptop", found, [])
    # the chart page computes the evaluation's results first (a job process): seconds, not a page's usual
    await page.get_by_role("link", name="See the charts and download them one by one").first.click(timeout=60_000)
    assert (await page.locator("h1").inner_text()).startswith("Charts:")
    title = "Temascorer før og efter: Som pårørende – hvad synes du?"  # the questionnaire's stored title
    assert await page.get_by_role("link", name=f"SVG – {title}").count() == 1
    assert await _fits_the_width(page)
    await check(page, "the list of charts on a laptop", found, [])
    assert not found, "\n".join(found)


def _lan_address() -> str | None:
    """This machine's address on its network (not loopback), as a colleague's browser
    reaches it; None when it has none."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("192.0.2.1", 9))  # no packet is sent: only the route is looked up
        except OSError:
            return None
        address = probe.getsockname()[0]
    return None if address.startswith("127.") else address


async def test_an_evaluator_signs_in_over_plain_http_on_the_local_network(browser, pg_url, evaluator_key):
    """A municipality's test server reached as http://<LAN address>:port. Browsers send no
    Sec-Fetch-Site to a plain-http address other than localhost, so the sign-in's CSRF
    check rests on the Origin, which a page under Referrer-Policy no-referrer sends as
    'null': the sign-in was refused (403) although SAMMEN_BASE_URL named that address."""
    address = _lan_address()
    if address is None:
        pytest.skip("this machine has no network address other than loopback")
    service = Service(pg_url)
    service.extra_env = {"SAMMEN_HOST": "0.0.0.0", "SAMMEN_BASE_URL": f"http://{address}:{service.port}"}
    service.start()
    try:
        context = await browser.new_context(base_url=f"http://{address}:{service.port}", **PHONE)
        page = await context.new_page()
        await page.goto("/evaluator")
        async with page.expect_request(lambda r: r.method == "POST") as posted:
            await _sign_in(page, evaluator_key)
        sent = await (await posted.value).all_headers()
        assert "sec-fetch-site" not in sent  # what makes the Origin the only witness
        assert sent["origin"] == f"http://{address}:{service.port}"
        assert await page.locator("h1").inner_text() == "Evalueringer"
        await context.close()
    finally:
        service.stop()


async def test_an_evaluator_codes_the_citizens_own_words_on_a_laptop(new_phone, pool, server):
    """A key with the microdata permission opens 'Kod fritekst', types a short name that
    is not one (the page comes back with the error in its summary, which leads to the
    field), adds a code, ticks it on one answer and saves: the box stays ticked, the
    coding is stored under the key, and axe finds nothing serious or critical on the page
    in either state."""
    async with pool.acquire() as conn:
        wave = await make_wave(conn, "kvalitet_borger")
        tokens = [await invite(conn, wave) for _ in range(2)]
        key = await new_evaluator_key(conn, evaluation=wave["evaluation"], microdata=True, name="Koder")
    async with httpx.AsyncClient(base_url=server) as client:
        for n, token in enumerate(tokens):
            await respond(client, token, "kvalitet_borger", text=f"Svar {n}: at de lytter til mig.")
    page = await new_phone(**LAPTOP)
    await page.goto("/evaluator")
    await _sign_in(page, key)
    await page.get_by_role("link", name="Kod borgernes egne ord i temaer").click()
    assert (await page.locator("h1").inner_text()).startswith("Kod fritekst: ")
    await page.get_by_label("Kort navn (a-z, 0-9 og _)").fill("Lyttet til")
    await page.get_by_role("button", name="Tilføj kode").click()  # a short name that is not one
    summary = page.get_by_role("alert")
    assert "små bogstaver a-z" in await summary.inner_text()
    await summary.get_by_role("link").click()  # the summary leads to the field
    assert await page.evaluate("document.activeElement.id") == "ny-noegle"
    refused: list[str] = []
    await check(page, "coding free text, a code refused", refused, [])
    assert not refused, "\n".join(refused)
    await page.get_by_label("Kort navn (a-z, 0-9 og _)").fill("lyttet_til")
    await page.get_by_label("Hvad koden betyder").fill("At blive lyttet til")
    await page.get_by_role("button", name="Tilføj kode").click()
    await page.wait_for_url("**/kodning#koder")
    first = page.locator("form.coding").first
    assert await first.locator("blockquote").inner_text() == "Svar 0: at de lytter til mig."
    await first.get_by_label("At blive lyttet til").check()
    await first.get_by_role("button", name="Gem").click()
    await page.wait_for_url("**/kodning#svar-*")
    assert await page.locator("form.coding").first.get_by_label("At blive lyttet til").is_checked()
    found: list[str] = []
    await check(page, "coding free text", found, [])
    assert not found, "\n".join(found)
    async with pool.acquire() as conn:
        stored = await conn.fetch("select g.coder, c.key from coding g join code c on c.id = g.code_id")
    assert [tuple(r) for r in stored] == [(stored[0]["coder"], "lyttet_til")] and stored[0]["coder"].startswith("key:")
