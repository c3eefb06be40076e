"""Citizen flow of an evaluation, on real PostgreSQL: the demo's planted effect (courses
ended up 18 % from the implementation date in intervention units, comparison units flat)
found by the interrupted time series and the difference in differences; the monthly sums
and rates against the stored rows; Sønderborg's published figures reproduced from the
synthetic file imported with `sammen flow import`; the three doors giving the same
figures; a small unit suppressed."""

from __future__ import annotations

import datetime as dt

import msgspec
import numpy as np
import pytest
import statsmodels.api as sm

from service import analysis
from service.admin import store as admin
from service.admin.model import EvaluationUnit, NewEvaluation, NewOrganisation, NewUnit
from service.analysis.measures.flow import compute as flow
from service.demodata import design
from service.demodata.load import load
from service.errors import NotFound
from service.flow import store
from tests.support.cli import sammen
from tests.support.evaluation import evaluator_key

THRESHOLD = 5


@pytest.fixture
async def demo(conn) -> int:
    return (await load(conn, seed=1, responses=50)).evaluation_id


async def test_the_interrupted_time_series_finds_ended_courses_up_about_18_percent_in_intervention_units_only(
        conn, demo):
    """Newey–West HAC (maxlags 3 by Newey & West's rule, small-sample correction): the 95 %
    interval of the level change at 2025-01 relative to the pre-trend holds the planted
    +0.18 and excludes 0 in the intervention arm (seed 1: 0.26 [0.09, 0.43]: 18 months each
    side, Poisson noise and a free slope make it wide); the comparison arm's (months before
    its own implementation in 2026) holds 0."""
    rows = await flow.interrupted(conn, demo, min_group_size=THRESHOLD)
    by_arm = {r.arm: r for r in rows}
    treated, control = by_arm["intervention"], by_arm["comparison"]
    print(f"\nITS relative level change: intervention {treated.relative_level:.3f} "
          f"[{treated.relative_low:.3f}, {treated.relative_high:.3f}], comparison {control.relative_level:.3f} "
          f"[{control.relative_low:.3f}, {control.relative_high:.3f}]")
    assert treated.implementation == design.IMPLEMENTATION_DATE
    assert 0 < treated.relative_low < design.ENDED_UPLIFT < treated.relative_high
    assert control.relative_low < 0 < control.relative_high and control.relative_level < treated.relative_level
    assert control.window_end == dt.date(2025, 12, 1) and "2026-01-01" in control.note
    assert treated.window_end == dt.date(2026, 6, 1) and treated.n_before == 18
    assert "maxlags=3" in treated.variant and "small-sample correction" in treated.variant


async def test_the_difference_in_differences_of_ended_per_enrolled_shows_the_uplift_against_the_comparison(
        conn, demo):
    did = await flow.difference(conn, demo, min_group_size=THRESHOLD)
    assert did is not None
    print(f"\nDiD ended per enrolled: {did.estimate:.4f} [{did.ci_low:.4f}, {did.ci_high:.4f}], "
          f"relative {did.relative:.3f}")
    assert did.ci_low > 0 and did.relative == pytest.approx(design.ENDED_UPLIFT, abs=0.1)
    assert did.estimate == pytest.approx((did.intervention_after - did.intervention_before)
                                         - (did.comparison_after - did.comparison_before), abs=1e-12)
    assert did.window_end == dt.date(2025, 12, 1) and did.n_before == 18 and did.n_after == 12


async def test_the_interrupted_time_series_equals_a_direct_statsmodels_fit_on_the_arm_totals(conn, demo):
    """Reference: the arm's monthly ended summed by hand from flow_month, the design matrix
    built here, statsmodels OLS with cov_type HAC (maxlags 3, use_correction True)."""
    rows = await conn.fetch(
        "select f.month, sum(f.ended)::float8 as ended from flow_month f join evaluation_unit eu"
        " on eu.unit_id = f.unit_id where eu.evaluation_id = $1 and eu.arm = 'intervention' group by 1 order by 1",
        demo)
    y = np.array([r["ended"] for r in rows])
    t = np.arange(len(y)) - 18.0
    after = (t >= 0).astype(float)
    reference = sm.OLS(y, np.column_stack([np.ones_like(t), t, after, t * after])).fit(
        cov_type="HAC", cov_kwds={"maxlags": 3, "use_correction": True}, use_t=True)
    ours = {r.arm: r for r in await flow.interrupted(conn, demo, min_group_size=THRESHOLD)}["intervention"]
    assert ours.level_change == pytest.approx(reference.params[2], rel=1e-10)
    assert ours.baseline == pytest.approx(reference.params[0], rel=1e-10)
    ci = reference.conf_int(alpha=0.05)
    assert (ours.level_low, ours.level_high) == pytest.approx((ci[2, 0], ci[2, 1]), rel=1e-10)
    assert ours.slope_p == pytest.approx(reference.pvalues[3], rel=1e-8)


