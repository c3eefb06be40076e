"""The standard summary of an evaluation, on real answers in PostgreSQL: its comparisons
agree with scipy and statsmodels run directly on the theme scores computed from the tidy
rows (an independent path), Benjamini–Hochberg is applied within each family, and a unit
under the threshold is shown with no count or estimate, nor recoverable from its arm."""

from __future__ import annotations

import msgspec
import numpy as np
import pandas as pd
import pytest
from scipy import stats as scipy_stats
from statsmodels.stats.contingency_tables import mcnemar
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.proportion import proportion_confint

from service import analysis
from service.analysis.measures.summary import queries
from service.analysis.measures.summary.results import Comparison, Descriptive, to_frame
from tests.integration.test_analysis_data import answered_evaluation
from tests.support.cli import sammen


def _scores(session, evaluation: int, theme: str, phase: str):
    """Theme scores per response computed in pandas from the tidy rows (all items answered)."""
    rows = analysis.tidy(evaluation, session=session)
    rows = rows[(rows["theme"] == theme) & (rows["phase"] == phase) & rows["value"].notna()
                & rows["item_type"].isin(["agreement", "frequency", "scale_0_10"])]
    per = rows.groupby("response_id")["value_coded"].agg(["mean", "count"])
    k = rows.groupby("response_id")["item_id"].size().max()
    return per[per["count"] >= 0.5 * max(k, 1)]["mean"].to_numpy()


async def test_the_comparisons_agree_with_scipy_on_the_theme_scores(client, conn, session):
    """Mann–Whitney U (two-sided, normal approximation, tie and continuity correction) and
    Welch's t, pinned to scipy.stats.mannwhitneyu(method='asymptotic') and ttest_ind(equal_var=False)."""
    evaluation = await answered_evaluation(client, conn, {"Nord": 15, "Syd": 15})
    results = analysis.summary(evaluation, session=session)
    found = {(r.target, r.test): r for r in results if isinstance(r, Comparison) and r.arm == "intervention"}
    before = _scores(session, evaluation, "indflydelse", "before")
    after = _scores(session, evaluation, "indflydelse", "after")
    rank = found[("indflydelse", "Mann–Whitney U")]
    expected = scipy_stats.mannwhitneyu(after, before, alternative="two-sided", method="asymptotic",
                                        use_continuity=True)
    assert rank.p == pytest.approx(expected.pvalue, abs=1e-10)
    assert "continuity" in rank.variant and "tie" in rank.variant
    assert (rank.n_before, rank.n_after) == (len(before), len(after))
    welch = found[("indflydelse", "Welch's t")]
    t = scipy_stats.ttest_ind(after, before, equal_var=False)
    assert welch.p == pytest.approx(t.pvalue, abs=1e-10)
    assert welch.estimate == pytest.approx(after.mean() - before.mean(), abs=1e-9)  # after − before
    ci = t.confidence_interval(0.95)
    assert (welch.ci_low, welch.ci_high) == (pytest.approx(ci.low, abs=1e-9), pytest.approx(ci.high, abs=1e-9))


async def test_p_values_are_adjusted_by_benjamini_hochberg_within_a_family(client, conn, session):
    evaluation = await answered_evaluation(client, conn, {"Nord": 8, "Syd": 8})
    family = [r for r in analysis.summary(evaluation, session=session)
              if isinstance(r, Comparison) and r.test == "Welch's t" and not r.suppressed]
    assert len(family) > 3
    _, expected, _, _ = multipletests([r.p for r in family], method="fdr_bh")
    assert [r.p_adjusted for r in family] == pytest.approx(list(expected), abs=1e-12)


