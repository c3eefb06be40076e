from __future__ import annotations

import pytest
from litestar.testing import AsyncTestClient

from service.app import create_app
from tests.conftest import ADMIN_KEY


@pytest.fixture(scope="session")
async def client(pool, settings):
    """The real application, talking to the test database through its own pool."""
    async with AsyncTestClient(create_app(settings)) as client:
        yield client


@pytest.fixture
def admin_headers() -> dict[str, str]:
    return {"Authorization": f"Bearer {ADMIN_KEY}"}
