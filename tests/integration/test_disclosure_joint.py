"""Disclosure control over everything an evaluation publishes together (issue 17, point 4):
the summary's descriptives and comparisons, the response rates (the report's table,
svarprocent.csv, the charts), the models, the joint indicator, the answer distributions
and reliability, audited the way an attacker from outside
would: one integer programme over all of it (disclosure_exact.Exact), with the bounds anyone
knows (counts whole and at least 1 where hidden, scores within the scale), asking for
every hidden count, sum and mean the least and greatest value the published figures
allow. The audit is pessimistic: a shown group's sum of scores counts as known exactly
(its mean is published to 2 decimals), and a unit's theme count as the same number as
its answered invitations (every respondent here answers every item)."""

from __future__ import annotations

from collections import defaultdict

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from service import analysis
from service.admin.plan import PlanLocked, set_scoring_rule
from service.analysis import bundle, data
from service.analysis.measures.models import queries as models_queries
from service.analysis.measures.models.compute import ThemeSums, linear_terms
from service.analysis.measures.summary import compute as survey
from service.analysis.measures.summary.queries import SCALE_TYPES
from service.analysis.measures.summary.results import Comparison, Descriptive
from service.analysis.stats.disclosure_exact import Exact
from service.design.plan import scoring_rule
from service.errors import Invalid
from tests.support.cli import sammen
from tests.support.database import EMPTIED, empty
from tests.support.small_evaluation import Small, small_evaluation

THRESHOLD = 5
SUMS_OF = ("indflydelse", "forandring")  # the property test's themes: one asked in both waves, one after only


async def _truth(conn, small: Small) -> tuple[dict, dict, dict]:
    """What the attacker wants: n per (wave, unit), and per (wave, theme, unit) the sum
    of scores; and each theme's scale."""
    n: dict = defaultdict(int)
    sums: dict = defaultdict(float)
    scale: dict = {}
    for t in await data.theme_score_tables(conn, small.evaluation):
        n[(t.wave_id, t.unit_id)] = t.n
        sums[(t.wave_id, t.theme, t.unit_id)] = sum(score * k for score, k in t.counts.items())
        scale[t.theme] = (t.scale_min, t.scale_max)
    return n, sums, scale


