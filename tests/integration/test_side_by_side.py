"""The side-by-side view on the demo evaluation (seed 1, 8000 responses, loaded once for
this module): the planted changes show where they were planted (citizens' influence and
ended courses up in the intervention arm, nothing in the comparison arm), every figure
agrees with scipy/statsmodels computed on microdata pulled independently (`analysis.tidy`,
the flow_month rows), small units never show, and Python, the command line and HTTP give
the same rows."""

from __future__ import annotations

import msgspec
import numpy as np
import pandas as pd
import pytest
from scipy import stats as scipy_stats
from statsmodels.stats.proportion import confint_proportions_2indep
from statsmodels.stats.rates import confint_poisson_2indep

from service import analysis
from service.analysis.measures.side_by_side.compute import Change
from tests.support.cli import sammen
from tests.support.evaluation import evaluator_key


@pytest.fixture(scope="module")
def changes(demo, session) -> list[Change]:
    return analysis.side_by_side(demo, session=session)


@pytest.fixture(scope="module")
def units(demo, session) -> pd.DataFrame:
    return analysis.tidy(demo, session=session)[["unit_id", "unit", "arm", "sector"]].drop_duplicates()


def _one(changes, **where) -> Change:
    found = [c for c in changes if all(getattr(c, k) == v for k, v in where.items())]
    assert len(found) == 1, where
    return found[0]


def test_influence_and_ended_courses_rise_in_the_intervention_arm_and_not_in_the_comparison_arm(changes):
    """Planted (service/demodata/design.py): influence +0.4 SD and ended courses +18 % in
    intervention units from the change; nothing in comparison units, nothing in meetings."""
    influence = _one(changes, level="arm", arm="intervention", measure="influence")
    assert influence.ci_low > 0 and 0.2 < influence.change < 0.6
    flat = _one(changes, level="arm", arm="comparison", measure="influence")
    assert flat.ci_low < 0 < flat.ci_high
    ended = _one(changes, level="arm", arm="intervention", measure="flow_ended")
    assert ended.ci_low < 0.18 < ended.ci_high and ended.ci_low > 0
    assert _one(changes, level="arm", arm="comparison", measure="flow_ended").ci_low < 0.10
    heard = _one(changes, level="arm", arm="intervention", measure="meetings_heard")
    assert heard.ci_low < 0 < heard.ci_high
    rc = _one(changes, level="arm", arm="intervention", measure="coordination")
    assert rc.suppressed or rc.change > 0  # only the authority–provider ties rise: a part of every rater's index


def test_a_units_influence_change_agrees_with_welch_on_the_tidy_microdata(changes, demo, session, units):
    """Difference in means with Welch's t interval (unequal variances, Welch–Satterthwaite
    df), pinned to scipy.stats.ttest_ind(equal_var=False).confidence_interval on theme
    scores computed in pandas from the tidy rows (mean of the answered items, at least half)."""
    rows = analysis.tidy(demo, audience="citizen", session=session)
    rows = rows[(rows["questionnaire_id"] == "borger") & (rows["theme"] == "indflydelse")
                & rows["value_coded"].notna() & rows["item_type"].isin(["agreement", "frequency", "scale_0_10"])]
    items = rows.groupby("version")["item_id"].nunique()
    scores = rows.groupby(["response_id", "unit_id", "phase", "version"])["value_coded"].agg(["mean", "count"])
    scores = scores.reset_index()
    scores = scores[scores["count"] >= 0.5 * scores["version"].map(items)]
    unit = units[(units["unit"] == "Bostøtte Nord")]["unit_id"].item()
    mine = scores[scores["unit_id"] == unit]
    before = mine[mine["phase"] == "before"]["mean"].to_numpy()
    after = mine[mine["phase"] == "after"]["mean"].to_numpy()
    shown = _one(changes, level="unit", unit_id=unit, measure="influence")
    assert (shown.n_before, shown.n_after) == (len(before), len(after))
    ci = scipy_stats.ttest_ind(after, before, equal_var=False).confidence_interval(0.95)
    assert shown.change == pytest.approx(after.mean() - before.mean(), abs=1e-9)
    assert (shown.ci_low, shown.ci_high) == (pytest.approx(ci.low, abs=1e-9), pytest.approx(ci.high, abs=1e-9))


def test_a_units_meetings_change_agrees_with_newcombe_on_the_tidy_microdata(changes, demo, session, units):
    """Difference in shares heard (top-two box) with Newcombe's hybrid score interval,
    pinned to statsmodels confint_proportions_2indep(method='newcomb')."""
    rows = analysis.tidy(demo, session=session)
    rows = rows[(rows["questionnaire_id"] == "moede_borger") & (rows["item_id"] == "blev_hoert")
                & rows["value"].notna()]
    unit = units[(units["unit"] == "Myndighed Voksen Øst")]["unit_id"].item()
    mine = rows[rows["unit_id"] == unit]
    before, after = (mine[mine["phase"] == p]["value_coded"].to_numpy() for p in ("before", "after"))
    shown = _one(changes, level="unit", unit_id=unit, measure="meetings_heard")
    assert (shown.n_before, shown.n_after) == (len(before), len(after))
    low, high = confint_proportions_2indep((after >= 4).sum(), len(after), (before >= 4).sum(), len(before),
                                           method="newcomb", compare="diff")
    assert shown.change == pytest.approx((after >= 4).mean() - (before >= 4).mean(), abs=1e-12)
    assert (shown.ci_low, shown.ci_high) == (pytest.approx(low, abs=1e-9), pytest.approx(high, abs=1e-9))


