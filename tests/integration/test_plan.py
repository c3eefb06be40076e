"""The evaluation plan: outcomes checked against the codebook, locked when the first
after-wave opens or when an administrator locks it, and then unchangeable (409 naming
the date, by API and CLI alike); the analysis layer asks it what is confirmatory."""

from __future__ import annotations

import datetime as dt

from service.design.plan import is_confirmatory, planned_kind, planned_outcomes
from tests.support.cli import sammen_here

TODAY = dt.date.today()


async def _evaluation(client, headers, *, after_opens_in_days: int = 30) -> dict[str, int]:
    """An evaluation with an intervention and a comparison unit, a baseline open now and
    an after-wave opening `after_opens_in_days` from today."""
    org = (await client.post("/api/admin/organisations", json={"name": "Kalundborg"}, headers=headers)).json()
    units = [(await client.post(f"/api/admin/organisations/{org['id']}/units", headers=headers,
                                json={"name": name, "sector": "udfoerer"})).json()["id"] for name in ("Nord", "Syd")]
    ev = (await client.post(f"/api/admin/organisations/{org['id']}/evaluations", headers=headers, json={
        "name": "Recovery", "implementation_date": str(TODAY),
        "units": [{"unit_id": units[0]}, {"unit_id": units[1], "arm": "comparison"}]})).json()
    for name, phase, opens in (("Før", "before", -10), ("Efter", "after", after_opens_in_days)):
        r = await client.post(f"/api/admin/evaluations/{ev['id']}/waves", headers=headers, json={
            "name": name, "phase": phase, "opens_on": str(TODAY + dt.timedelta(days=opens)),
            "closes_on": str(TODAY + dt.timedelta(days=opens + 20)), "questionnaire_id": "borger"})
        assert r.status_code == 201, r.text
    return {"organisation": org["id"], "evaluation": ev["id"]}


PRIMARY = {"kind": "primary", "questionnaire_id": "borger", "theme": "indflydelse",
           "comparison": "intervention_vs_comparison", "expected_direction": "increase",
           "note": "Kalundborg: borgerne oplever mere indflydelse"}
SECONDARY = {"kind": "secondary", "questionnaire_id": "borger", "item": "indflydelse_eget_liv",
             "comparison": "before_after", "expected_direction": "increase"}


async def test_planned_outcomes_are_listed_and_mark_results_confirmatory_or_exploratory(client, conn, admin_headers):
    ids = await _evaluation(client, admin_headers)
    url = f"/api/admin/evaluations/{ids['evaluation']}/plan"
    for body in (PRIMARY, SECONDARY):
        r = await client.post(url, json=body, headers=admin_headers)
        assert r.status_code == 201, r.text
    added = r.json()
    assert added["audience"] == "citizen" and added["item"] == "indflydelse_eget_liv" and added["theme"] is None
    plan = (await client.get(url, headers=admin_headers)).json()
    assert plan["locked_at"] is None
    assert [(o["kind"], o["theme"] or o["item"]) for o in plan["outcomes"]] == [
        ("primary", "indflydelse"), ("secondary", "indflydelse_eget_liv")]

    outcomes = await planned_outcomes(conn, ids["evaluation"])
    assert is_confirmatory(outcomes, "borger", "indflydelse", "intervention_vs_comparison")
    assert planned_kind(outcomes, "borger", "indflydelse_eget_liv", "before_after") == "secondary"
    # the same theme with another comparison, another theme, another questionnaire: exploratory
    assert not is_confirmatory(outcomes, "borger", "indflydelse", "before_after")
    assert not is_confirmatory(outcomes, "borger", "maal_og_droemme", "intervention_vs_comparison")
    assert not is_confirmatory(outcomes, "paaroerende", "indflydelse", "intervention_vs_comparison")