def audit(small: Small, results: bundle.EvaluationResults, truth: tuple[dict, dict, dict],
          sums_of: tuple[str, ...] | None = None) -> Exact:
    """The attacker's programme over the bundle's summary, comparisons, models and rates
    (`sums_of`: the themes whose sums of scores to audit, None: all; every theme's counts
    are audited, and no published relation ties one theme's sums to another's)."""
    n, sums, scale = truth
    wave = {phase: w for phase, w in small.waves.items()}
    arms: dict = defaultdict(list)
    for u in results.evaluation.units:
        arms[u.arm].append(u.unit_id)
    exact = Exact()
    for w in results.rates:
        for u in w.units:
            exact.count(("n", w.wave_id, u.unit_id), n[(w.wave_id, u.unit_id)], shown=not u.suppressed,
                        threshold=results.threshold)
    descriptives = [d for d in results.summary if isinstance(d, Descriptive)]
    for d in descriptives:
        w = wave[d.phase]
        low, high = scale[d.target]
        members = [d.unit_id] if d.unit_id is not None else arms[d.arm]
        count = ("n", w, d.unit_id if d.unit_id is not None else d.arm)
        exact.count(count, sum(n[(w, u)] for u in members), shown=not d.suppressed, threshold=THRESHOLD)
        if sums_of is not None and d.target not in sums_of:
            continue
        exact.total(("s", w, d.target, count[2]), count, sum(sums[(w, d.target, u)] for u in members),
                    shown=not d.suppressed, low=low, high=high)
    for d in descriptives:
        if d.unit_id is None:
            w = wave[d.phase]
            exact.same(("n", w, d.arm), [("n", w, u) for u in arms[d.arm]])
            if sums_of is None or d.target in sums_of:
                exact.same(("s", w, d.target, d.arm), [("s", w, d.target, u) for u in arms[d.arm] if n[(w, u)]])
    for c in results.summary:
        if isinstance(c, Comparison) and not c.suppressed and c.design == "independent":
            for phase in ("before", "after"):  # n before / after: the arm's totals
                members = arms[c.arm]
                exact.count(("n", wave[phase], c.arm), sum(n[(wave[phase], u)] for u in members), shown=True)
    for j in results.joint:  # the joint indicator: everyone here answers both items
        w = wave[j.phase]
        members = [j.unit_id] if j.unit_id is not None else arms[j.arm]
        exact.count(("n", w, j.unit_id if j.unit_id is not None else j.arm), sum(n[(w, u)] for u in members),
                    shown=not j.suppressed, threshold=THRESHOLD)
    for item in results.distributions:  # an item's n per arm and wave: the arm's n here
        exact.count(("n", item.wave_id, item.arm), sum(n[(item.wave_id, u)] for u in arms[item.arm]),
                    shown=not item.suppressed, threshold=THRESHOLD)
    for r in results.reliability:  # n of the wave, both arms together
        if not r.suppressed:
            w = wave[r.phase]
            exact.count(("reliability", w), r.n, shown=True)
            exact.same(("reliability", w), [("n", w, a) for a in arms if any(n[(w, u)] for u in arms[a])])
    for m in results.models:
        if not m.suppressed and m.n is not None and m.model != "ordinal logit":
            every = [("n", wave[p], a) for p in ("before", "after") for a in arms
                     if any(n[(wave[p], u)] for u in arms[a])]
            exact.count(("model", m.target), m.n, shown=True)
            exact.same(("model", m.target), every)
    return exact


def test_the_audit_finds_what_subtraction_gives_away_and_what_the_bounds_do():
    """The audit itself: a unit of 3 beside a shown one under a shown total is found; two
    hidden units under a total of 5 are pinned to fewer values than the threshold; a
    hidden group whose total is all 5s has its mean determined."""
    leak = Exact()
    for key, value, shown in (("a", 3, False), ("b", 20, True), ("arm", 23, True)):
        leak.count(key, value, shown=shown, threshold=5)
    leak.same("arm", ["a", "b"])
    assert any("count 'a'" in f for f in leak.findings())
    narrow = Exact()
    for key, value, shown in (("a", 2, False), ("b", 3, False), ("arm", 5, True)):
        narrow.count(key, value, shown=shown, threshold=5)
    narrow.same("arm", ["a", "b"])
    assert len(narrow.findings()) == 2  # each lies in 1..4
    ceiling = Exact()
    for key, value, shown in (("a", 6, False), ("b", 7, False), ("arm", 13, True)):
        ceiling.count(key, value, shown=shown, threshold=5)
        ceiling.total(("s", key), key, 5.0 * value, shown=shown, low=1, high=5)
    ceiling.same("arm", ["a", "b"])
    ceiling.same(("s", "arm"), [("s", "a"), ("s", "b")])
    found = ceiling.findings()
    assert any("mean of ('s', 'a')" in f for f in found) and not any("count" in f for f in found)


async def test_the_response_rates_hide_the_cover_unit_the_summary_hides(conn):
    """Leak (b): the rates hid only the unit under the threshold, so the arm's n in the
    descriptives minus the units the rates showed gave the hidden unit's n (and with its
    cover unit's n, its mean). The rates now hide what the summary hides."""
    small = await small_evaluation(conn, {"Nord": ("intervention", 3, 8), "Syd": ("intervention", 9, 9),
                                          "Vest": ("intervention", 30, 30)})
    results = await bundle.collect(conn, small.evaluation, min_group_size=THRESHOLD)
    before = next(w for w in results.rates if w.wave_id == small.waves["before"])
    hidden = {u.unit for u in before.units if u.suppressed}
    assert hidden == {"Nord", "Syd"}  # Syd was shown with its 9 answers before the fix
    assert audit(small, results, await _truth(conn, small)).findings() == []


