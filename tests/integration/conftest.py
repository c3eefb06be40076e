from __future__ import annotations

import pytest
from litestar.testing import AsyncTestClient

from service.admin import retention
from service.app import create_app
from tests.conftest import ADMIN_KEY


@pytest.fixture(scope="session")
async def client(pool, settings):
    """The real application, talking to the test database through its own pool. Without
    its daily retention run: a minute after start it wrote its audit entry into whichever
    test ran then (once into test_demo_template's row-for-row comparison);
    tests/integration/test_gdpr_retention.py runs that loop itself."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(retention, "FIRST_RUN_AFTER", 7 * 24 * 3600.0)  # not within a run
        async with AsyncTestClient(create_app(settings)) as client:
            yield client


@pytest.fixture(autouse=True)
def signed_out(request: pytest.FixtureRequest):
    """The session's client leaves each test without the sign-in cookie a test gave it
    (tests/support/evaluation.py sign_in_on_the_page): a later test of another file on
    the same worker meets the pages signed out, as a new browser would."""
    yield
    if "client" in request.fixturenames:
        request.getfixturevalue("client").cookies.clear()


@pytest.fixture
def admin_headers() -> dict[str, str]:
    return {"Authorization": f"Bearer {ADMIN_KEY}"}


