"""Best–worst scaling (service/analysis/stats/best_worst.py) against independent references:
the counting scores' intervals against scipy's one-sample t interval; the logit's
utilities against statsmodels' ConditionalLogit on the same picks, and its cluster-robust
covariance against a sandwich built here by finite differences of a log-likelihood
written over the answered sets; and, in seeded simulations, planted utilities recovered
in their order, and a null of equal utilities rejected at most at the nominal 5 %."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import optimize, stats
from statsmodels.discrete.conditional_models import ConditionalLogit

from service.analysis.stats import best_worst as bw
from service.analysis.stats.best_worst import Task, importance

# Seven themes in seven sets of three (the Fano plane): each theme shown three times,
# each pair of themes together once, a balanced incomplete block design.
FANO = [(1, 2, 4), (2, 3, 5), (3, 4, 6), (4, 5, 7), (5, 6, 1), (6, 7, 2), (7, 1, 3)]
THEMES = list(range(1, 8))
PLANTED = [1.2, 0.8, 0.4, 0.0, -0.4, -0.8, -1.2]  # centred already


def simulate(utilities: list[float], respondents: int, rng: np.random.Generator) -> list[Task]:
    """Answers of the sequential best–worst model: best by u + Gumbel noise over the set,
    worst by −u + Gumbel noise over the rest."""
    u = dict(zip(THEMES, utilities, strict=True))
    tasks = []
    for r in range(respondents):
        for shown in FANO:
            best = max(shown, key=lambda o: u[o] + rng.gumbel())
            rest = [o for o in shown if o != best]
            worst = max(rest, key=lambda o: -u[o] + rng.gumbel())
            tasks.append(Task(r, shown, best, worst))
    return tasks


@pytest.fixture(scope="module")
def planted() -> list[Task]:
    return simulate(PLANTED, 150, np.random.default_rng(20261206))


def test_a_counting_score_is_the_mean_of_respondents_scores_with_scipys_t_interval(planted):
    """Variant: mean over respondents of (best − worst)/shown, Student t interval, 95 %."""
    result = importance(planted, THEMES)
    for c in result.counting:
        per = {}
        for t in planted:
            if c.option in t.shown:
                n, b, w = per.get(t.respondent, (0, 0, 0))
                per[t.respondent] = (n + 1, b + (t.best == c.option), w + (t.worst == c.option))
        scores = np.array([(b - w) / n for n, b, w in per.values()])
        reference = stats.ttest_1samp(scores, 0).confidence_interval(0.95)
        assert c.respondents == 150 and c.shown == 450
        assert c.score.estimate == pytest.approx(scores.mean(), abs=1e-12)
        assert (c.score.low, c.score.high) == pytest.approx((reference.low, reference.high), abs=1e-12)
        assert c.score.method == bw.COUNTING
    print("\n" + bw.COUNTING)


def test_the_utilities_are_statsmodels_conditional_logit_centred(planted):
    x, y, groups, who = bw._events(planted, THEMES)
    reference = ConditionalLogit(y, x, groups=groups).fit(method="newton", disp=False, skip_hessian=True)
    beta, _ = bw.fit(x, y, groups, who)
    assert beta == pytest.approx(np.asarray(reference.params), abs=1e-6)
    full = np.r_[0.0, reference.params]
    result = importance(planted, THEMES)
    assert [u.utility.estimate for u in result.utilities] == pytest.approx(full - full.mean(), abs=1e-6)
    shares = np.exp(full) / np.exp(full).sum()
    assert [u.share for u in result.utilities] == pytest.approx(shares, abs=1e-6)


def _loglike_of(tasks: list[Task], respondent: int | None):
    """The sequential best–worst log-likelihood over the answered sets, in the utilities of
    themes 2..7 (theme 1 at 0), written over sets and picks rather than long rows."""
    def loglike(beta: np.ndarray) -> float:
        u = dict(zip(THEMES, np.r_[0.0, beta], strict=True))
        total = 0.0
        for t in tasks:
            if respondent is not None and t.respondent != respondent:
                continue
            rest = [o for o in t.shown if o != t.best]
            total += u[t.best] - math.log(sum(math.exp(u[o]) for o in t.shown))
            total += -u[t.worst] - math.log(sum(math.exp(-u[o]) for o in rest))
        return total
    return loglike


def _gradient(f, beta: np.ndarray, h: float = 1e-5) -> np.ndarray:
    return np.array([(f(beta + h * e) - f(beta - h * e)) / (2 * h) for e in np.eye(len(beta))])


def test_the_cluster_robust_covariance_is_the_sandwich_by_finite_differences():
    """Variant: H⁻¹ (Σ_r s_r s_rᵀ) H⁻¹ · G/(G − 1), s_r respondent r's score; here by central
    differences of the log-likelihood and its maximum found by scipy's BFGS."""
    tasks = simulate(PLANTED, 30, np.random.default_rng(3))
    total = _loglike_of(tasks, None)
    found = optimize.minimize(lambda b: -total(b), np.zeros(6), method="BFGS", options={"gtol": 1e-9})
    hessian = np.array([_gradient(lambda b, i=i: _gradient(total, b)[i], found.x, 1e-4) for i in range(6)])
    scores = np.array([_gradient(_loglike_of(tasks, r), found.x) for r in range(30)])
    bread = np.linalg.inv(-hessian)
    reference = bread @ scores.T @ scores @ bread * 30 / 29
    beta, cov = bw.fit(*bw._events(tasks, THEMES))
    assert beta == pytest.approx(found.x, abs=1e-4)
    assert np.sqrt(np.diag(cov)) == pytest.approx(np.sqrt(np.diag(reference)), rel=1e-3)


