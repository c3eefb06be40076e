"""Schemathesis over /schema/openapi.json against `sammen serve` (a real server process
on the test database), with every one of its checks, each operation with the key it is
for (the admin routes with the admin key, the others with an evaluator key): requests
the document allows are never refused as malformed (400) and requests it forbids are
refused; no answer is a 5xx; every answer has a status code, content type, headers and
body the document declares; an OPTIONS answer lists exactly the documented methods, and
a method the document does not list gets 405.

The cases come from schemathesis's engine (the examples, coverage and fuzzing phases),
which is what `schemathesis run` drives: only its coverage phase sends OPTIONS and
undocumented methods, which `case.call_and_validate` on a strategy never does.

Refusals the API makes on purpose and that a schema cannot state are declared to
schemathesis, not hidden: 422 is the answer to a well-formed request that the stored data
refuses (answers against the link's questionnaire, a flow file's lines, a theme the
questionnaire has not, a parameter the evaluation's plan fixes)."""

from __future__ import annotations

import asyncio

import pytest
import schemathesis
from schemathesis.config import SchemathesisConfig
from schemathesis.engine import Status, events

from tests.support import ADMIN_KEY
from tests.support.database import connect, empty
from tests.support.evaluation import evaluator_key, set_up_evaluation
from tests.support.service import Service

# A well-formed request may be refused by the stored data with 422 (see above).
ACCEPTED = {"positive_data_acceptance": {"expected-statuses": ["2xx", "3xx", "401", "403", "404", "409", "422", "429"]}}
SEED = 20261205
MAX_EXAMPLES = 6  # per operation and phase, with one seed: a fixed set of cases; 12 cost the suite 25 s more


@pytest.fixture(scope="module")
async def emptied(pool):
    """The test database with nothing but the questionnaires, whatever modules ran before
    on this worker: with the demo evaluation (8000 answers) left by one of them, the
    admin's run made its reports, charts and exports for every id it tried, and took
    400 s instead of half a minute."""
    async with pool.acquire() as conn:
        await empty(conn)


@pytest.fixture(scope="module")
def service(pg_url, emptied):  # the test database is migrated, loaded and emptied before the server starts
    with Service(pg_url) as service:
        yield service


async def fresh_evaluator_key(url: str) -> str:
    """A new evaluator key of an organisation with an evaluation of two units (the admin
    run revokes keys and erases at random, so each run gets its own)."""
    conn = await connect(url)
    try:
        ev = await set_up_evaluation(conn, units=("Nord", "Syd"), organisation="Fuzz")
        return await evaluator_key(conn, ev.organisation)
    finally:
        await conn.close()


def failures_of(url: str, key: str, *, only: str | None = None, leave_out: str | None = None) -> list[str]:
    """Every failed check and every error of one engine run with `key`, one line each;
    `only`, `leave_out`: the paths (regular expressions) it tries, and does not."""
    config = SchemathesisConfig.from_dict({
        # One seed, the same cases every run: a failure repeats where it was found, and no
        # run meets by chance a 'negative' case whose query string is a valid one (a boolean
        # `item=true` is the item id 'true': CI once failed on it).
        "seed": SEED,
        "headers": {"Authorization": f"Bearer {key}"},
        "workers": 1,
        "request-timeout": 30,
        "generation": {"max-examples": MAX_EXAMPLES, "database": "none"},
        "phases": {"stateful": {"enabled": False},
                   **{phase: {"checks": ACCEPTED} for phase in ("examples", "coverage", "fuzzing")}},
        "checks": ACCEPTED,
        # The coverage phase's boundary body of this operation is 10 000 distinct keys that
        # match a pattern and not a CPR number's: thousands of filtered draws, 10 s of the
        # admin's run. That boundary and its CPR refusals are tests/integration/test_admin.py's.
        "operations": [{"include-path-regex": "/invitations$", "include-method": "POST",
                        "phases": {"coverage": {"enabled": False}}}],
    })
    schema = schemathesis.openapi.from_url(f"{url}/schema/openapi.json", config=config)
    if only is not None:
        schema = schema.include(path_regex=only)
    if leave_out is not None:
        schema = schema.exclude(path_regex=leave_out)
    found: list[str] = []
    for event in schemathesis.engine.from_schema(schema).execute():
        if isinstance(event, events.ScenarioFinished):
            for checks in event.recorder.checks.values():
                found += [f"{event.recorder.label}: {c.name}: {_told(c.failure_info)}"
                          for c in checks if c.status == Status.FAILURE]
        elif isinstance(event, (events.NonFatalError, events.FatalError)):
            found.append(f"error: {event}")
    return sorted(set(found))


