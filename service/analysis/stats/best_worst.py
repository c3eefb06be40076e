"""Best–worst scaling (MaxDiff): how important citizens find each candidate quality theme,
from sets of 3–5 themes in which each respondent picks the most and the least important.

Two estimates, as the method's literature reports them (Louviere, Flynn & Marley 2015,
*Best-Worst Scaling: Theory, Methods and Applications*, ch. 2 and 5):

- **Counting scores**: a respondent's best-minus-worst score of a theme is (times best −
  times worst) / times shown, from −1 (always least important) to 1; the theme's score is
  the mean over the respondents who were shown it, with a Student t interval over those
  respondents (each respondent counts once however many sets they answered).
- **The sequential best–worst logit**: the best pick of a set is a conditional
  (multinomial) logit choice over the set with utilities u, the worst pick one over the
  rest of the set with utilities −u: a conditional logit, each pick a group of
  alternatives with one chosen, fitted by Newton's method here (`fit`: the same
  estimates as statsmodels' `ConditionalLogit`, hundreds of times faster); the first theme is the reference in the fit
  and the utilities are reported centred (mean 0), with a cluster-robust (sandwich)
  covariance by respondent, small-sample factor G/(G − 1), and 95 % Wald intervals with
  the t(G − 1) quantile (G respondents); a test of "every theme equally important": the
  cluster-robust Wald χ² W of the q = themes − 1 contrasts, as F = W·(G − q)/(q(G − 1))
  on (q, G − q) degrees of freedom (Hotelling's T² scaling: the χ² alone rejected a true
  null 10–20 % of the time at 5 % with 20–40 respondents in simulation, this 3–4 %;
  tests/unit/test_stats_best_worst.py keeps it at or under 5 %); and the share of
  preference exp(u)/Σ exp(u), the probability that a theme is picked as most important
  among all of them.

Pure: the measure reads the tasks from PostgreSQL (each answered set, its best and worst)
and gives them here."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence

import msgspec
import numpy as np
import numpy.typing as npt
from scipy import stats

from service.analysis.stats.results import Interval, TestResult

Array = npt.NDArray[np.float64]
LEVEL = 0.95
COUNTING = "mean of the respondents' best-minus-worst scores (best − worst)/shown; Student t interval over respondents"
LOGIT = ("sequential best–worst conditional logit; utilities centred to mean 0; "
         "cluster-robust covariance by respondent with factor G/(G − 1); Wald interval with t(G − 1) quantile")


class Task(msgspec.Struct, frozen=True):
    """One answered set: who answered, the options shown (codes), the most and the least important."""

    respondent: int
    shown: tuple[int, ...]
    best: int
    worst: int


class CountingScore(msgspec.Struct, frozen=True, kw_only=True):
    option: int
    respondents: int  # respondents shown the option
    shown: int
    best: int
    worst: int
    score: Interval


class Utility(msgspec.Struct, frozen=True, kw_only=True):
    option: int
    utility: Interval  # centred: 0 is the average theme
    share: float  # share of preference exp(u)/Σ exp(u)


class Importance(msgspec.Struct, frozen=True, kw_only=True):
    respondents: int
    tasks: int
    counting: list[CountingScore]  # in the order of the options given
    utilities: list[Utility] | None  # None: the logit cannot be fitted (below)
    equal: TestResult | None  # every option equally important; None with no more respondents than themes − 1
    note: str | None = None


def counting_scores(tasks: Sequence[Task], options: Sequence[int]) -> list[CountingScore]:
    """The counting score of each option, with its t interval over respondents (NaN for
    fewer than two respondents shown it)."""
    per: dict[int, dict[int, list[int]]] = {o: defaultdict(lambda: [0, 0, 0]) for o in options}
    for task in tasks:
        for option in task.shown:
            tally = per[option][task.respondent]
            tally[0] += 1
            tally[1] += option == task.best
            tally[2] += option == task.worst
    out = []
    for option in options:
        tallies = list(per[option].values())
        scores = np.array([(b - w) / n for n, b, w in tallies], dtype=float)
        out.append(CountingScore(
            option=option, respondents=len(tallies), shown=sum(t[0] for t in tallies),
            best=sum(t[1] for t in tallies), worst=sum(t[2] for t in tallies),
            score=_t_interval(scores)))
    return out


def _t_interval(scores: Array) -> Interval:
    n = len(scores)
    if n == 0:
        return Interval(estimate=math.nan, low=math.nan, high=math.nan, method=COUNTING)
    mean = float(scores.mean())
    if n < 2:
        return Interval(estimate=mean, low=math.nan, high=math.nan, method=COUNTING)
    half = float(stats.t.ppf(0.5 + LEVEL / 2, n - 1)) * float(scores.std(ddof=1)) / math.sqrt(n)
    return Interval(estimate=mean, low=mean - half, high=mean + half, method=COUNTING)


def _events(tasks: Sequence[Task], options: Sequence[int]) -> tuple[Array, Array, Array, Array]:
    """The picks as ConditionalLogit's long data: one row per option open to a pick, its
    coding (option k's dummy, k ≥ 1, the first option the reference; negated for a worst
    pick), 1 for the option picked; the pick's number and its respondent on every row."""
    column = {o: i - 1 for i, o in enumerate(options)}
    rows: list[Array] = []
    chosen: list[float] = []
    event: list[int] = []
    who: list[int] = []
    zero = np.zeros(len(options) - 1)
    number = 0
    for task in tasks:
        for sign, picked, open_to in ((1.0, task.best, task.shown),
                                      (-1.0, task.worst, [o for o in task.shown if o != task.best])):
            number += 1
            for option in open_to:
                x = zero.copy()
                if column[option] >= 0:
                    x[column[option]] = sign
                rows.append(x)
                chosen.append(float(option == picked))
                event.append(number)
                who.append(task.respondent)
    return np.array(rows), np.array(chosen), np.array(event), np.array(who)


