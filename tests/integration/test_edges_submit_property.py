"""Property: whatever JSON (or bytes) a client posts to POST /api/responses/{token}, the
answer is never a server error, and the database never holds part of a response: a
response is stored only with a 201, and then with every answer row its answers make.

The bodies range from arbitrary JSON to near-valid submissions (a valid response with
answers dropped, replaced by arbitrary values, or joined by unknown items; versions,
times and ids of any size), so that both the refusals and the stores are exercised."""

from __future__ import annotations

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from service.surveys import loader
from service.surveys.answers import check
from service.surveys.model import Questionnaire
from service.tokens import hash_token
from tests.conftest import invite, make_wave
from tests.support import QUESTIONNAIRE_DIR
from tests.support.answers import valid_answers

scalars = (st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20)
           | st.sampled_from(["ved_ikke", "", "\x00", "0001-01-01T00:00:00+14:00", 2**31, -(2**63), 10**40]))
json_values = st.recursive(
    scalars, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
    max_leaves=15,
)


def submissions(q: Questionnaire) -> st.SearchStrategy[dict]:
    valid = valid_answers(q)
    item_ids = sorted(valid)

    @st.composite
    def answers(draw: st.DrawFn) -> dict:
        chosen = dict(valid)
        for item_id in draw(st.lists(st.sampled_from(item_ids), max_size=3)):
            chosen.pop(item_id, None)
        for item_id in draw(st.lists(st.sampled_from(item_ids) | st.text(max_size=12), max_size=3)):
            chosen[item_id] = draw(json_values)
        return chosen

    maybe = {
        "questionnaire": st.fixed_dictionaries({"id": st.sampled_from([q.id, "x"]) | st.text(max_size=8),
                                                "version": st.sampled_from([q.version]) | st.integers()}),
        "started_at": st.datetimes(timezones=st.timezones()).map(lambda t: t.isoformat()) | json_values,
        "assisted": st.booleans() | json_values,
        "language": st.sampled_from(["da", "en"]) | json_values,
    }
    return st.fixed_dictionaries(
        {"submission_id": st.uuids().map(str) | json_values, "answers": answers() | json_values},
        optional=maybe,
    )


def bodies(qs: list[Questionnaire]) -> st.SearchStrategy[tuple[int, bytes]]:
    as_json = st.one_of(*[submissions(q) for q in qs]).map(json.dumps) | json_values.map(json.dumps)
    return st.tuples(st.integers(0, len(qs) - 1), as_json.map(str.encode) | st.binary(max_size=200))


async def _state(conn) -> tuple[int, int]:
    return await conn.fetchval("select count(*) from response"), await conn.fetchval("select count(*) from answer")


# the longest questionnaire and the one with the matrix, as the service loads them
CHOSEN = [loader.load_file(QUESTIONNAIRE_DIR / f"{name}.toml") for name in ("borger", "medarbejder")]
_waves: dict[int, list[dict[str, int]]] = {}  # per test run (the conn fixture empties the database)
_seen: dict[int, int] = {}


@settings(max_examples=250, deadline=None, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(example=bodies(CHOSEN))
async def test_any_body_posted_to_submit_gives_no_server_error_and_no_partial_response(client, conn, example):
    if id(conn) not in _waves:
        _waves[id(conn)] = [await make_wave(conn, q.id) for q in CHOSEN]
    n, body = example
    token = await invite(conn, _waves[id(conn)][n])
    before = await _state(conn)
    r = await client.post(f"/api/responses/{token}", content=body, headers={"content-type": "application/json"})
    assert r.status_code < 500, (body, r.text)
    _seen[r.status_code] = _seen.get(r.status_code, 0) + 1
    responses, answers = await _state(conn)
    stored = await conn.fetchrow(
        "select r.id, (select count(*) from answer a where a.response_id = r.id) as rows from response r"
        " join invitation i on i.id = r.invitation_id where i.token_hash = $1", hash_token(token))
    if r.status_code == 201:
        sent = json.loads(body)["answers"]
        assert stored is not None and stored["rows"] == len(check(CHOSEN[n], sent).rows) > 0
        assert (responses, answers) == (before[0] + 1, before[1] + stored["rows"])
    else:
        assert stored is None and (responses, answers) == before, (r.status_code, r.text)


def test_the_bodies_reached_every_outcome():
    """Stored, malformed and refused answers all came up above (pytest runs in file order)."""
    assert _seen.get(201) and _seen.get(400) and _seen.get(422), _seen
