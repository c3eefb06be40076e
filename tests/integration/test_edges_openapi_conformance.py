"""Schemathesis over /schema/openapi.json against `sammen serve` (a real server process
on the test database): for every operation of the API, generated requests (with the
admin key where the operation needs it) never get a 5xx, and every answer has a status
code the document declares, the declared content type, and a body that fits the
declared schema. A bounded number of examples per operation keeps it well under a minute."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import checks

from tests.support import ADMIN_KEY
from tests.support.service import Service

CHECKS = [checks.not_a_server_error, checks.status_code_conformance, checks.content_type_conformance,
          checks.response_schema_conformance]


@pytest.fixture(scope="module")
def service(pg_url, pool):  # pool: the test database is migrated and loaded before the server starts
    with Service(pg_url) as service:
        yield service


def test_the_api_answers_as_its_openapi_document_says(service):
    """Each operation in turn (schemathesis's pytest plugin does not run on this pytest):
    its generated cases, called and checked."""
    schema = schemathesis.openapi.from_url(f"{service.url}/schema/openapi.json")
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 10
    for operation in operations:
        check_operation(operation, service.url)


def check_operation(operation: schemathesis.APIOperation, base_url: str) -> None:
    """Generated cases of one operation, called and checked (a function of its own, so each
    operation's cases keep their own headers)."""
    headers = {"Authorization": f"Bearer {ADMIN_KEY}"} if operation.path.startswith("/api/admin") else {}

    @given(case=operation.as_strategy())
    @settings(max_examples=20, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    def called_and_checked(case: schemathesis.Case) -> None:
        case.call_and_validate(base_url=base_url, headers=headers, checks=CHECKS, timeout=10)

    called_and_checked()


async def test_every_api_operation_declares_its_errors_with_a_typed_body(client):
    spec = (await client.get("/schema/openapi.json")).json()
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            codes = set(operation["responses"])
            needed = {"400", "413", "500", "503"} | ({"401"} if path.startswith("/api/admin") else set())
            assert needed <= codes, (method, path, sorted(codes))
            for code in codes - {"200", "201"}:
                content = operation["responses"][code]["content"]["application/json"]["schema"]
                assert content == {"$ref": "#/components/schemas/ErrorBody"}, (method, path, code, content)
    body = spec["components"]["schemas"]["ErrorBody"]
    assert {"status_code", "detail", "errors", "request_id"} <= set(body["properties"])