async def test_a_unit_under_the_threshold_shows_nothing_and_cannot_be_worked_out(client, conn, session):
    evaluation = await answered_evaluation(client, conn, {"Nord": 3, "Syd": 9, "Vest": 7})
    rows = [r for r in analysis.summary(evaluation, session=session)
            if isinstance(r, Descriptive) and r.target == "indflydelse" and r.phase == "before"]
    units = {r.unit_id: r for r in rows if r.unit_id is not None}
    arm = next(r for r in rows if r.unit_id is None)
    small = min(units, key=lambda u: units[u].unit_id)  # the first unit made: Nord, 3 respondents
    assert units[small].suppressed and units[small].n is None and units[small].mean is None
    shown = [r.n for r in units.values() if not r.suppressed]
    assert arm.n is not None and (len(shown) < len(units) - 1 or arm.n - sum(shown) != 3)
    assert sum(r.suppressed for r in units.values()) >= 2  # a second unit hidden with it


async def test_a_comparison_with_too_few_respondents_carries_no_figures(client, conn, session):
    evaluation = await answered_evaluation(client, conn, {"Nord": 3})
    comparisons = [r for r in analysis.summary(evaluation, session=session) if isinstance(r, Comparison)]
    assert comparisons and all(r.suppressed and r.n_before is None and r.p is None for r in comparisons)


async def test_the_summary_turns_into_one_tidy_frame(client, conn, session):
    evaluation = await answered_evaluation(client, conn, {"Nord": 6})
    frame = to_frame([r for r in analysis.summary(evaluation, session=session) if isinstance(r, Comparison)])
    assert {"n_before", "n_after", "estimate", "ci_low", "ci_high", "p", "p_adjusted", "effect_size",
            "suppressed", "confirmatory"} <= set(frame.columns)
    assert len(frame) == frame[["questionnaire_id", "target", "arm", "test"]].drop_duplicates().shape[0]


async def test_the_command_line_gives_the_same_summary_as_python(client, conn, session, settings):
    evaluation = await answered_evaluation(client, conn, {"Nord": 6, "Syd": 2})
    ran = await sammen(settings, "analyse", "summary", "--evaluation", str(evaluation))
    assert ran.code == 0, ran.err
    assert ran.json() == msgspec.to_builtins(analysis.summary(evaluation, session=session))
    table = await sammen(settings, "analyse", "summary", "--evaluation", str(evaluation), "--format", "table")
    assert table.code == 0 and "comparisons" in table.out and "Mann–Whitney U" in table.out


async def test_linked_respondents_are_compared_pairwise_as_scipy_and_statsmodels_do(client, conn, session):
    """Wilcoxon signed-rank (zeros dropped, normal approximation, tie and continuity
    correction) pinned to scipy.stats.wilcoxon(zero_method='wilcox', correction=True,
    method='approx'); paired t to scipy.stats.ttest_rel; McNemar on agreeing (score ≥ 4),
    continuity-corrected and exact, to statsmodels' mcnemar."""
    evaluation = await answered_evaluation(client, conn, {"Nord": 20, "Syd": 14}, linked=12)
    rows = analysis.tidy(evaluation, session=session)
    rows = rows[(rows["theme"] == "indflydelse") & rows["value"].notna()]
    scores = rows.groupby(["phase", "respondent_key"])["value_coded"].mean()  # both items or one: k = 2, half
    before, after = scores["before"], scores["after"]
    pairs = pd.concat([before.rename("b"), after.rename("a")], axis=1, join="inner")
    assert len(pairs) == 24  # 12 linked in each unit
    found = {(r.test, r.variant): r for r in analysis.summary(evaluation, session=session) if isinstance(r, Comparison)
             and r.design == "linked" and r.target == "indflydelse" and r.arm == "intervention"}
    rank = next(r for (test, _), r in found.items() if test == "Wilcoxon signed-rank")
    w = scipy_stats.wilcoxon(pairs["a"], pairs["b"], zero_method="wilcox", correction=True, method="approx")
    assert rank.p == pytest.approx(w.pvalue, abs=1e-10) and rank.n_before == 24
    t = next(r for (test, _), r in found.items() if test == "paired t")
    assert t.p == pytest.approx(scipy_stats.ttest_rel(pairs["a"], pairs["b"]).pvalue, abs=1e-10)
    assert t.estimate == pytest.approx((pairs["a"] - pairs["b"]).mean(), abs=1e-9)
    agreed_b, agreed_a = pairs["b"] >= 4, pairs["a"] >= 4
    table = [[int((agreed_b & agreed_a).sum()), int((agreed_b & ~agreed_a).sum())],
             [int((~agreed_b & agreed_a).sum()), int((~agreed_b & ~agreed_a).sum())]]
    for (test, variant), r in found.items():
        if test == "McNemar":
            exact = "exact" in variant
            expected = mcnemar(table, exact=exact, correction=True).pvalue
            if table[0][1] != table[1][0] or exact:  # b = c: statsmodels' corrected χ² differs (see stats_paired)
                assert r.p == pytest.approx(expected, abs=1e-10), variant