async def test_a_units_flow_change_agrees_with_the_poisson_rate_ratio_on_its_months(changes, demo, pool, units):
    """Ended per enrolled citizen-month from the change date against before it: rate ratio − 1
    with the score interval, pinned to statsmodels confint_poisson_2indep(method='score') on
    the unit's flow_month rows summed here."""
    unit = units[(units["unit"] == "Bostøtte Nord")]["unit_id"].item()
    async with pool.acquire() as conn:
        rows = pd.DataFrame([dict(r) for r in await conn.fetch(
            "select month, enrolled, ended from flow_month where unit_id = $1", unit)])
    after = rows[rows["month"] >= pd.Timestamp("2025-01-01").date()]
    before = rows[rows["month"] < pd.Timestamp("2025-01-01").date()]
    shown = _one(changes, level="unit", unit_id=unit, measure="flow_ended")
    ratio = (after["ended"].sum() / after["enrolled"].sum()) / (before["ended"].sum() / before["enrolled"].sum())
    assert shown.change == pytest.approx(ratio - 1, abs=1e-12)
    low, high = confint_poisson_2indep(after["ended"].sum(), after["enrolled"].sum(), before["ended"].sum(),
                                       before["enrolled"].sum(), method="score", compare="ratio")
    assert (shown.ci_low, shown.ci_high) == (pytest.approx(low - 1, abs=1e-9), pytest.approx(high - 1, abs=1e-9))


def test_small_units_and_their_sectors_show_nothing_and_cannot_be_recovered_from_the_arm(changes, units):
    """The two demo units under the threshold are hidden for every survey measure, and so is
    every sector row pooling them; within an arm never exactly one unit is hidden while
    the arm shows (its n would be the arm's minus the others')."""
    small = set(units[units["unit"].isin(["Dagtilbud Værkstedet", "Botilbud Fjorden"])]["unit_id"])
    for c in changes:
        if c.suppressed:
            assert (c.n_before, c.n_after, c.change, c.ci_low, c.before) == (None,) * 5
        if c.unit_id in small and c.measure != "flow_ended":
            assert c.suppressed
    pooled = {(c.arm, c.sector) for c in changes if c.level == "unit" and c.unit_id in small}
    assert all(c.suppressed for c in changes if c.level == "sector" and (c.arm, c.sector) in pooled
               and c.measure != "flow_ended")
    for measure in ("coordination", "meetings_heard", "influence", "flow_ended"):
        for arm in ("intervention", "comparison"):
            rows = [c for c in changes if c.measure == measure and c.arm == arm and c.level == "unit"]
            hidden = [c for c in rows if c.suppressed]
            assert len(hidden) != 1 or _one(changes, level="arm", arm=arm, measure=measure).suppressed, (measure, arm)


def test_an_arms_staff_row_is_hidden_where_the_coordination_analysis_hides_that_arms_whole(changes, demo, session):
    """The arm's coordination row here counts the staff of the period's waves: the
    coordination analysis' whole ('all') of those waves. Where that analysis hides its
    whole (the cover of a small rater role: whole − shown roles = the small role), this
    row would give it back, so it is hidden, and so is a unit, or the units would add up
    to it."""
    wholes = [i for i in analysis.coordination(demo, session=session).indices if i.level == "all"]
    for arm in ("intervention", "comparison"):
        covered = any(i.suppressed for i in wholes if i.arm == arm)
        row = _one(changes, level="arm", arm=arm, measure="coordination")
        assert row.suppressed or not covered, arm
        if row.suppressed:
            assert any(c.suppressed for c in changes if c.measure == "coordination" and c.level == "unit"
                       and c.arm == arm)
        if not covered:
            assert row.n_after == sum(i.n for i in wholes if i.arm == arm and i.phase == "after"
                                      and i.sequence == max(w.sequence for w in wholes if w.phase == "after"))
    print(f"\ncoordination wholes hidden: {[(i.arm, i.phase) for i in wholes if i.suppressed]}")


def test_the_wide_frame_has_one_row_per_unit_sector_and_arm_and_a_column_per_measure(changes):
    wide = analysis.side_by_side_frame(changes)
    assert {"coordination", "meetings_heard", "influence", "flow_ended", "influence_low"} <= set(wide.columns)
    assert len(wide) == len({(c.level, c.arm, c.sector, c.unit_id) for c in changes})
    shown = wide[(wide["level"] == "arm") & (wide["arm"] == "intervention")]
    assert np.isfinite(shown[["influence", "flow_ended"]].to_numpy(dtype=float)).all()


async def test_python_the_command_line_and_http_give_the_same_rows_and_reads_are_audited(
        demo, changes, pool, client, settings):
    async with pool.acquire() as conn:
        key = await evaluator_key(conn, evaluation=demo)
        ran = await sammen(settings, "analyse", "side-by-side", "--evaluation", str(demo))
        assert ran.code == 0, ran.err
        http = await client.get(f"/api/evaluations/{demo}/side-by-side", headers={"Authorization": f"Bearer {key}"})
        assert http.status_code == 200, http.text
        assert msgspec.to_builtins(changes) == ran.json() == http.json()
        subject = await conn.fetchval("select subject from audit_log where action = 'read' order by id desc limit 1")
        assert subject == f"evaluation {demo} side-by-side"
        table = await sammen(settings, "analyse", "side-by-side", "--evaluation", str(demo), "--format", "table")
        assert table.code == 0 and "Bostøtte Nord" in table.out, table.err
    assert (await client.get(f"/api/evaluations/{demo}/side-by-side")).status_code == 401
    missing = await sammen(settings, "analyse", "side-by-side", "--evaluation", "999999")
    assert missing.code != 0 and "999999" in missing.err