async def test_the_response_rates_keep_a_sections_stricter_threshold(conn):
    """Leak (f): a section's threshold of 20 was ignored by the rates, which showed
    12 answers where every figure of the theme was hidden."""
    strict = ("update questionnaire_item set min_group_size = $1"
              " where questionnaire_id = 'borger' and theme = 'livskvalitet'")
    await conn.execute(strict, 20)
    try:
        small = await small_evaluation(conn, {"Nord": ("intervention", 12, 12), "Syd": ("intervention", 25, 25),
                                              "Vest": ("intervention", 40, 40)})
        results = await bundle.collect(conn, small.evaluation, min_group_size=THRESHOLD)
        rates = {u.unit: u for w in results.rates for u in w.units}
        assert rates["Nord"].suppressed and rates["Nord"].submitted is None and rates["Nord"].response_rate is None
        assert rates["Vest"].submitted == 40
        quality = [d for d in results.summary if isinstance(d, Descriptive) and d.target == "livskvalitet"]
        assert all(d.suppressed for d in quality if d.unit_id == small.units["Nord"])
        assert audit(small, results, await _truth(conn, small)).findings() == []
    finally:
        await conn.execute(strict, None)


async def test_side_by_side_hides_the_influence_of_a_unit_the_summary_hides_for_another_theme(conn):
    """Side by side's influence rows hid units by the influence theme's own table, so a
    unit the summary hides in every theme (a section's threshold of 20 hides it in one,
    and the joint pass in all) showed its influence n and mean there."""
    strict = ("update questionnaire_item set min_group_size = $1"
              " where questionnaire_id = 'borger' and theme = 'livskvalitet'")
    await conn.execute(strict, 20)
    try:
        small = await small_evaluation(conn, {"Nord": ("intervention", 12, 12), "Syd": ("intervention", 25, 25),
                                              "Vest": ("intervention", 40, 40)})
        results = await bundle.collect(conn, small.evaluation, min_group_size=THRESHOLD)
        influence = [d for d in results.summary if isinstance(d, Descriptive) and d.target == "indflydelse"
                     and d.unit_id == small.units["Nord"]]
        assert influence and all(d.suppressed for d in influence)
        (nord,) = [c for c in results.side_by_side if c.measure == "influence" and c.unit_id == small.units["Nord"]]
        assert nord.suppressed and nord.n_before is None and nord.after is None
    finally:
        await conn.execute(strict, None)


async def test_a_second_scoring_rule_is_refused_at_every_door(conn, client, session, settings, admin_headers):
    """Leak (c): a summary at two `min_share` values counted different respondents per
    group and moved the cover unit, so the difference gave a hidden group away. The plan
    fixes the rule: every door takes only the plan's value (or none)."""
    small = await small_evaluation(conn, {"Nord": ("intervention", 3, 8), "Syd": ("intervention", 9, 9),
                                          "Vest": ("intervention", 30, 30)})
    ev = small.evaluation
    with pytest.raises(Invalid, match="min_share"):
        analysis.summary(ev, min_share=1.0, session=session)
    with pytest.raises(Invalid, match="min_share"):
        analysis.models(ev, "borger", min_share=1.0, session=session)
    with pytest.raises(Invalid, match="min_share"):
        analysis.results_bundle(ev, min_share=0.75, session=session)
    with pytest.raises(Invalid, match="min_share"):
        analysis.coordination(ev, min_share=0.75, session=session)
    with pytest.raises(Invalid, match="min_share"):
        analysis.side_by_side(ev, min_share=0.75, session=session)
    assert analysis.summary(ev, min_share=0.5, session=session) == analysis.summary(ev, session=session)
    r = await client.get(f"/api/evaluations/{ev}/summary", params={"min_share": 1.0}, headers=admin_headers)
    assert r.status_code == 422 and "min_share" in r.text
    for measure in ("coordination", "side-by-side"):
        r = await client.get(f"/api/evaluations/{ev}/{measure}", params={"min_share": 0.75}, headers=admin_headers)
        assert r.status_code == 422 and "min_share" in r.text, measure
        done = await sammen(settings, "analyse", measure, "--evaluation", str(ev), "--min-share", "0.75")
        assert done.code != 0 and "min_share" in done.err, measure
    done = await sammen(settings, "analyse", "summary", "--evaluation", str(ev), "--min-share", "1")
    assert done.code != 0 and "min_share" in done.err
    assert await scoring_rule(conn, ev) == 0.5  # the plan's value unless the plan says otherwise
    with pytest.raises(PlanLocked):  # the follow-up has opened: the rule can no longer be chosen by its result
        await set_scoring_rule(conn, ev, 1.0)
    await conn.execute("update evaluation set min_share = 1.0 where id = $1", ev)  # as if planned so
    assert analysis.summary(ev, session=session) == analysis.summary(ev, min_share=1.0, session=session)


