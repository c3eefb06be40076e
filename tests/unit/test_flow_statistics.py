"""The flow statistics against independent references, without a database: Newey–West
against Stata's published output, the forecasts against direct statsmodels calls on the
same series, the difference in differences against the 2×2 of means, Sønderborg's
published figures from the synthetic file, and the flow file's comment lines."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from statsmodels.datasets import macrodata
from statsmodels.tsa.exponential_smoothing.ets import ETSModel

from service.analysis.measures.flow import compute as flow
from service.flow import csvfile

TODAY = dt.date(2026, 1, 1)


def _months(first: dt.date, n: int) -> list[dt.date]:
    return [flow.add_months(first, i) for i in range(n)]


def test_newey_west_with_the_small_sample_correction_reproduces_statas_newey_lag_4():
    """Published: Stata `newey g_realinv g_realgdp L.realint, lag(4)` on the macrodata
    (N = 202), as quoted in statsmodels' test suite
    (statsmodels/regression/tests/results/results_macro_ols_robust.py, results_newey4):
    se 0.33125644884286, 0.29582347593197, 1.1859338087713; g_realgdp 95 % interval
    [3.7209983425819, 5.0274449868245] (t with 199 df); L.realint p 0.03922090940364.
    Variant: Newey–West (Bartlett), maxlags=4, small-sample correction n/(n−k)."""
    d = macrodata.load_pandas().data
    g_gdp = 400 * np.diff(np.log(d["realgdp"].to_numpy()))
    g_inv = 400 * np.diff(np.log(d["realinv"].to_numpy()))
    exog = np.column_stack([g_gdp, d["realint"].to_numpy()[:-1], np.ones(len(g_gdp))])
    fit = flow.hac_ols(g_inv, exog, maxlags=4)
    assert np.asarray(fit.bse) == pytest.approx([0.33125644884286, 0.29582347593197, 1.1859338087713], rel=1e-8)
    assert np.asarray(fit.conf_int(alpha=0.05))[0] == pytest.approx([3.7209983425819, 5.0274449868245], rel=1e-8)
    assert fit.pvalues[1] == pytest.approx(0.03922090940364, rel=1e-6)


def test_the_lag_rule_is_newey_and_wests_and_named_in_the_output():
    assert [flow.default_maxlags(n) for n in (12, 30, 36, 120, 1000)] == [2, 3, 3, 4, 6]
    months = _months(dt.date(2023, 1, 1), 30)
    made = flow.segmented(months, [10 + (m >= dt.date(2024, 1, 1)) * 2 + i % 3 for i, m in enumerate(months)],
                          implementation=dt.date(2024, 1, 1))
    assert made.maxlags == 3 and "maxlags=3" in made.variant and "small-sample correction" in made.variant


def test_the_linear_forecast_is_statsmodels_ols_prediction_interval_on_the_pre_period():
    rng = np.random.default_rng(5)
    months = _months(dt.date(2020, 1, 1), 40)
    enrolled = [int(200 + 2 * i + rng.normal(0, 5)) for i in range(40)]
    made = flow.forecast_series(months, enrolled, implementation=dt.date(2022, 1, 1), at=dt.date(2022, 12, 1))
    fit = sm.OLS(np.array(enrolled[:24], dtype=float), sm.add_constant(np.arange(24.0))).fit()
    frame = fit.get_prediction(np.array([[1.0, 35.0]])).summary_frame(alpha=0.05)
    assert made.expected == pytest.approx(frame["mean"].iloc[0], rel=1e-12)
    assert (made.pi_low, made.pi_high) == pytest.approx(
        (frame["obs_ci_lower"].iloc[0], frame["obs_ci_upper"].iloc[0]), rel=1e-12)
    assert made.observed == enrolled[35] and made.start_stock == enrolled[24] and made.n_pre == 24
    assert made.gap_share == pytest.approx((made.expected - enrolled[35]) / enrolled[24])


def test_holts_forecast_is_statsmodels_ets_with_additive_trend_on_the_pre_period():
    rng = np.random.default_rng(6)
    months = _months(dt.date(2020, 1, 1), 36)
    enrolled = [int(300 + 3 * i + rng.normal(0, 6)) for i in range(36)]
    made = flow.forecast_series(months, enrolled, implementation=dt.date(2021, 7, 1), method="holt")
    fit = ETSModel(pd.Series(np.array(enrolled[:18], dtype=float)), error="add", trend="add").fit(disp=False)
    frame = fit.get_prediction(start=30, end=30).summary_frame(alpha=0.05)
    assert made.at == dt.date(2022, 7, 1)  # 12 months after the change by default
    assert made.method == "holt" and "ETS(A,A,N)" in made.variant
    assert made.expected == pytest.approx(frame["mean"].iloc[0], rel=1e-6)
    assert (made.pi_low, made.pi_high) == pytest.approx((frame["pi_lower"].iloc[0], frame["pi_upper"].iloc[0]),
                                                        rel=1e-6)


def test_a_forecast_without_enough_months_before_the_change_says_so_instead_of_guessing():
    months = _months(dt.date(2024, 1, 1), 14)
    made = flow.forecast_series(months, [50] * 14, implementation=dt.date(2024, 3, 1), method="holt")
    assert made.expected is None and "needs 6" in made.note and made.observed == 50


def test_the_difference_in_differences_is_the_two_by_two_of_mean_monthly_rates():
    rng = np.random.default_rng(7)
    months = _months(dt.date(2023, 1, 1), 30)
    after = np.array([m >= dt.date(2024, 1, 1) for m in months])
    treated = 0.06 * (1 + 0.2 * after) + rng.normal(0, 0.004, 30)
    control = 0.06 + rng.normal(0, 0.004, 30)
    made = flow.difference_in_differences(months, treated, control, implementation=dt.date(2024, 1, 1))
    two_by_two = (treated[after].mean() - treated[~after].mean()) - (control[after].mean() - control[~after].mean())
    assert made.estimate == pytest.approx(two_by_two, rel=1e-12)
    assert made.ci_low > 0 and made.relative == pytest.approx(made.estimate / treated[~after].mean())
    reference = sm.OLS(treated - control, sm.add_constant(after.astype(float))).fit(
        cov_type="HAC", cov_kwds={"maxlags": 3, "use_correction": True}, use_t=True)
    assert made.p == pytest.approx(reference.pvalues[1], rel=1e-10) and made.maxlags == 3


def test_a_level_step_without_noise_is_found_exactly_by_the_segmented_regression():
    months = _months(dt.date(2022, 1, 1), 24)
    values = [100 + 0.5 * i + (20 if i >= 12 else 0) + (1 if i % 2 else -1) for i in range(24)]
    made = flow.segmented(months, values, implementation=dt.date(2023, 1, 1))
    assert made.level_change == pytest.approx(20, abs=1.5) and made.slope_change == pytest.approx(0, abs=0.3)
    assert made.relative_level == pytest.approx(made.level_change / made.baseline)


def test_soenderborg_640_expected_533_observed_18_5_percent_from_the_synthetic_file():
    """Published (Type2dialog, "Rehabilitering i socialpsykiatrien", Sønderborg Kommune):
    579 enrolled at the start of 2014; 640 expected for 2015 without the change; 533
    observed; "18,5 %" = (640 − 533) / 579. Reproduced by the linear trend of the 24
    months 2012-01..2013-12 of service/flow/examples/soenderborg_flow.csv at 2015-01."""
    made = flow.soenderborg()
    assert (made.start_stock, round(made.expected), made.observed) == (579, 640, 533)
    assert round(100 * made.gap_share, 1) == 18.5
    assert made.pre_start == dt.date(2012, 1, 1) and made.pre_end == dt.date(2013, 12, 1)
    text = flow.SOENDERBORG_CSV.read_text(encoding="utf-8")
    assert "SYNTHETIC" in text.splitlines()[0]


def test_the_soenderborg_file_adds_up_month_to_month():
    rows, errors = csvfile.parse(flow.SOENDERBORG_CSV.read_text(encoding="utf-8"), TODAY)
    assert not errors
    assert csvfile.stock_warnings(rows, [1] * len(rows), {}) == []


def test_comment_lines_before_the_header_are_skipped_and_line_numbers_stay_true():
    text = "# synthetic; built to match, a story\n#another\nunit,month,enrolled,started,ended\n" \
           "Nord,2024-01,10,1,1\nNord,2024-13,10,1,1\n"
    rows, errors = csvfile.parse(text, TODAY)
    assert [r.line for r in rows] == [4]
    assert [(e.line, e.field) for e in errors] == [(5, "month")]


def test_a_hash_after_the_header_is_data_not_a_comment():
    rows, errors = csvfile.parse("unit;month;enrolled;started;ended\n#3 Nord;2024-01;10;1;1\n", TODAY)
    assert not errors and rows[0].unit == "#3 Nord"


def test_a_file_of_comments_only_is_refused_as_empty():
    rows, errors = csvfile.parse("# nothing but a comment\n", TODAY)
    assert not rows and "empty" in errors[0].message
