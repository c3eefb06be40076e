"""The rows the survey models return (service/analysis/measures/models/compute.py): one per model and
term, with the same core fields as a Comparison (estimate, 95 % interval, statistic, p,
`suppressed`, `confirmatory`) and what was fitted, so `to_frame()` lays them beside the
summary. A suppressed row keeps its labels and nothing else."""

from __future__ import annotations

import msgspec


class ModelTerm(msgspec.Struct, frozen=True, kw_only=True):
    """One coefficient of one model of one theme (or item).

    Terms: "after" (follow-up against baseline, in the comparison arm when there is
    one), "intervention" (intervention against comparison units at baseline) and
    "after × intervention", the difference in differences (the change in the
    intervention arm beyond the comparison arm's). Without comparison units the model is
    before/after alone and "after" is the intervention arm's change."""

    evaluation_id: int
    audience: str
    questionnaire_id: str
    target: str  # a theme key, or an item id
    model: str  # "ordinal logit" | "linear mixed model" | "OLS, cluster-robust"
    variant: str
    term: str
    estimate: float | None
    estimate_name: str  # "odds ratio" | "difference in means (scale points)"
    ci_low: float | None
    ci_high: float | None
    ci_method: str
    statistic: float | None
    p: float | None
    n: int | None  # responses the model was fitted to
    units: int | None
    fitted: str  # what was fitted, on which level, from how many rows
    variances: dict[str, float] | None  # mixed model: unit, respondent, residual variance
    note: str  # e.g. that unit-level inference is weak with few units
    suppressed: bool
    confirmatory: bool  # answers an outcome of the evaluation plan (else exploratory)
