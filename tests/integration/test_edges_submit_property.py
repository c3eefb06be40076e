"""Property: whatever JSON (or bytes) a client posts to POST /api/responses/{token}, the
answer is never a server error, and the database never holds part of a response: a
response is stored only with a 201, and then with every answer row its answers make.

The bodies range from arbitrary JSON to near-valid submissions (a valid response with
answers dropped, replaced by arbitrary values, or joined by unknown items; versions,
times and ids of any size), so that both the refusals and the stores are exercised."""

from __future__ import annotations

import datetime as dt
import json

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from service.surveys import loader
from service.surveys.answers import check
from service.surveys.model import Questionnaire
from service.tokens import hash_token
from tests.conftest import invite, make_wave
from tests.support import QUESTIONNAIRE_DIR
from tests.support.answers import valid_answers

HOSTILE = ["\x00", "a\x1bb", "", "ved_ikke", "0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-14:00",
           0, -1, 2**31, 2**63, 10**30, 1e308, True, None]
scalars = st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20) | st.sampled_from(HOSTILE)
json_values = st.recursive(
    scalars, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
    max_leaves=15,
)
STARTED = st.datetimes(dt.datetime(2020, 1, 1), dt.datetime(2030, 1, 1),
                       timezones=st.sampled_from([dt.UTC, dt.timezone(dt.timedelta(hours=1)),
                                                  dt.timezone(dt.timedelta(hours=-5, minutes=-30))]))
anything = st.one_of(st.sampled_from(HOSTILE), json_values)
# where a near-valid body may be spoilt, and with what besides any JSON: values that
# reach the database unless the edge stops them
SPOILS: dict[tuple[str, ...], list[object]] = {
    ("submission_id",): ["\x00", "", 1, None],
    ("answers",): [[], "x", None],
    ("questionnaire",): [[], "borger"],
    ("questionnaire", "id"): ["bor\x00ger", "", "x" * 300],
    ("questionnaire", "version"): [0, -1, 2**31, 2**63, 10**30],
    ("started_at",): ["0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-14:00", "1900-01-01T00:00:00+14:00", "i går"],
    ("assisted",): ["ja", 2],
    ("language",): ["de", "\x00"],
    ("unknown",): [1],
}


def submissions(q: Questionnaire) -> st.SearchStrategy[dict]:
    """A valid submission, or one with up to three answers spoilt (dropped, replaced by
    anything, or an unknown item added), one of its fields spoilt, or both: so that many
    are stored whole and the rest are refused at every layer, the edge, the body's type,
    the answers and the database."""
    valid = valid_answers(q)
    item_ids = sorted(valid)

    @st.composite
    def near_valid(draw: st.DrawFn) -> dict:
        plan = draw(st.sampled_from(["valid", "answers", "field", "field", "both"]))
        answers = dict(valid)
        for _ in range(draw(st.integers(1, 3)) if plan in ("answers", "both") else 0):
            item_id = draw(st.sampled_from(item_ids) | st.text(max_size=12))
            if draw(st.booleans()):
                answers.pop(item_id, None)
            else:
                answers[item_id] = draw(anything)
        body: dict = {"submission_id": str(draw(st.uuids())), "answers": answers}
        if draw(st.booleans()):
            body["questionnaire"] = {"id": q.id, "version": q.version}
        if draw(st.booleans()):
            body["started_at"] = draw(STARTED).isoformat()
        if plan in ("field", "both"):
            path = draw(st.sampled_from(sorted(SPOILS)))
            *parents, name = path
            target = body
            for parent in parents:  # ("questionnaire", "version"): the object is made if missing
                target = target.setdefault(parent, {})
            if isinstance(target, dict):
                target[name] = draw(st.one_of(st.sampled_from(SPOILS[path]), anything))
        return body

    return near_valid()


def bodies(qs: list[Questionnaire]) -> st.SearchStrategy[tuple[int, bytes]]:
    """(which questionnaire, body): near-valid submissions three times in four, else any
    JSON at all or any bytes."""
    @st.composite
    def one(draw: st.DrawFn) -> tuple[int, bytes]:
        n = draw(st.integers(0, len(qs) - 1))
        kind = draw(st.integers(0, 7))
        if kind < 6:
            return n, json.dumps(draw(submissions(qs[n]))).encode()
        if kind == 6:
            return n, json.dumps(draw(json_values)).encode()
        return n, draw(st.binary(max_size=200))

    return one()


async def _state(conn) -> tuple[int, int]:
    return await conn.fetchval("select count(*) from response"), await conn.fetchval("select count(*) from answer")


# the longest questionnaire and the one with the matrix, as the service loads them
CHOSEN = [loader.load_file(QUESTIONNAIRE_DIR / f"{name}.toml") for name in ("borger", "medarbejder")]
_waves: dict[int, list[dict[str, int]]] = {}  # per test run (the conn fixture empties the database)
_seen: dict[int, int] = {}


@settings(max_examples=250, deadline=None, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(example=bodies(CHOSEN))
@example(example=(0, b"[Infinity]"))  # of the wrong type and no JSON at once: was a 500
@example(example=(1, b'{"answers": NaN}'))
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
