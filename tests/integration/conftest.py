from __future__ import annotations

import pytest
from litestar.testing import AsyncTestClient

from service.app import create_app
from service.web.limits import rate_limits
from tests.conftest import ADMIN_KEY


@pytest.fixture(scope="session")
async def client(pool, settings):
    """The real application, talking to the test database through its own pool."""
    async with AsyncTestClient(create_app(settings)) as client:
        yield client


@pytest.fixture
def admin_headers() -> dict[str, str]:
    return {"Authorization": f"Bearer {ADMIN_KEY}"}


@pytest.fixture
def fresh_rate_limits(client):
    """For tests that send wrong keys or sign in often: the app's per-address limits start
    and end empty, so they count against no later test's address."""
    client.app.state.update(rate_limits())
    yield
    client.app.state.update(rate_limits())
