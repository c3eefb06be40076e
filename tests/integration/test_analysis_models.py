"""The survey models on the demo evaluation (seed 1, 8000 responses): the planted
difference in differences recovered by the linear mixed model, and every model fitted
from PostgreSQL's aggregates equal to statsmodels fitted directly on the microdata:

- linear mixed model, REML, random intercepts unit and respondent within unit: the fit
  from PostgreSQL's sums equals the fit from one row per response (which equals
  statsmodels MixedLM with a respondent variance component: tests/unit/test_models_fit.py,
  too slow in statsmodels at this size), and without the respondent level statsmodels
  MixedLM(groups=unit) on every row;
- OLS, cluster-robust by unit (CR1, t with G − 1 df): statsmodels OLS
  cov_type="cluster", use_t=True on one row per response;
- ordinal logit (proportional odds): statsmodels OrderedModel(distr="logit") on one row
  per answer, taken from the tidy export (not from the models' own SQL)."""

from __future__ import annotations

import warnings
from collections import Counter

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from statsmodels.miscmodels.ordinal_model import OrderedModel
from statsmodels.regression.mixed_linear_model import MixedLM

from service.analysis import data
from service.analysis.measures.models.compute import models, theme_scores
from service.analysis.measures.summary.compute import disclosure
from service.analysis.runtime.snapshot import snapshot
from service.analysis.stats.model_fits import fit_reml, group_sums

PLANTED = ("indflydelse", "maal_og_droemme")


def _term(rows, target, model, term="after × intervention"):
    return next(r for r in rows if r.target == target and r.model == model and r.term == term)


