"""Non-response: channel and help per arm and wave, and every theme's after − before
weighted for the units that answered less, on a small evaluation whose units answered
at planted rates. The weighted difference equals statsmodels' weighted Welch t on the
microdata (the theme scores recomputed here from the tidy answers, each response given
its unit's invited/answered in its wave, normalised to mean 1 per arm and period); the
unweighted one equals scipy's Welch t; a channel cell under the threshold is hidden with
what would give it away."""

from __future__ import annotations

import msgspec
import numpy as np
import pytest
from scipy import stats
from statsmodels.stats.weightstats import CompareMeans, DescrStatsW, ttest_ind

from service import analysis
from service.admin import store as admin
from service.admin.model import NewInvitations
from tests.support import SECRET
from tests.support.cli import sammen
from tests.support.evaluation import BASE_URL, bearer, evaluator_key
from tests.support.small_evaluation import small_evaluation

UNITS = {"Nord": ("intervention", 14, 12), "Syd": ("intervention", 9, 10), "Vest": ("comparison", 11, 11)}


@pytest.fixture(scope="module")
async def answered(pool):
    """Syd had 30 more invitations after the change that nobody answered (10 of 42 then);
    three of Nord's after-responses came on paper, two of them with help."""
    async with pool.acquire() as conn:
        small = await small_evaluation(conn, UNITS, seed=7)
        await admin.issue_invitations(conn, small.waves["after"], NewInvitations(unit_id=small.units["Syd"], count=30),
                                      BASE_URL, SECRET)
        paper = await conn.fetch("select id from response where wave_id = $1 and unit_id = $2 order by id limit 3",
                                 small.waves["after"], small.units["Nord"])
        await conn.execute("update response set channel = 'paper' where id = any($1)", [r["id"] for r in paper])
        await conn.execute("update response set assisted = true where id = any($1)", [r["id"] for r in paper[:2]])
    return small


def _microdata(small, session) -> dict[tuple[str, str, str], tuple[np.ndarray, np.ndarray]]:
    """(questionnaire, theme, arm) -> per period the theme scores and raw weights of the
    responses, from the tidy answers: a score is the mean of the theme's coded scale
    answers (every item answered here, so the scoring rule keeps them all)."""
    tidy = analysis.tidy(small.evaluation, session=session)
    scale = tidy[tidy["item_type"].isin(["agreement", "frequency", "scale_0_10"]) & tidy["theme"].notna()
                 & ~tidy["dont_know"].astype(bool)]
    scores = scale.groupby(["questionnaire_id", "theme", "arm", "phase", "wave_id", "unit_id", "response_id"])[
        "value_coded"].mean().reset_index()
    weights = {(w.wave_id, u.unit_id): u.invited / u.submitted  # the published counts (the rate is rounded)
               for w in analysis.rates(small.evaluation, session=session) for u in w.units}
    scores["weight"] = [weights[(w, u)] for w, u in zip(scores["wave_id"], scores["unit_id"], strict=True)]
    out = {}
    for (qid, theme, arm), group in scores.groupby(["questionnaire_id", "theme", "arm"]):
        out[(qid, theme, arm)] = tuple(group[group["phase"] == p] for p in ("before", "after"))
    return out


