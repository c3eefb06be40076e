"""Real Chromium against the real service: one server subprocess and one browser per
test session, a fresh browser context per test (a phone, or a phone with JavaScript off).

Tests here are async, on Playwright's async API and pytest-asyncio's session loop, the
loop every other suite uses; database work goes through the session pool.

A missing /usr/bin/chromium is an error, never a skip: CI installs it."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from typing import Any

import asyncpg
import pytest

from tests.conftest import invite, make_wave
from tests.support.browser import PHONE
from tests.support.readback import stored
from tests.support.service import Service, ServiceFailed

__all__ = ["new_link", "stored"]

async def new_link(pool: asyncpg.Pool, questionnaire_id: str = "borger") -> str:
    """A personal invitation token in a fresh organisation with a wave open today."""
    async with pool.acquire() as conn:
        return await invite(conn, await make_wave(conn, questionnaire_id))


@pytest.fixture(scope="session")
def server(pg_url: str) -> Iterator[str]:
    """`sammen serve` as a subprocess on a free port; yields its base URL."""
    try:
        service = Service(pg_url).start()
    except ServiceFailed as failed:
        pytest.fail(str(failed), pytrace=False)
    try:
        yield service.url
    finally:
        service.stop()


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