async def test_the_models_recover_the_planted_effect_and_equal_statsmodels_on_the_microdata(demo, pool):
    evaluation = demo
    async with pool.acquire() as conn, snapshot(conn):
        rows = await models(conn, evaluation, "borger", items=["indflydelse_eget_liv"], min_group_size=5)
        scores = await theme_scores(conn, evaluation, "borger", "indflydelse")
        tables = await data.theme_score_tables(conn, evaluation)
        tidy = await data.tidy(conn, evaluation, audience="citizen")
        hidden = (await disclosure(conn, evaluation, tables, min_group_size=5)).units_of(
            ("theme", "borger", "indflydelse"))
    # the units the summary hides enter the models as one cluster per arm (disclosure control)
    treated = {u: t for u, _, _, t, _ in scores}
    pooled = {u: 10**6 + treated[u] if u in hidden else u for u in treated}  # group_sums wants ids ≥ 0
    clusters = len(set(pooled.values()))
    assert hidden and clusters < 10

    # the planted +0.40 SD (about 0.3-0.37 points on 1-5, design.py) in the intervention units only
    for theme in PLANTED:
        mixed = _term(rows, theme, "linear mixed model")
        assert 0.22 <= mixed.estimate <= 0.5 and mixed.ci_low > 0, mixed
        assert "respondent within unit" in mixed.variant and set(mixed.variances) == {"unit", "respondent", "residual"}
        assert mixed.units == clusters and "only" in mixed.note  # fewer than ten clusters: flagged weak
        assert "pooled into 2 clusters" in mixed.fitted
    nulls = [r for r in rows if r.model == "linear mixed model" and r.term == "after × intervention"
             and r.target not in PLANTED + ("forandring",)]
    assert nulls and all(abs(r.estimate) < 0.15 for r in nulls)

    # the scores behind the sums are the summary's theme scores (before waves + latest follow-up)
    ours = Counter((u, after, round(s, 6)) for u, _, after, _, s in scores)
    latest = max(t.sequence for t in tables if t.phase == "after")
    theirs: Counter = Counter()
    for t in tables:
        compared = t.phase == "before" or t.sequence == latest
        if t.questionnaire_id == "borger" and t.theme == "indflydelse" and compared:
            for value, n in t.counts.items():
                theirs[(t.unit_id, t.phase == "after", round(value, 6))] += n
    assert ours == theirs

    frame = pd.DataFrame(scores, columns=["unit", "respondent", "after", "treated", "y"]).astype(
        {"after": float, "treated": float})
    frame["unit"] = frame.unit.map(pooled)
    a = np.column_stack([np.ones(len(frame)), frame.after, frame.treated, frame.after * frame.treated, frame.y])
    mixed = [r for r in rows if r.target == "indflydelse" and r.model == "linear mixed model"]
    # the sums PostgreSQL sends give the fit the rows give
    from_rows = fit_reml(group_sums(a, frame.unit.to_numpy(), frame.respondent.to_numpy()), 4, nested=True)
    # published to 3 decimals
    assert [r.estimate for r in mixed] == pytest.approx(from_rows.coefficients.params[1:], abs=5e-4)
    assert mixed[0].variances["respondent"] == pytest.approx(from_rows.block_variance, abs=5e-4)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        # Powell: statsmodels' default (BFGS) stops short here ("failed to converge")
        unit_only = MixedLM(frame.y, a[:, :4], groups=frame.unit).fit(reml=True, method=["powell"])
    assert unit_only.converged
    # without the respondent level: statsmodels' MixedLM with unit random intercepts on every row
    plain = fit_reml(group_sums(a, frame.unit.to_numpy()), 4, nested=False)
    assert plain.loglike == pytest.approx(unit_only.llf, abs=1e-6)
    assert plain.coefficients.params == pytest.approx(list(unit_only.fe_params), abs=1e-5)
    # SEs as lme4 gives them, σ²(X'V⁻¹X)⁻¹, here with statsmodels' variance estimates and
    # dense V per unit; statsmodels' own bse_fe invert the observed information of every
    # parameter, variances included (a few parts in a thousand apart)
    information = np.zeros((4, 4))
    for unit in frame.unit.unique():
        x = a[(frame.unit == unit).to_numpy(), :4]
        v = unit_only.scale * np.eye(len(x)) + float(unit_only.cov_re.iloc[0, 0]) * np.ones((len(x), len(x)))
        information += x.T @ np.linalg.solve(v, x)
    assert plain.coefficients.bse() == pytest.approx(list(np.sqrt(np.diag(np.linalg.inv(information)))), rel=2e-4)
    assert plain.coefficients.bse() == pytest.approx(list(unit_only.bse_fe), rel=5e-3)
    assert plain.group_variance == pytest.approx(float(unit_only.cov_re.iloc[0, 0]), rel=1e-3)

    ols = [r for r in rows if r.target == "indflydelse" and r.model == "OLS, cluster-robust"]
    x = sm.add_constant(np.column_stack([frame.after, frame.treated, frame.after * frame.treated]))
    fit = sm.OLS(frame.y, x).fit(cov_type="cluster", cov_kwds={"groups": frame.unit}, use_t=True)
    assert [r.estimate for r in ols] == pytest.approx(list(fit.params[1:]), abs=5e-4)
    limits = [v for r in ols for v in (r.ci_low, r.ci_high)]
    assert limits == pytest.approx(list(np.asarray(fit.conf_int())[1:].ravel()), abs=5e-4)
    assert [r.p for r in ols] == pytest.approx(list(fit.pvalues[1:]), abs=5e-5)

    answers = tidy[(tidy.item_id == "indflydelse_eget_liv") & tidy.value.notna()
                   & ((tidy.phase == "before") | (tidy.sequence == latest))]
    design = pd.DataFrame({"after": (answers.phase == "after").astype(float).to_numpy(),
                           "treated": (answers.arm == "intervention").astype(float).to_numpy()})
    design["after × intervention"] = design.after * design.treated
    expanded = OrderedModel(answers.value_coded.to_numpy(), design.to_numpy(), distr="logit").fit(
        method="bfgs", disp=False, maxiter=1000, gtol=1e-8)
    ordinal = [r for r in rows if r.target == "indflydelse_eget_liv"]
    assert [r.estimate_name for r in ordinal] == ["odds ratio (a higher answer)"] * 3
    assert [r.estimate for r in ordinal] == pytest.approx(list(np.exp(expanded.params[:3])), abs=5e-4)
    assert [r.p for r in ordinal] == pytest.approx(list(expanded.pvalues[:3]), rel=1e-3, abs=5e-5)
    assert ordinal[2].estimate > 1 and ordinal[2].n == len(answers)