def test_each_themes_weighted_change_is_statsmodels_weighted_welch_t_on_the_microdata(answered, session):
    """Variants: weights invited/answered of the response's unit and wave, normalised to
    mean 1 within the arm and period; statsmodels.stats.weightstats.ttest_ind(after,
    before, weights=…, usevar='unequal') and CompareMeans.tconfint_diff(usevar='unequal');
    the unweighted difference is scipy's Welch t (equal_var=False)."""
    result = analysis.nonresponse(answered.evaluation, session=session)
    assert result.weighting.startswith("inverse response rate by unit and wave")
    data = _microdata(answered, session)
    checked = 0
    for c in result.themes:
        before, after = data[(c.questionnaire_id, c.theme, c.arm)]
        assert not c.suppressed and (c.n_before, c.n_after) == (len(before), len(after))
        w0 = before["weight"] * len(before) / before["weight"].sum()
        w1 = after["weight"] * len(after) / after["weight"].sum()
        compared = CompareMeans(DescrStatsW(after["value_coded"], weights=w1),
                                DescrStatsW(before["value_coded"], weights=w0))
        low, high = compared.tconfint_diff(usevar="unequal")
        estimate = np.average(after["value_coded"], weights=w1) - np.average(before["value_coded"], weights=w0)
        # the theme scores are read rounded to 6 decimals (the summary's frequency tables)
        assert (c.weighted.estimate, c.weighted.low, c.weighted.high) == pytest.approx((estimate, low, high),
                                                                                       abs=1e-6)
        t, p, df = ttest_ind(after["value_coded"], before["value_coded"], weights=(w1, w0), usevar="unequal")
        assert c.weighted.high - c.weighted.estimate == pytest.approx(stats.t.isf(0.025, df) * estimate / t, abs=1e-6)
        welch = stats.ttest_ind(after["value_coded"], before["value_coded"], equal_var=False)
        ci = welch.confidence_interval()
        assert (c.unweighted.low, c.unweighted.high) == pytest.approx((ci.low, ci.high), abs=1e-6)
        assert c.effective_after == pytest.approx(w1.sum() ** 2 / (w1 ** 2).sum(), rel=1e-12)
        assert c.effective_after < c.n_after or c.arm == "comparison"  # unequal weights cost precision
        checked += 1
    assert checked == len(result.themes) >= 6
    # Syd answered 10 of 42 after the change: its responses weigh more, so the weighted
    # intervention mean moves towards Syd's
    syd_after = {c.theme: c for c in result.themes if c.arm == "intervention"}
    assert any(abs(c.weighted.estimate - c.unweighted.estimate) > 1e-6 for c in syd_after.values())


def test_channels_and_help_per_arm_and_wave_hide_cells_under_the_threshold_and_their_cover(answered, session):
    result = analysis.nonresponse(answered.evaluation, session=session)
    after = next(w for w in result.channels if w.phase == "after" and w.arm == "intervention")
    shares = {(s.kind, s.value): s for s in after.shares}
    assert after.responses == 22 and not after.suppressed
    # 3 on paper (under 5): hidden, and web with it (22 − web would give paper away)
    assert shares[("channel", "paper")].suppressed and shares[("channel", "web")].suppressed
    assert shares[("channel", "api")].responses == 0  # nobody: an empty cell gives nobody away
    # 2 assisted: hidden, and 'self' with it
    assert shares[("mode", "assisted")].suppressed and shares[("mode", "self")].suppressed
    before = next(w for w in result.channels if w.phase == "before" and w.arm == "intervention")
    web = next(s for s in before.shares if s.value == "web")
    assert web.responses == 23 and web.share.estimate == 1.0 and web.share.method == "Wilson score"


async def test_python_the_command_line_and_http_give_the_same_figures_and_reads_are_audited(
        answered, session, pool, client, settings):
    python = msgspec.to_builtins(analysis.nonresponse(answered.evaluation, session=session))
    async with pool.acquire() as conn:
        key = await evaluator_key(conn, evaluation=answered.evaluation)
        ran = await sammen(settings, "analyse", "nonresponse", "--evaluation", str(answered.evaluation))
        assert ran.code == 0, ran.err
        http = await client.get(f"/api/evaluations/{answered.evaluation}/nonresponse", headers=bearer(key))
        assert http.status_code == 200, http.text
        assert python == ran.json() == http.json()
        subject = await conn.fetchval("select subject from audit_log where action = 'read' order by id desc limit 1")
        assert subject == f"evaluation {answered.evaluation} nonresponse"
        shown = await sammen(settings, "analyse", "nonresponse", "--evaluation", str(answered.evaluation),
                             "--format", "table")
        assert shown.code == 0 and "weighting: inverse response rate" in shown.out, shown.err


def test_the_reports_response_section_shows_channels_and_the_weighted_key_theme_beside_the_unweighted(
        answered, session):
    from service.exports import report

    bundle = analysis.results_bundle(answered.evaluation, session=session)
    rates = next(s for s in report.view(bundle).sections if s.key == "rates")
    channels = next(t for t in rates.tables if t.key == "channels")
    after = next(r for r in channels.rows if r[0].startswith("Efter") and r[1] == "Indsats")
    assert after[2:] == ["22", "for få svar", "0 %", "for få svar", "for få svar", "0 %"]
    weighted = next(t for t in rates.tables if t.key == "weighted")
    change = next(c for c in bundle.nonresponse.themes if c.theme == "indflydelse" and c.arm == "intervention")
    row = next(r for r in weighted.rows if r[1] == "Indsats")
    assert row[0] == "Indflydelse på eget liv"
    assert row[3].startswith(f"{change.weighted.estimate:.2f}".replace(".", ","))