async def test_monthly_sums_and_rates_come_from_the_stored_rows(conn, demo):
    rows = await flow.monthly(conn, demo, min_group_size=THRESHOLD)
    units = len(design.UNITS)
    assert len([r for r in rows if r.level == "unit"]) == units * design.FLOW_MONTHS
    assert len([r for r in rows if r.level == "total"]) == design.FLOW_MONTHS
    january = dt.date(2025, 1, 1)
    stored = await conn.fetchrow("select sum(enrolled) as enrolled, sum(ended) as ended from flow_month"
                                 " where month = $1", january)
    total = next(r for r in rows if r.level == "total" and r.month == january)
    assert (total.enrolled, total.ended, total.units) == (stored["enrolled"], stored["ended"], units)
    assert total.ended_rate == pytest.approx(stored["ended"] / stored["enrolled"])
    arms = [r for r in rows if r.level == "arm" and r.month == january]
    assert sum(r.ended for r in arms) == total.ended and not any(r.suppressed for r in rows)
    # an arm's or the evaluation's row names no unit (it named the alphabetically first one)
    assert {r.unit for r in rows if r.level != "unit"} == {None}
    assert {r.unit for r in rows if r.level == "unit"} == {u.name for u in design.UNITS}


async def test_the_board_shows_enrolled_against_capacity_and_waiting_for_offers_with_places(conn, demo):
    board = await flow.capacity(conn, demo, min_group_size=THRESHOLD)
    providers = [u for u in design.UNITS if u.sector == "udfoerer"]
    assert len(board) == len(providers) * design.FLOW_MONTHS
    row = board[0]
    assert row.utilisation == pytest.approx(row.enrolled / row.capacity)
    assert row.demand == pytest.approx((row.enrolled + row.waiting) / row.capacity)


async def test_a_unit_with_few_enrolled_citizens_is_suppressed_with_another_so_totals_do_not_give_it_away(conn):
    org = await admin.create_organisation(conn, NewOrganisation(name="Småkommune"))
    names = ("Lille", "Mellem", "Stor")
    ids = [(await admin.create_unit(conn, org.id, NewUnit(name=n, sector="udfoerer"))).id for n in names]
    evaluation = await admin.create_evaluation(conn, org.id, NewEvaluation(
        name="Flow", implementation_date=dt.date(2024, 1, 1), units=[EvaluationUnit(unit_id=u) for u in ids]))
    lines = ["unit,month,enrolled,started,ended,capacity,waiting"]
    for name, stock in zip(names, (3, 20, 60)):
        lines += [f"{name},2023-{m:02d},{stock},1,1,{stock + 2},1" for m in range(1, 13)]
        lines += [f"{name},2024-{m:02d},{stock},1,1,{stock + 2},1" for m in range(1, 13)]
    await store.import_flow(conn, "\n".join(lines), org.id, "cli")
    rows = await flow.monthly(conn, evaluation.id, min_group_size=THRESHOLD)
    hidden = {r.unit for r in rows if r.level == "unit" and r.suppressed}
    assert hidden == {"Lille", "Mellem"}  # Mellem too: the arm total minus Stor would give Lille away
    assert all(r.enrolled is None and r.ended is None for r in rows if r.suppressed)
    assert {r.enrolled for r in rows if r.level == "arm"} == {83}
    board = await flow.capacity(conn, evaluation.id, min_group_size=THRESHOLD)
    assert {r.unit for r in board if r.suppressed} == {"Lille", "Mellem"}
    assert all(r.enrolled is r.capacity is r.waiting is r.utilisation is None for r in board if r.suppressed)