async def test_the_joint_indicator_is_the_share_agreeing_with_every_item(client, conn, session):
    """Sønderborg's "71 % felt more influence and found their goals meaningful": the share
    of respondents agreeing (≥ 4) with both items, Wilson score interval, pinned to the
    count in pandas and statsmodels' proportion_confint(method='wilson')."""
    evaluation = await answered_evaluation(client, conn, {"Nord": 25, "Syd": 3})
    items = ["indflydelse_eget_liv", "maal_meningsfulde"]
    rows = analysis.joint_agreement(evaluation, "borger", items, session=session)
    tidy = analysis.tidy(evaluation, session=session)
    answered = tidy[tidy["item_id"].isin(items) & tidy["value"].notna()]
    for phase in ("before", "after"):
        cells = answered[answered["phase"] == phase].pivot(index="response_id", columns="item_id", values="value_coded")
        complete = cells.dropna()
        agreed = int((complete >= 4).all(axis=1).sum())
        arm = next(r for r in rows if r.phase == phase and r.unit_id is None)
        # published to a tenth of a percent (what a reader needs, not 16 digits)
        assert arm.n == len(complete) and arm.share_agreeing == round(agreed / len(complete), 3)
        low, high = proportion_confint(agreed, len(complete), method="wilson")
        assert (arm.share_low, arm.share_high) == (round(low, 3), round(high, 3))
        assert arm.target == "indflydelse_eget_liv & maal_meningsfulde" and arm.share_method.startswith("Wilson")
        units = [r for r in rows if r.phase == phase and r.unit_id is not None]
        assert sum(r.suppressed for r in units) == 2 and all(r.n is None for r in units if r.suppressed)


@pytest.mark.parametrize("summed", ["as columns", "as a row per pair"])
async def test_reliability_per_theme_and_wave_matches_numpy_on_the_complete_responses(client, conn, session, summed,
                                                                                      monkeypatch):
    """Cronbach's α (k/(k−1)·(1 − Σ item variances / variance of the sum), ddof 1) and
    item–rest correlations recomputed with numpy on the reverse-coded microdata; with the
    sums and products PostgreSQL adds up as columns (themes of up to 40 items) and as a
    row per pair of items (larger themes)."""
    if summed == "as a row per pair":
        monkeypatch.setattr(queries, "WIDE_UP_TO", 0)
    evaluation = await answered_evaluation(client, conn, {"Nord": 30})
    found = {(r.target, r.phase): r for r in analysis.reliability(evaluation, session=session)}
    tidy = analysis.tidy(evaluation, session=session)
    for phase in ("before", "after"):
        got = found[("sammenhaeng", phase)]
        cells = tidy[(tidy["theme"] == "sammenhaeng") & (tidy["phase"] == phase) & tidy["value"].notna()]
        complete = cells.pivot(index="response_id", columns="item_id", values="value_coded").dropna()[got.items]
        x = complete.to_numpy(dtype=float)
        k = x.shape[1]
        alpha = k / (k - 1) * (1 - x.var(axis=0, ddof=1).sum() / x.sum(axis=1).var(ddof=1))
        assert got.n == len(complete) and got.alpha == pytest.approx(alpha, abs=1e-10)
        rest = [np.corrcoef(x[:, i], x.sum(axis=1) - x[:, i])[0, 1] for i in range(k)]
        assert got.item_rest == pytest.approx(rest, abs=1e-10)
        assert got.item_means == pytest.approx(list(x.mean(axis=0)), abs=1e-12)
