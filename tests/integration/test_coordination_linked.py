"""Linked staff: when staff answer under a respondent key (the demo gives them none), the
same person's ratings of a group before and after are compared as pairs. Here the test
gives the demo's staff keys of its own, pairing the before and after answers of the same
unit and role in order, and pins the result to scipy on the pairs pulled with
`analysis.tidy`: Wilcoxon signed-rank (zeros dropped, normal approximation, tie and
continuity correction) and the paired t test with its interval."""

from __future__ import annotations

import pytest
from scipy import stats as scipy_stats

from service import analysis
from tests.integration.test_analysis_data import answered_evaluation

KEYS = """
with staff as (
    select r.id, row_number() over (partition by w.phase, r.unit_id, r.staff_role order by r.id) as k
      from response r
      join wave w on w.id = r.wave_id
      join questionnaire_version v on v.id = r.questionnaire_version_id
     where v.questionnaire_id = 'medarbejder'
)
update response r set respondent_key = 'staff-' || r.unit_id || '-' || r.staff_role || '-' || s.k
  from staff s where s.id = r.id
"""


def _pairs(session, evaluation: int, rater: str, rated: str, arm: str):
    rows = analysis.tidy(evaluation, audience="staff", session=session)
    cells = rows[(rows["item_id"] == "samarbejde") & rows["value_coded"].notna() & (rows["staff_role"] == rater)
                 & (rows["rated_role"] == rated)]
    scored = cells.groupby(["respondent_key", "phase", "arm", "response_id"])["value_coded"].agg(["mean", "count"])
    scored = scored[scored["count"] >= 3.5].reset_index()
    wide = scored.pivot_table(index="respondent_key", columns="phase", values="mean")
    arms = scored[scored["phase"] == "after"].set_index("respondent_key")["arm"]
    wide = wide.dropna().join(arms)
    wide = wide[wide["arm"] == arm]
    # rounded as the analysis rounds them: 3/7 − 2/7 and 1/7 are the same difference, and
    # unrounded floats would make scipy rank them apart
    return (wide["after"] - wide["before"]).round(9).to_numpy()


async def test_linked_staff_are_compared_as_pairs_as_scipy_does(demo, pool, session):
    evaluation = demo
    assert not [c for c in analysis.coordination(evaluation, session=session).comparisons if c.design == "linked"]
    await pool.execute(KEYS)
    result = analysis.coordination(evaluation, session=session)
    linked = {(c.arm, c.rater_role, c.rated_role, c.test, c.variant): c for c in result.comparisons
              if c.design == "linked"}
    assert linked
    d = _pairs(session, evaluation, "udfoerer", "myndighed", "intervention")
    rank = linked[("intervention", "udfoerer", "myndighed", "Wilcoxon signed-rank",
                   "two-sided; zeros dropped; normal approximation; tie correction; continuity correction")]
    assert rank.n_before == len(d) > 20
    expected = scipy_stats.wilcoxon(d, zero_method="wilcox", correction=True, method="approx")
    assert rank.p == pytest.approx(expected.pvalue, rel=1e-6)
    t = next(c for k, c in linked.items() if k[:4] == ("intervention", "udfoerer", "myndighed", "paired t"))
    reference = scipy_stats.ttest_1samp(d, 0.0)
    assert t.p == pytest.approx(reference.pvalue, rel=1e-6)
    assert t.estimate == pytest.approx(d.mean(), abs=1e-9)
    ci = reference.confidence_interval(0.95)
    assert (t.ci_low, t.ci_high) == (pytest.approx(ci.low, abs=1e-7), pytest.approx(ci.high, abs=1e-7))
    small = [c for c in result.comparisons if c.design == "linked" and c.n_before is None]
    assert all(c.suppressed and c.estimate is None for c in small)
    assert all(c.n_before >= result.threshold for c in result.comparisons if c.design == "linked" and not c.suppressed)


async def test_an_items_stricter_threshold_applies_to_every_tie_and_role_group(demo, pool, session):
    evaluation = demo
    strict = "update questionnaire_item set min_group_size = $1 where questionnaire_id = 'medarbejder'" \
             " and item_id = 'samarbejde' and dimension = ''"
    await pool.execute(strict, 40)
    try:
        result = analysis.coordination(evaluation, session=session)
    finally:
        await pool.execute(strict, None)
    assert result.threshold == 40
    shown = [i for i in result.indices if not i.suppressed]
    assert shown and all(i.n >= 40 for i in shown if i.n)
    assert any(i.suppressed and i.level == "tie" for i in result.indices)
    assert all(c.suppressed for c in result.comparisons if c.n_before is None)


async def test_an_evaluation_without_staff_or_meeting_answers_gives_empty_results(client, conn, session):
    evaluation = await answered_evaluation(client, conn, {"Nord": 3})
    result = analysis.coordination(evaluation, session=session)
    assert (result.indices, result.comparisons, result.reliability) == ([], [], [])
    assert analysis.heatmap_frame(result).empty
    meetings = analysis.meetings(evaluation, session=session)
    assert (meetings.shares, meetings.comparisons) == ([], []) and analysis.meetings_frame(meetings).empty