def importance(tasks: Sequence[Task], options: Sequence[int]) -> Importance:
    """Counting scores and the sequential best–worst logit of `tasks`, for `options` (the
    codes of the themes, in the order results are given)."""
    respondents = len({t.respondent for t in tasks})
    counting = counting_scores(tasks, options)
    why = _cannot_fit(tasks, options, respondents)
    if why is not None:
        return Importance(respondents=respondents, tasks=len(tasks), counting=counting, utilities=None, equal=None,
                          note=why)
    x, y, groups, who = _events(tasks, options)
    beta, cov = fit(x, y, groups, who)
    k = len(options)
    full = np.concatenate([[0.0], beta])
    centre = np.eye(k) - 1.0 / k  # u_c = C·u, u = (0, β)
    embed = np.vstack([np.zeros((1, k - 1)), np.eye(k - 1)])
    transform = centre @ embed
    centred = centre @ full
    cov_c = transform @ cov @ transform.T
    q = k - 1
    quantile = float(stats.t.ppf(0.5 + LEVEL / 2, respondents - 1))
    shares = np.exp(full - full.max())
    shares /= shares.sum()
    utilities = [
        Utility(option=o, share=float(shares[i]), utility=Interval(
            estimate=float(centred[i]), low=float(centred[i] - quantile * math.sqrt(cov_c[i, i])),
            high=float(centred[i] + quantile * math.sqrt(cov_c[i, i])), method=LOGIT))
        for i, o in enumerate(options)]
    equal = None
    if respondents > q:
        wald = float(beta @ np.linalg.solve(cov, beta))
        f = wald * (respondents - q) / (q * (respondents - 1))
        equal = TestResult(name="test of equal importance", statistic=f, p=float(stats.f.sf(f, q, respondents - q)),
                           variant=f"F({q}, {respondents - q}) = W·(G − q)/(q(G − 1)), W the cluster-robust Wald χ² "
                                   "of every utility equal (Hotelling's small-sample scaling, G respondents)")
    return Importance(respondents=respondents, tasks=len(tasks), counting=counting, utilities=utilities, equal=equal)


def _cannot_fit(tasks: Sequence[Task], options: Sequence[int], respondents: int) -> str | None:
    """Why the logit has no finite estimate, in words; None when it has one. A theme never
    shown, or one always picked best (or worst) where it was shown, has an infinite utility."""
    if len(options) < 2 or respondents < 2:
        return "too few respondents or themes for the logit"
    counts = {c.option: c for c in counting_scores(tasks, options)}
    for option in options:
        c = counts[option]
        if c.shown == 0:
            return f"option {option} was never shown"
        if c.best == c.shown or c.worst == c.shown:
            return f"option {option} was picked the same way every time it was shown: its utility is infinite"
    return None


class _Picks:
    """The long data cut into picks: each pick's rows are contiguous (as `_events` makes them)."""

    def __init__(self, x: Array, y: Array, groups: Array, who: Array) -> None:
        self.x, self.y = x, y
        self.starts = np.flatnonzero(np.r_[True, groups[1:] != groups[:-1]])
        self.pick_of = np.cumsum(np.r_[True, groups[1:] != groups[:-1]]) - 1
        _, self.respondent_of = np.unique(who, return_inverse=True)

    def at(self, beta: Array) -> tuple[float, Array, Array]:
        """Log-likelihood, p (each row's probability within its pick), information matrix."""
        eta = self.x @ beta
        top = np.maximum.reduceat(eta, self.starts)
        e = np.exp(eta - top[self.pick_of])
        total = np.add.reduceat(e, self.starts)
        p = e / total[self.pick_of]
        loglike = float(self.y @ eta - np.sum(top + np.log(total)))
        mean = np.add.reduceat(p[:, None] * self.x, self.starts)
        information = self.x.T @ (p[:, None] * self.x) - mean.T @ mean
        return loglike, p, information


def fit(x: Array, y: Array, groups: Array, who: Array) -> tuple[Array, Array]:
    """The conditional logit's maximum-likelihood β by Newton's method (analytic score and
    information, step halving), and its cluster-robust covariance by respondent: the
    sandwich I⁻¹ (Σ_r s_r s_rᵀ) I⁻¹ · G/(G − 1), s_r the score summed over respondent r's
    picks. statsmodels' ConditionalLogit gives the same β (tests/unit/test_stats_best_worst.py)
    but took ~2 s for 150 respondents where this takes milliseconds: it builds each pick's
    denominator recursively (for any number chosen) and differentiates the score numerically."""
    picks = _Picks(x, y, groups, who)
    beta = np.zeros(x.shape[1])
    loglike, p, information = picks.at(beta)
    for _ in range(100):
        step = np.linalg.solve(information, x.T @ (y - p))
        for _ in range(30):
            tried = picks.at(beta + step)
            if tried[0] >= loglike - 1e-12:
                break
            step /= 2
        beta = beta + step
        loglike, p, information = tried
        if np.max(np.abs(step)) < 1e-10:
            break
    else:
        raise ArithmeticError("the best–worst logit did not converge in 100 Newton steps")
    scores = np.zeros((picks.respondent_of.max() + 1, x.shape[1]))
    np.add.at(scores, picks.respondent_of, (y - p)[:, None] * x)
    bread = np.linalg.inv(information)
    g = len(scores)
    return beta, bread @ (scores.T @ scores) @ bread * (g / (g - 1))