async def test_a_target_the_codebook_does_not_have_is_refused_naming_the_field(client, conn, admin_headers):
    ids = await _evaluation(client, admin_headers)
    url = f"/api/admin/evaluations/{ids['evaluation']}/plan"
    cases = [
        ({**PRIMARY, "theme": "lykke"}, "theme", "has no theme 'lykke'"),
        ({**SECONDARY, "item": "lykke_i_livet"}, "item", "has no item 'lykke_i_livet'"),
        ({**PRIMARY, "questionnaire_id": "ukendt"}, "questionnaire_id", "no questionnaire 'ukendt'"),
        ({**PRIMARY, "audience": "staff"}, "audience", "asks citizen, not staff"),
        # a theme of another questionnaire is not this one's
        ({**PRIMARY, "questionnaire_id": "medarbejder"}, "theme", "'medarbejder' has no theme 'indflydelse'"),
    ]
    for body, field, message in cases:
        r = await client.post(url, json=body, headers=admin_headers)
        assert r.status_code == 422, (body, r.text)
        assert r.json()["errors"][0]["field"] == field and message in r.json()["errors"][0]["message"], r.text
    both = await client.post(url, json={**PRIMARY, "item": "indflydelse_eget_liv"}, headers=admin_headers)
    assert both.status_code == 400 and "either theme or item" in both.text
    assert await conn.fetchval("select count(*) from evaluation_outcome") == 0


async def test_a_comparison_with_the_comparison_arm_needs_comparison_units(client, conn, admin_headers):
    org = (await client.post("/api/admin/organisations", json={"name": "Solo"}, headers=admin_headers)).json()
    unit = (await client.post(f"/api/admin/organisations/{org['id']}/units", headers=admin_headers,
                              json={"name": "Nord", "sector": "udfoerer"})).json()
    ev = (await client.post(f"/api/admin/organisations/{org['id']}/evaluations", headers=admin_headers, json={
        "name": "Uden kontrol", "implementation_date": str(TODAY), "units": [{"unit_id": unit["id"]}]})).json()
    r = await client.post(f"/api/admin/evaluations/{ev['id']}/plan", json=PRIMARY, headers=admin_headers)
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "comparison", r.text


async def test_the_same_target_and_comparison_cannot_be_planned_twice(client, conn, admin_headers):
    ids = await _evaluation(client, admin_headers)
    url = f"/api/admin/evaluations/{ids['evaluation']}/plan"
    assert (await client.post(url, json=PRIMARY, headers=admin_headers)).status_code == 201
    again = await client.post(url, json={**PRIMARY, "kind": "secondary"}, headers=admin_headers)
    assert again.status_code == 409 and "already planned" in again.json()["detail"]
    assert await conn.fetchval("select count(*) from evaluation_outcome") == 1


async def test_the_plan_locks_when_the_first_after_wave_opens_and_then_refuses_changes(client, conn, admin_headers):
    ids = await _evaluation(client, admin_headers, after_opens_in_days=1)
    url = f"/api/admin/evaluations/{ids['evaluation']}/plan"
    first = await client.post(url, json=PRIMARY, headers=admin_headers)
    assert first.status_code == 201
    # an earlier after-wave that opened yesterday: the plan is locked from its opening
    opened = TODAY - dt.timedelta(days=1)
    r = await client.post(f"/api/admin/evaluations/{ids['evaluation']}/waves", headers=admin_headers, json={
        "name": "Efter, første", "phase": "after", "opens_on": str(opened),
        "closes_on": str(TODAY + dt.timedelta(days=20)), "questionnaire_id": "borger"})
    assert r.status_code == 201
    plan = (await client.get(url, headers=admin_headers)).json()
    assert plan["locked_at"].startswith(str(opened)) and "Efter, første" in plan["lock_reason"]

    refused = await client.post(url, json=SECONDARY, headers=admin_headers)
    assert refused.status_code == 409
    assert f"locked on {opened}" in refused.json()["detail"] and "cannot change" in refused.json()["detail"]
    removed = await client.delete(f"{url}/{first.json()['id']}", headers=admin_headers)
    assert removed.status_code == 409 and f"locked on {opened}" in removed.json()["detail"]
    # the lock was stored at the first write that met it; the plan is as it was
    stored = await conn.fetchrow("select plan_locked_at, plan_lock_reason from evaluation where id = $1",
                                 ids["evaluation"])
    assert stored["plan_locked_at"].date() == opened and "Efter, første" in stored["plan_lock_reason"]
    assert [o.theme for o in await planned_outcomes(conn, ids["evaluation"])] == ["indflydelse"]


