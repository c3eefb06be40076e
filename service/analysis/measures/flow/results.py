"""The rows the citizen-flow analysis returns (service/analysis/measures/flow/compute.py): frozen Structs
like the survey results, each with `suppressed` (a suppressed row keeps its labels and
nothing else), and `to_frame()` from service/analysis/measures/summary/results.py for any list of them.

Every estimate names its method in the row itself (`method`, `variant`), so a table
copied out of a notebook still says how it was made."""

from __future__ import annotations

import datetime as dt
from typing import Literal

import msgspec

Level = Literal["unit", "arm", "total"]
ForecastMethod = Literal["linear", "holt"]


class FlowMonthly(msgspec.Struct, frozen=True, kw_only=True):
    """One month of one unit, of an arm's units together or of all units: enrolled at
    the start of the month, courses started and ended during it, and ended per enrolled
    (computed in PostgreSQL from the sums, so an arm's rate weighs its units by size).
    `units`: how many units had a row that month (a total jumps when a unit's months begin)."""

    evaluation_id: int
    level: Level
    unit_id: int | None
    unit: str | None
    arm: str | None
    month: dt.date
    units: int | None
    enrolled: int | None
    started: int | None
    ended: int | None
    ended_rate: float | None
    suppressed: bool


class FlowForecast(msgspec.Struct, frozen=True, kw_only=True):
    """What enrolled would have been at `at` without the change, forecast from the months
    before `implementation` (the pre-period), against what was observed.
    `gap_share` = (expected − observed) / `start_stock` (enrolled in the implementation
    month): Sønderborg's "18.5 %" ((640 − 533) / 579). The prediction interval is for the
    month `at` itself (a new observation), not for the trend line."""

    evaluation_id: int | None
    series: str  # "arm intervention", "unit 12", or the CSV unit's name
    method: ForecastMethod
    variant: str
    pre_start: dt.date | None
    pre_end: dt.date | None
    n_pre: int | None
    implementation: dt.date
    at: dt.date
    start_stock: int | None
    expected: float | None
    pi_low: float | None
    pi_high: float | None
    pi_level: float
    observed: int | None
    difference: float | None  # observed − expected
    gap_share: float | None
    note: str
    suppressed: bool


class FlowSegmented(msgspec.Struct, frozen=True, kw_only=True):
    """Interrupted time series of courses ended per month in one arm: segmented OLS,
    ended = b0 + b1·t + b2·after + b3·(t − t0)·after, with Newey–West (HAC) standard
    errors. `level_change` (b2) is the jump at the implementation month, `relative_level`
    that jump over the pre-trend's value there (b0 + b1·t0): +0.18 reads "18 % more
    courses ended than the trend before would give". `slope_change` (b3) is per month."""

    evaluation_id: int
    arm: str
    outcome: str
    implementation: dt.date
    window_start: dt.date | None
    window_end: dt.date | None
    n_before: int | None
    n_after: int | None
    baseline: float | None
    level_change: float | None
    level_low: float | None
    level_high: float | None
    level_p: float | None
    relative_level: float | None
    relative_low: float | None
    relative_high: float | None
    slope_before: float | None
    slope_change: float | None
    slope_low: float | None
    slope_high: float | None
    slope_p: float | None
    maxlags: int | None
    correction: bool
    variant: str
    note: str
    suppressed: bool


class FlowDifference(msgspec.Struct, frozen=True, kw_only=True):
    """Difference in differences of ended per enrolled (a monthly rate) between the arms:
    (intervention after − before) − (comparison after − before), estimated as the mean
    shift of the monthly difference series (intervention − comparison) at the
    implementation date, with Newey–West (HAC) standard errors. `relative` divides by the
    intervention arm's rate before."""

    evaluation_id: int
    outcome: str
    implementation: dt.date
    window_start: dt.date | None
    window_end: dt.date | None
    n_before: int | None
    n_after: int | None
    intervention_before: float | None
    intervention_after: float | None
    comparison_before: float | None
    comparison_after: float | None
    estimate: float | None
    ci_low: float | None
    ci_high: float | None
    p: float | None
    relative: float | None
    maxlags: int | None
    correction: bool
    variant: str
    note: str
    suppressed: bool


class FlowCapacity(msgspec.Struct, frozen=True, kw_only=True):
    """The Thisted board for one offer (a unit with places) and month: enrolled against
    capacity, waiting, `utilisation` = enrolled / capacity and `demand` = (enrolled +
    waiting) / capacity (above 1: more citizens want the offer than it has places)."""

    evaluation_id: int
    unit_id: int
    unit: str
    arm: str
    month: dt.date
    enrolled: int | None
    capacity: int | None
    waiting: int | None
    utilisation: float | None
    demand: float | None
    suppressed: bool


class FlowAnalysis(msgspec.Struct, frozen=True, kw_only=True):
    """Everything `sammen analyse flow` and `GET /api/evaluations/{id}/flow` return."""

    evaluation_id: int
    implementation: dt.date
    disclosure: str
    monthly: list[FlowMonthly]
    forecasts: list[FlowForecast]
    interrupted: list[FlowSegmented]
    difference: FlowDifference | None
    capacity: list[FlowCapacity]
