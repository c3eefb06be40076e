"""Every measure of the registry has its three doors, made from its one definition: the
Python call, `sammen analyse NAME` and `GET /api/evaluations/{id}/NAME`, giving the same
figures; the route documents its statuses and answers them (401 without a key, 404 for
another organisation's evaluation, 400 for a parameter outside its limits, 422 for a
scoring rule other than the plan's); every read is audited with its rows; and the
bundle carries the measure. A new measure found by the registry is checked here
without a line added."""

from __future__ import annotations

from typing import Any

import msgspec
import pytest

from service import analysis
from service.analysis.bundle import EvaluationResults
from service.analysis.measures.measure import STATUSES, Measure, Option
from service.analysis.measures.registry import all_measures
from service.cli import parser as sammen_parser
from tests.support.cli import sammen
from tests.support.evaluation import bearer, evaluator_key
from tests.support.small_evaluation import small_evaluation

MEASURES = all_measures()
NAMES = [m.name for m in MEASURES]


def test_the_registry_holds_every_measure_the_bundle_carries():
    assert set(NAMES) >= {"summary", "reliability", "joint", "coordination", "meetings", "flow", "models",
                          "side-by-side", "distributions", "rates"}
    bundled = set(EvaluationResults.__struct_fields__)
    assert {m.bundle for m in MEASURES} <= bundled, "a measure names a bundle entry that does not exist"
    assert len({m.function for m in MEASURES}) == len(MEASURES) and len(set(NAMES)) == len(MEASURES)


@pytest.mark.parametrize("measure", MEASURES, ids=NAMES)
def test_each_measure_has_a_python_call_and_a_command_with_its_parameters(measure: Measure):
    call = getattr(analysis, measure.function)
    assert callable(call) and measure.function in analysis.__all__
    assert measure.description.split(":")[0] in (call.__doc__ or "")
    commands = sammen_parser()._subparsers._group_actions[0].choices  # type: ignore[union-attr]
    command = commands["analyse"]._subparsers._group_actions[0].choices[measure.name]
    flags = {flag for action in command._actions for flag in action.option_strings}
    assert {"--evaluation", "--format"} | {o.flag for o in measure.options()} <= flags
    for option in measure.options():
        assert option.description, f"{measure.name}: {option.name} has no description for the doors' help"


@pytest.mark.parametrize("measure", MEASURES, ids=NAMES)
async def test_each_measure_has_a_documented_route(client, measure: Measure):
    schema = (await client.get("/schema/openapi.json")).json()
    operation = schema["paths"][f"/api/evaluations/{{evaluation_id}}/{measure.name}"]["get"]
    assert {str(s) for s in STATUSES} <= set(operation["responses"])
    assert operation["description"].startswith(measure.description[:40])
    query = {p["name"]: p for p in operation["parameters"] if p["in"] == "query"}
    assert set(query) == {o.key for o in measure.options()}
    for option in measure.options():
        assert query[option.key].get("required", False) == option.required


def _value(option: Option, questionnaire: str) -> Any:
    """A valid value for a required parameter, whatever questionnaire the evaluation asks."""
    assert option.kind == "text" and option.key == "questionnaire", f"no sample value for {option.key}"
    return questionnaire


def _invalid(option: Option) -> str | None:
    """A query value outside the option's limits, or None where it has none to break."""
    if option.choices:
        return "nothing-of-these"
    if "le" in option.bounds:
        return str(option.bounds["le"] + 1)
    if "pattern" in option.bounds or option.kind == "month":
        return "Ikke gyldig!"
    return None


@pytest.mark.parametrize("measure", MEASURES, ids=NAMES)
async def test_three_doors_give_the_same_figures_each_read_is_audited_and_refusals_are_documented(
        client, conn, settings, pg_url, measure: Measure):
    small = await small_evaluation(conn, {"Nord": ("intervention", 6, 6), "Syd": ("comparison", 6, 6)})
    evaluation, questionnaire = small.evaluation, "borger"
    required = [(o, _value(o, questionnaire)) for o in measure.options() if o.required]
    with analysis.connect(pg_url) as session:
        python = msgspec.to_builtins(getattr(analysis, measure.function)(
            evaluation, **{o.name: v for o, v in required}, session=session))
    ran = await sammen(settings, "analyse", measure.name, "--evaluation", str(evaluation),
                       *[a for o, v in required for a in (o.flag, v)])
    assert ran.code == 0, ran.err
    key = await evaluator_key(conn, evaluation=evaluation)
    query = "&".join(f"{o.key}={v}" for o, v in required)
    http = await client.get(f"/api/evaluations/{evaluation}/{measure.name}?{query}", headers=bearer(key))
    assert http.status_code == 200, http.text
    assert python == ran.json() == http.json()

    audited = await conn.fetch("select actor, subject, counts from audit_log where action = 'read'"
                               " and subject like $1 order by id", f"evaluation {evaluation} {measure.name}%")
    assert [a["actor"] for a in audited][0] == "cli" and audited[-1]["actor"].startswith("key:")
    assert audited[0]["subject"] == audited[-1]["subject"] and audited[0]["counts"] == audited[-1]["counts"]

    url = f"/api/evaluations/{evaluation}/{measure.name}?{query}"
    assert (await client.get(url)).status_code == 401
    other = await small_evaluation(conn, {"Øst": ("intervention", 1, 1)})
    assert (await client.get(url, headers=bearer(await evaluator_key(conn, evaluation=other.evaluation)))
            ).status_code == 404
    for option in measure.options():
        if (bad := _invalid(option)) is not None:
            refused = await client.get(f"{url}&{option.key}={bad}", headers=bearer(key))
            assert refused.status_code == 400 and option.key in refused.text, refused.text
        if option.key == "min_share":
            refused = await client.get(f"{url}&min_share=0.9", headers=bearer(key))
            assert refused.status_code == 422 and "min_share" in refused.text, refused.text
            cli = await sammen(settings, "analyse", measure.name, "--evaluation", str(evaluation),
                               *[a for o, v in required for a in (o.flag, v)], "--min-share", "2")
            assert cli.code == 2 and "--min-share" in cli.err
