"""A query parameter is refused naming it as the client wrote it in the URL: a value
outside the route's type says `questionnaire`, not the handler's `questionnaire_id`, and
a parameter that takes one value, given twice, is refused instead of one of the values
being taken in silence (schemathesis found `?questionnaire=a&questionnaire=a` answered
200 on the joint indicator's route, against its OpenAPI document)."""

from __future__ import annotations

import pytest

from tests.support.evaluation import bearer, evaluator_key
from tests.support.small_evaluation import small_evaluation


@pytest.mark.parametrize(("query", "field", "told"), [
    ("questionnaire=", "questionnaire", "the request is not valid"),
    ("questionnaire=b%C3%B8rger", "questionnaire", "the request is not valid"),
    ("item=", "item", "the request is not valid"),
    ("item=a&item=", "item", "the request is not valid"),
    ("item=" + "&item=".join(["a"] * 51), "item", "the request is not valid"),
    ("questionnaire=borger&questionnaire=borger", "questionnaire", "questionnaire: Give this parameter once"),
])
async def test_a_bad_query_parameter_is_refused_naming_it_as_sent(client, conn, query, field, told):
    small = await small_evaluation(conn, {"Nord": ("intervention", 6, 6), "Syd": ("comparison", 6, 6)})
    key = await evaluator_key(conn, evaluation=small.evaluation)
    answer = await client.get(f"/api/evaluations/{small.evaluation}/joint?{query}", headers=bearer(key))
    assert answer.status_code == 400, answer.text
    assert answer.json()["detail"].startswith(told)
    assert [e["field"] for e in answer.json()["errors"]] == [field]


async def test_a_list_parameter_may_be_repeated(client, conn):
    small = await small_evaluation(conn, {"Nord": ("intervention", 6, 6), "Syd": ("comparison", 6, 6)})
    key = await evaluator_key(conn, evaluation=small.evaluation)
    answer = await client.get(f"/api/evaluations/{small.evaluation}/joint?questionnaire=borger"
                              "&item=indflydelse_eget_liv&item=maal_meningsfulde", headers=bearer(key))
    assert answer.status_code == 200, answer.text
    assert {r["target"] for r in answer.json()} == {"indflydelse_eget_liv & maal_meningsfulde"}