def test_planted_utilities_are_recovered_in_their_order_within_their_intervals(planted):
    result = importance(planted, THEMES)
    estimates = [u.utility.estimate for u in result.utilities]
    assert sorted(THEMES, key=lambda o: -estimates[o - 1]) == THEMES
    assert all(u.utility.low < truth < u.utility.high for u, truth in zip(result.utilities, PLANTED, strict=True))
    assert sorted(THEMES, key=lambda o: -result.counting[o - 1].score.estimate) == THEMES
    assert result.equal is not None and result.equal.p < 1e-10
    print(f"\n{bw.LOGIT}\n{result.equal.variant}: F = {result.equal.statistic:.1f}, p = {result.equal.p:.1e}")


def test_equal_utilities_are_not_told_apart_more_often_than_the_nominal_five_percent():
    """400 seeded studies of 30 respondents each, every theme equally important: the test
    of equal importance rejects at 5 % in at most 5 % + two binomial standard errors of them."""
    rng = np.random.default_rng(19)
    runs = 400
    rejected = sum(importance(simulate([0.0] * 7, 30, rng), THEMES).equal.p < 0.05 for _ in range(runs))
    bound = 0.05 + 2 * math.sqrt(0.05 * 0.95 / runs)
    print(f"\nequal utilities: rejected in {rejected} of {runs} studies at 5 % (bound {bound:.3f})")
    assert rejected / runs <= bound


def test_a_theme_always_picked_best_has_no_finite_utility_and_says_so():
    tasks = [Task(r, s, s[0] if 1 not in s else 1, s[-1] if s[-1] != 1 else s[1]) for r in range(5) for s in FANO]
    result = importance(tasks, THEMES)
    assert result.utilities is None and result.equal is None
    assert result.note == "option 1 was picked the same way every time it was shown: its utility is infinite"
    assert result.counting[0].score.estimate == 1.0


def test_fewer_respondents_than_contrasts_give_utilities_but_no_test_of_equality():
    result = importance(simulate(PLANTED, 6, np.random.default_rng(5)), THEMES)
    assert result.utilities is not None and result.equal is None
