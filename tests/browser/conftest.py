"""Real Chromium against the real service: one server subprocess and one browser per
test session, a fresh browser context per test (a phone, or a phone with JavaScript off).

Tests here are plain sync functions using Playwright's sync API. Playwright's own event
loop runs in this thread, so database work goes through `db(...)`, which runs a coroutine
with `asyncio.run` on a worker thread and a fresh asyncpg connection (never the session
pool of the other suites, which lives on pytest-asyncio's loop). Playwright's loop is
marked running only during browser tests, so async tests of other suites can run in the
same session, before or after these.

A missing /usr/bin/chromium is an error, never a skip: CI installs it."""

from __future__ import annotations

import asyncio
import concurrent.futures
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import asyncpg
import pytest

from tests.conftest import ADMIN_KEY, ROOT, invite, make_wave

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
PHONE = {
    "viewport": {"width": 360, "height": 740},
    "screen": {"width": 360, "height": 740},
    "is_mobile": True,
    "has_touch": True,
    "device_scale_factor": 2,
    "locale": "da-DK",
}
T = TypeVar("T")


# --- the database, from sync tests ---------------------------------------------------------

def db(pg_url: str, work: Callable[[asyncpg.Connection], Awaitable[T]]) -> T:
    """Run `work(conn)` on a fresh connection in a thread of its own, where asyncio.run
    does not collide with the event loop Playwright's sync API keeps in this thread."""

    async def main() -> T:
        conn = await asyncpg.connect(pg_url)
        try:
            return await work(conn)
        finally:
            await conn.close()

    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, main()).result(timeout=30)


def new_link(pg_url: str, questionnaire_id: str = "borger") -> str:
    """A personal invitation token in a fresh organisation with a wave open today."""

    async def work(conn: asyncpg.Connection) -> str:
        return await invite(conn, await make_wave(conn, questionnaire_id))

    return db(pg_url, work)


def stored(pg_url: str, token: str) -> tuple[dict[str, Any] | None, dict[tuple[str, str], dict[str, Any]]]:
    """The response submitted through this token (or None) and its answers by (item, part)."""
    from service.surveys.store import hash_token

    async def work(conn: asyncpg.Connection) -> tuple[dict[str, Any] | None, dict[tuple[str, str], dict[str, Any]]]:
        response = await conn.fetchrow(
            "select r.* from response r join invitation i on i.id = r.invitation_id where i.token_hash = $1",
            hash_token(token),
        )
        if response is None:
            return None, {}
        rows = await conn.fetch("select * from answer where response_id = $1", response["id"])
        return dict(response), {(a["item_id"], a["part"]): dict(a) for a in rows}

    return db(pg_url, work)


# --- the service ---------------------------------------------------------------------------

def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def server(pg_url: str) -> Iterator[str]:
    """`sammen serve` as a subprocess on a free port; yields its base URL."""
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("SAMMEN_")}
    env |= {
        "DATABASE_URL": pg_url,
        "SAMMEN_HOST": "127.0.0.1",
        "SAMMEN_PORT": str(port),
        "SAMMEN_ADMIN_API_KEY": ADMIN_KEY,
        "SAMMEN_QUESTIONNAIRE_DIR": str(ROOT / "questionnaires"),
        "PYTHONUNBUFFERED": "1",
    }
    log = tempfile.NamedTemporaryFile(prefix="sammen-browser-server-", suffix=".log", delete=False)
    proc = subprocess.Popen(
        [sys.executable, "-m", "service.cli", "serve"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    try:
        while True:
            if proc.poll() is not None:
                pytest.fail(f"sammen serve exited with {proc.returncode}:\n{Path(log.name).read_text()}")
            try:
                with urllib.request.urlopen(f"{base}/healthz", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"sammen serve did not answer /healthz within 60 s:\n{Path(log.name).read_text()}")
            time.sleep(0.1)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()
        os.unlink(log.name)


# --- the browser ---------------------------------------------------------------------------

# Playwright's sync API marks its own event loop as the running loop of this thread
# between calls. pytest-asyncio refuses to run a loop while another one "runs", so the
# tests of other suites in the same session would break: the loop is marked running only
# while a browser test or a browser fixture works, and unmarked after each.
_playwright_loop: list[asyncio.AbstractEventLoop] = []


def _wake() -> None:
    if _playwright_loop:
        asyncio._set_running_loop(_playwright_loop[0])


def _park() -> None:
    asyncio._set_running_loop(None)


@pytest.fixture(scope="session")
def playwright() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    p = sync_playwright().start()
    loop = asyncio._get_running_loop()
    assert loop is not None, "Playwright did not mark its event loop running"
    _playwright_loop.append(loop)
    _park()
    try:
        yield p
    finally:
        _wake()
        p.stop()
        _park()
        _playwright_loop.clear()


@pytest.fixture(scope="session")
def browser(playwright: Any) -> Iterator[Any]:
    if not CHROMIUM.exists():
        pytest.fail(
            f"{CHROMIUM} is missing: the browser tests need Debian's Chromium (apt-get install chromium)."
            " They fail rather than skip so a CI without it cannot pass silently.",
            pytrace=False,
        )
    _wake()
    try:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
    finally:
        _park()
    yield browser
    _wake()
    try:
        browser.close()
    finally:
        _park()


@pytest.fixture(autouse=True)
def _playwright_awake(playwright: Any) -> Iterator[None]:
    """Mark Playwright's loop running for this test only (see _wake)."""
    _wake()
    yield
    _park()


@pytest.fixture
def new_phone(browser: Any, server: str) -> Iterator[Callable[..., Any]]:
    """Opens a fresh phone-sized browser context (no shared cookies or storage) and
    returns its page; everything opened is closed after the test."""
    contexts: list[Any] = []

    def open_page(**options: Any) -> Any:
        context = browser.new_context(base_url=server, **(PHONE | options))
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()


@pytest.fixture
def phone(new_phone: Callable[..., Any]) -> Any:
    """A 360×740 touch phone with JavaScript on."""
    return new_phone()


@pytest.fixture
def phone_without_js(new_phone: Callable[..., Any]) -> Any:
    """The same phone with JavaScript switched off."""
    return new_phone(java_script_enabled=False)