def _told(info: object) -> str:
    """A failure's title and the first line of its message (which rule, and what came
    back), and the request that made it (schemathesis' code sample), to repeat it by hand."""
    failure = getattr(info, "failure", None)
    message = str(getattr(failure, "message", "")).strip().splitlines()
    sample = " ".join(str(getattr(info, "code_sample", "")).split())
    return f"{getattr(failure, 'title', '')} ({message[0] if message else ''}) [{sample}]"


@pytest.mark.parametrize("who", ["evaluator", "admin"])  # the admin's run revokes keys: last
def test_the_api_answers_as_its_openapi_document_says_with_every_check(service, pg_url, who):
    """Each route with the key it is for: the admin routes with the admin key, the rest
    (an evaluation's results, reports and exports, the citizens' API) with an evaluator
    key. An admin route refuses an evaluator key before it reads anything, and the admin
    key opens the evaluation routes with the same handlers and answers
    (tests/integration/test_access_keys.py): running every route with both keys took
    twice the time (a third of it generating bodies of 10 000 unique respondent keys for
    an evaluator who is refused them) and checked nothing more."""
    if who == "admin":
        assert failures_of(service.url, ADMIN_KEY, only="^/api/admin/") == []
    else:
        assert failures_of(service.url, asyncio.run(fresh_evaluator_key(pg_url)), leave_out="^/api/admin/") == []


def test_every_json_body_of_the_document_forbids_unknown_fields_and_carries_its_bounds(client_schema):
    """The document's bodies come from the types that decode them: a body whose type
    forbids unknown fields says so, and a bound of 0 (`ge=0`) is not lost."""
    evaluation = client_schema["components"]["schemas"]["NewEvaluation"]
    assert evaluation["additionalProperties"] is False
    assert {"type": "integer", "minimum": 0, "maximum": 36500} in evaluation["properties"]["free_text_retention_days"][
        "anyOf"]


@pytest.fixture
async def client_schema(client):
    return (await client.get("/schema/openapi.json")).json()


async def test_options_lists_every_method_of_a_path(client, admin_headers):
    """Litestar 2 answered OPTIONS with the methods of the first handler registered on a
    path (`Allow: OPTIONS, POST` for GET and POST /api/admin/keys)."""
    r = await client.options("/api/admin/keys", headers=admin_headers)
    assert r.status_code == 204 and r.headers["allow"] == "GET, OPTIONS, POST"


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


async def test_an_evaluation_of_as_many_units_as_the_document_allows_is_not_too_large(client, conn, admin_headers):
    """1000 units (the schema's maxItems) of about 80 bytes each were refused with 413
    (the 64 KiB every body had), a schema-valid request refused."""
    org = (await client.post("/api/admin/organisations", headers=admin_headers, json={"name": "Stor"})).json()["id"]
    units = [{"unit_id": 2_000_000_000 - n, "arm": "comparison", "implementation_date": "2026-01-01"}
             for n in range(1000)]
    r = await client.post(f"/api/admin/organisations/{org}/evaluations", headers=admin_headers,
                          json={"name": "Alle enheder", "implementation_date": "2026-01-01", "units": units})
    assert len(r.request.content) > 64 * 1024 and r.status_code == 404, r.text  # no such units: read, not refused
