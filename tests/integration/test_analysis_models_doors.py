"""The survey models through their three doors, `analysis.models()`, `sammen analyse
models` and `GET /api/evaluations/{id}/models` (evaluator key, audited): the same rows
from each; the difference in differences of a planned outcome is confirmatory, the rest
exploratory; few units are said to make unit-level inference weak; a model with a
phase × arm cell under the threshold is suppressed; `sammen plan power` plans without a
database."""

from __future__ import annotations

import datetime as dt
import json

import msgspec

from service import analysis
from service.admin import plan
from service.admin.model import NewOutcome
from tests.integration.test_analysis_data import answered_evaluation
from tests.support.cli import sammen
from tests.support.evaluation import evaluator_key


async def _two_arms(client, conn, sizes: dict[str, int], linked: int = 0) -> int:
    evaluation = await answered_evaluation(client, conn, sizes, linked=linked)
    await conn.execute(
        "update evaluation_unit set arm = 'comparison' where evaluation_id = $1 and unit_id ="
        " (select max(unit_id) from evaluation_unit where evaluation_id = $1)", evaluation)
    return evaluation


async def test_python_the_command_line_and_http_give_the_same_models(client, conn, settings, pg_url):
    evaluation = await _two_arms(client, conn, {"Nord": 7, "Syd": 6}, linked=3)
    await plan.add_outcome(conn, evaluation, NewOutcome(
        kind="primary", questionnaire_id="borger", comparison="difference_in_differences", theme="indflydelse",
        expected_direction="increase"), today=dt.date(2000, 1, 1))
    with analysis.connect(pg_url) as session:
        python = msgspec.to_builtins(analysis.models(evaluation, "borger", themes=["indflydelse", "lyttet_til"],
                                                     items=["indflydelse_eget_liv"], session=session))
    ran = await sammen(settings, "analyse", "models", "--evaluation", str(evaluation), "--questionnaire", "borger",
                       "--theme", "indflydelse", "--theme", "lyttet_til", "--item", "indflydelse_eget_liv")
    assert ran.code == 0, ran.err
    key = await evaluator_key(conn, evaluation=evaluation)
    http = await client.get(
        f"/api/evaluations/{evaluation}/models?questionnaire=borger&theme=indflydelse&theme=lyttet_til"
        "&item=indflydelse_eget_liv", headers={"Authorization": f"Bearer {key}"})
    assert http.status_code == 200, http.text
    assert python == ran.json() == http.json()
    models = {(r["target"], r["model"]) for r in python}
    assert models == {("indflydelse", "linear mixed model"), ("indflydelse", "OLS, cluster-robust"),
                      ("lyttet_til", "linear mixed model"), ("lyttet_til", "OLS, cluster-robust"),
                      ("indflydelse_eget_liv", "ordinal logit")}
    confirmatory = {(r["target"], r["model"], r["term"]) for r in python if r["confirmatory"]}
    assert confirmatory == {("indflydelse", "linear mixed model", "after × intervention"),
                            ("indflydelse", "OLS, cluster-robust", "after × intervention")}
    shown = [r for r in python if not r["suppressed"]]
    assert shown and all(r["note"].startswith("only 2 units") for r in shown if r["model"] != "ordinal logit")
    assert all("respondent within unit" in r["variant"] for r in shown if r["model"] == "linear mixed model")
    assert all("from sufficient statistics" in r["fitted"] or "frequency table" in r["fitted"]
               or "unit × phase cells" in r["fitted"] for r in shown)
    audit = await conn.fetchrow("select subject, counts from audit_log where action = 'read' order by id desc limit 1")
    assert audit["subject"].startswith(f"evaluation {evaluation} models (questionnaire=borger, theme=")
    assert audit["counts"] == {"rows": len(python)}
    table = await sammen(settings, "analyse", "models", "--evaluation", str(evaluation), "--questionnaire", "borger",
                         "--theme", "indflydelse", "--format", "table")
    assert table.code == 0 and "after × intervention" in table.out and "only 2 units" in table.out


async def test_a_model_with_an_arm_under_the_threshold_is_suppressed_to_its_labels(client, conn, pg_url):
    evaluation = await _two_arms(client, conn, {"Nord": 6, "Syd": 3})  # the comparison unit: 3 < 5 per wave
    with analysis.connect(pg_url) as session:
        rows = analysis.models(evaluation, "borger", themes=["indflydelse"], items=["indflydelse_eget_liv"],
                               session=session)
    assert rows and all(r.suppressed for r in rows)
    assert all(r.estimate is None and r.n is None and r.ci_low is None and r.p is None and r.variances is None
               for r in rows)


async def test_unknown_names_are_refused_naming_the_field(client, conn, settings):
    evaluation = await _two_arms(client, conn, {"Nord": 2, "Syd": 2})
    key = await evaluator_key(conn, evaluation=evaluation)
    headers = {"Authorization": f"Bearer {key}"}
    r = await client.get(f"/api/evaluations/{evaluation}/models?questionnaire=borger&theme=nope", headers=headers)
    assert r.status_code == 422 and "theme" in r.text
    ran = await sammen(settings, "analyse", "models", "--evaluation", str(evaluation), "--questionnaire", "borger",
                       "--item", "nope")
    assert ran.code == 2 and ran.err.startswith("sammen: item:")
    assert (await client.get(f"/api/evaluations/{evaluation}/models?questionnaire=borger")).status_code == 401


async def test_sammen_plan_power_gives_the_sample_size_and_the_minimal_detectable_change(settings):
    ran = await sammen(settings, "plan", "power", "--outcome", "mean", "--effect", "0.5")
    assert ran.code == 0, ran.err
    assert ran.json()["n_required"] == 64 and ran.json()["solved_for"] == "n"  # Cohen (1988) Table 2.4.1
    ran = await sammen(settings, "plan", "power", "--outcome", "proportion", "--p1", "0.56", "--n", "300")
    found = json.loads(ran.out)
    assert found["solved_for"] == "effect" and 0.6 < found["p2"] < 0.7
    ran = await sammen(settings, "plan", "power", "--outcome", "proportion", "--design", "paired", "--p1", "0.3",
                       "--p2", "0.5")
    assert ran.code == 2 and "discordant" in ran.err
