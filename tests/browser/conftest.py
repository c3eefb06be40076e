"""Real Chromium against the real service: one server subprocess and one browser per
test session, a fresh browser context per test (a phone, or a phone with JavaScript off).

Tests here are async, on Playwright's async API and pytest-asyncio's session loop, the
loop every other suite uses; database work goes through the session pool.

A missing /usr/bin/chromium is an error, never a skip: CI installs it."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

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


# --- the database ------------------------------------------------------------------------

async def new_link(pool: asyncpg.Pool, questionnaire_id: str = "borger") -> str:
    """A personal invitation token in a fresh organisation with a wave open today."""
    async with pool.acquire() as conn:
        return await invite(conn, await make_wave(conn, questionnaire_id))


async def stored(pool: asyncpg.Pool, token: str) -> tuple[dict[str, Any] | None, dict[tuple[str, str], dict[str, Any]]]:
    """The response submitted through this token (or None) and its answers by (item, part)."""
    from service.surveys.store import hash_token

    async with pool.acquire() as conn:
        response = await conn.fetchrow(
            "select r.* from response r join invitation i on i.id = r.invitation_id where i.token_hash = $1",
            hash_token(token),
        )
        if response is None:
            return None, {}
        rows = await conn.fetch("select * from answer where response_id = $1", response["id"])
        return dict(response), {(a["item_id"], a["part"]): dict(a) for a in rows}


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

@pytest.fixture(scope="session")
async def browser() -> AsyncIterator[Any]:
    from playwright.async_api import async_playwright

    if not CHROMIUM.exists():
        pytest.fail(
            f"{CHROMIUM} is missing: the browser tests need Debian's Chromium (apt-get install chromium)."
            " They fail rather than skip so a CI without it cannot pass silently.",
            pytrace=False,
        )
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        yield browser
        await browser.close()


@pytest.fixture
async def new_phone(browser: Any, server: str) -> AsyncIterator[Callable[..., Awaitable[Any]]]:
    """Opens a fresh phone-sized browser context (no shared cookies or storage) and
    returns its page; everything opened is closed after the test."""
    contexts: list[Any] = []

    async def open_page(**options: Any) -> Any:
        context = await browser.new_context(base_url=server, **(PHONE | options))
        context.set_default_timeout(10_000)
        contexts.append(context)
        return await context.new_page()

    yield open_page
    for context in contexts:
        await context.close()


@pytest.fixture
async def phone(new_phone: Callable[..., Awaitable[Any]]) -> Any:
    """A 360×740 touch phone with JavaScript on."""
    return await new_phone()


@pytest.fixture
async def phone_without_js(new_phone: Callable[..., Awaitable[Any]]) -> Any:
    """The same phone with JavaScript switched off."""
    return await new_phone(java_script_enabled=False)