async def test_an_evaluation_without_flow_counts_gets_empty_tables_and_an_unknown_one_is_not_found(conn):
    org = await admin.create_organisation(conn, NewOrganisation(name="Uden flow"))
    unit = await admin.create_unit(conn, org.id, NewUnit(name="Nord", sector="udfoerer"))
    evaluation = await admin.create_evaluation(conn, org.id, NewEvaluation(
        name="Flow", implementation_date=dt.date(2024, 1, 1), units=[EvaluationUnit(unit_id=unit.id)]))
    empty = await flow.analyse(conn, evaluation.id, min_group_size=THRESHOLD)
    assert (empty.monthly, empty.forecasts, empty.interrupted, empty.difference, empty.capacity) == (
        [], [], [], None, [])
    with pytest.raises(NotFound):
        await flow.analyse(conn, 999999, min_group_size=THRESHOLD)


async def _soenderborg_evaluation(conn) -> tuple[int, int]:
    org = await admin.create_organisation(conn, NewOrganisation(name="Sønderborg (syntetisk)"))
    unit = await admin.create_unit(conn, org.id, NewUnit(name="Socialpsykiatrien Sønderborg", sector="udfoerer"))
    evaluation = await admin.create_evaluation(conn, org.id, NewEvaluation(
        name="Hjælp til selvhjælp", implementation_date=flow.SOENDERBORG_IMPLEMENTATION,
        units=[EvaluationUnit(unit_id=unit.id)]))
    return org.id, evaluation.id


async def test_soenderborg_640_expected_533_observed_and_18_5_percent_from_the_imported_file(conn, settings):
    """Published (Type2dialog, "Rehabilitering i socialpsykiatrien"): 579 enrolled at the
    start of 2014, 640 expected for 2015 without the change, 533 observed, 18.5 %. Here:
    the synthetic file imported by `sammen flow import`, and the linear trend (OLS on
    month) of the 24 months before 2014-01 extrapolated to 2015-01."""
    organisation, evaluation = await _soenderborg_evaluation(conn)
    ran = await sammen(settings, "flow", "import", str(flow.SOENDERBORG_CSV), "--organisation", str(organisation))
    assert ran.code == 0, ran.err
    assert ran.json()["imported"] == 42 and ran.json()["warnings"] == []
    (made,) = await flow.forecasts(conn, evaluation, min_group_size=THRESHOLD, method="linear",
                                   at=flow.SOENDERBORG_AT)
    assert made.start_stock == 579 and round(made.expected) == 640 and made.observed == 533
    assert round(100 * made.gap_share, 1) == 18.5 == round(100 * (640 - 533) / 579, 1)
    assert made.n_pre == 24 and made.pi_low < made.expected < made.pi_high and made.method == "linear"
    assert msgspec.to_builtins(flow.soenderborg()) == msgspec.to_builtins(
        msgspec.structs.replace(made, evaluation_id=None, series="Socialpsykiatrien Sønderborg"))
    (holt,) = await flow.forecasts(conn, evaluation, min_group_size=THRESHOLD, method="holt", at=flow.SOENDERBORG_AT)
    assert holt.method == "holt" and "ETS(A,A,N)" in holt.variant and holt.pi_low < holt.expected < holt.pi_high


async def test_python_the_command_line_and_http_give_the_same_flow_analysis(client, conn, settings, pg_url, demo):
    with analysis.connect(pg_url) as session:
        python = msgspec.to_builtins(analysis.flow_analysis(demo, method="holt", at=dt.date(2025, 12, 1),
                                                            session=session))
    ran = await sammen(settings, "analyse", "flow", "--evaluation", str(demo), "--method", "holt", "--at", "2025-12")
    assert ran.code == 0, ran.err
    key = await evaluator_key(conn, evaluation=demo)
    http = await client.get(f"/api/evaluations/{demo}/flow?method=holt&at=2025-12",
                            headers={"Authorization": f"Bearer {key}"})
    assert http.status_code == 200, http.text
    assert python == ran.json() == http.json()
    assert {f["method"] for f in python["forecasts"]} == {"holt"} and python["forecasts"][0]["at"] == "2025-12-01"
    audit = await conn.fetchrow("select subject, counts from audit_log where action = 'read' order by id desc limit 1")
    assert audit["subject"] == f"evaluation {demo} flow (method=holt, at=2025-12-01)"  # as `sammen analyse` names it
    for bad in ("at=2025-13", "method=arima", "maxlags=0"):
        refused = await client.get(f"/api/evaluations/{demo}/flow?{bad}", headers={"Authorization": f"Bearer {key}"})
        assert refused.status_code == 400 and bad.split("=")[0] in refused.text
    table = await sammen(settings, "analyse", "flow", "--evaluation", str(demo), "--format", "table")
    assert table.code == 0, table.err
    assert "relative_level" in table.out and "intervention" in table.out