async def test_an_explicitly_locked_plan_refuses_changes_by_api_and_cli(client, conn, admin_headers, settings,
                                                                        monkeypatch):
    ids = await _evaluation(client, admin_headers)
    url = f"/api/admin/evaluations/{ids['evaluation']}/plan"
    outcome = (await client.post(url, json=PRIMARY, headers=admin_headers)).json()
    locked = await client.post(f"{url}/lock", headers=admin_headers)
    assert locked.status_code == 200 and locked.json()["lock_reason"] == "locked explicitly"
    day = locked.json()["locked_at"][:10]

    r = await client.post(url, json=SECONDARY, headers=admin_headers)
    assert r.status_code == 409 and f"locked on {day}" in r.json()["detail"]
    assert (await client.delete(f"{url}/{outcome['id']}", headers=admin_headers)).status_code == 409
    ran = await sammen_here(settings, "plan", "add", "--evaluation", str(ids["evaluation"]), "--kind", "secondary",
                            "--questionnaire", "borger", "--theme", "maal_og_droemme", "--comparison",
                            "before_after", monkeypatch=monkeypatch)
    assert ran.code == 2 and f"locked on {day}" in ran.err and ran.out == ""
    ran = await sammen_here(settings, "plan", "remove", "--evaluation", str(ids["evaluation"]), str(outcome["id"]),
                            monkeypatch=monkeypatch)
    assert ran.code == 2 and "locked" in ran.err
    # locking again keeps the first lock
    again = await client.post(f"{url}/lock", headers=admin_headers)
    assert again.json()["locked_at"] == locked.json()["locked_at"]
    assert await conn.fetchval("select count(*) from evaluation_outcome") == 1


async def test_the_plan_from_the_command_line(client, conn, admin_headers, settings, monkeypatch):
    ids = await _evaluation(client, admin_headers)
    evaluation = str(ids["evaluation"])
    ran = await sammen_here(settings, "plan", "add", "--evaluation", evaluation, "--kind", "primary",
                            "--questionnaire", "borger", "--theme", "maal_og_droemme",
                            "--comparison", "difference_in_differences", "--direction", "increase",
                            monkeypatch=monkeypatch)
    assert ran.code == 0, ran.err
    assert ran.json()["theme"] == "maal_og_droemme" and ran.json()["audience"] == "citizen"
    bad = await sammen_here(settings, "plan", "add", "--evaluation", evaluation, "--kind", "primary",
                            "--questionnaire", "borger", "--item", "findes_ikke", "--comparison", "before_after",
                            monkeypatch=monkeypatch)
    assert bad.code == 2 and "item: questionnaire 'borger' has no item 'findes_ikke'" in bad.err
    listed = await sammen_here(settings, "plan", "list", "--evaluation", evaluation, monkeypatch=monkeypatch)
    assert [o["theme"] for o in listed.json()["outcomes"]] == ["maal_og_droemme"]
    assert listed.json()["locked_at"] is None and listed.json()["min_share"] == 0.5
    rule = await sammen_here(settings, "plan", "scoring-rule", "--evaluation", evaluation, "--min-share", "0.75",
                             monkeypatch=monkeypatch)
    assert rule.code == 0 and rule.json()["min_share"] == 0.75, rule.err
    assert (await client.get(f"/api/admin/evaluations/{evaluation}/plan", headers=admin_headers)).json()[
        "min_share"] == 0.75
    outside = await sammen_here(settings, "plan", "scoring-rule", "--evaluation", evaluation, "--min-share", "1.5",
                                monkeypatch=monkeypatch)
    assert outside.code == 2 and "min_share" in outside.err
    locked = await sammen_here(settings, "plan", "lock", "--evaluation", evaluation, monkeypatch=monkeypatch)
    assert locked.code == 0 and locked.json()["locked_at"] is not None
    late = await sammen_here(settings, "plan", "scoring-rule", "--evaluation", evaluation, "--min-share", "0.5",
                             monkeypatch=monkeypatch)
    assert late.code == 2 and "locked" in late.err  # a rule chosen after the answers could be chosen for its result
    assert await conn.fetchval("select min_share from evaluation where id = $1", ids["evaluation"]) == 0.75
    unknown = await sammen_here(settings, "plan", "list", "--evaluation", "999999", monkeypatch=monkeypatch)
    assert unknown.code == 2 and "evaluation 999999 does not exist" in unknown.err