@st.composite
def evaluations(draw):
    """Two arms of 1–4 units; each unit's responses per wave at, under or over the threshold."""
    size = st.sampled_from([0, 1, 2, 3, 4, 5, 6, 7, 9, 14, 25])
    units = {}
    for arm in ("intervention", "comparison"):
        for i in range(draw(st.integers(1, 4))):
            units[f"{arm[:4]}{i}"] = (arm, draw(size), draw(size))
    return units, draw(st.integers(0, 10_000))


@settings(max_examples=8, deadline=None, suppress_health_check=list(HealthCheck))
@given(case=evaluations())
async def test_nothing_hidden_follows_from_everything_published_together(pool, case):
    """The joint property: small evaluations with groups at and under the threshold,
    published through the bundle (summary, comparisons, models, rates: what the report,
    the tables, the charts and the data files' notes read) with the plan's scoring rule
    (the only one any door takes), audited together: no hidden count, sum or mean is
    determined, no hidden count narrowed to fewer values than the threshold; and the
    models give the same rows whichever way the hidden units of an arm share its rest."""
    units, seed = case
    async with pool.acquire() as conn:
        await empty(conn, tuple(t for t in EMPTIED if t != "audit_log"))
        small = await small_evaluation(conn, units, seed=seed)
        results = await bundle.collect(conn, small.evaluation, min_group_size=THRESHOLD)
        assert audit(small, results, await _truth(conn, small), sums_of=SUMS_OF).findings() == []
        hidden = await survey.disclosure(conn, small.evaluation, await data.theme_score_tables(
            conn, small.evaluation), min_group_size=THRESHOLD)
        theme = "indflydelse"
        rows = [tuple(r) for r in await conn.fetch(models_queries.THEME_SUMS, small.evaluation, "borger", theme,
                                                    list(SCALE_TYPES), 0.5)]
        small_units = hidden.units_of(("theme", "borger", theme))
        labels = {"evaluation_id": small.evaluation, "audience": "citizen", "questionnaire_id": "borger",
                  "target": theme}
        arms = {r[2] for r in rows}
        hidden_arms = {a == "intervention" for a in hidden.arms_of("borger")}
        published = linear_terms(labels, ThemeSums(rows), THRESHOLD, (), small_units, hidden_arms)
        for treated in arms:  # another world: one hidden unit of the arm holds all its hidden rows
            members = sorted({r[1] for r in rows if r[2] == treated and r[1] in small_units})
            if len(members) > 1:
                other = ThemeSums([(r[0], members[0] if r[1] in members else r[1], *r[2:]) for r in rows])
                assert linear_terms(labels, other, THRESHOLD, (), small_units, hidden_arms) == published
