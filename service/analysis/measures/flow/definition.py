"""Citizen flow: enrolled, started and ended per month, and what changed."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

import msgspec

from service.analysis.measures.measure import Measure


class Parameters(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    method: Annotated[Literal["linear", "holt"], msgspec.Meta(
        description="the forecast of enrolled from the months before the change (default linear)")] = "linear"
    at: Annotated[dt.date, msgspec.Meta(
        extra={"month": True},
        description="the month (YYYY-MM) observed is set against expected (default: 12 months after the change)")
    ] | None = None
    maxlags: Annotated[int, msgspec.Meta(ge=1, le=60, description="Newey-West lags (default floor(4(n/100)^(2/9)))")
                       ] | None = None
    implementation: Annotated[dt.date, msgspec.Meta(
        description="another change date (YYYY-MM-DD) to set the series at (default: the evaluation's)")] | None = None


MEASURE = Measure(
    name="flow", function="flow_analysis", bundle="flow", parameters=Parameters,
    runner="service.analysis.measures.flow.run",
    about="citizen flow: monthly counts and rates, forecast of enrolled against observed, interrupted time series"
    " of ended, difference in differences, capacity",
    description="Citizen flow: monthly enrolled, started, ended and ended per enrolled per unit, arm and in total;"
    " the forecast of enrolled by `method` at the month `at` against observed; the interrupted time series of"
    " ended per arm and the difference in differences of the rates (Newey-West HAC, `maxlags`); enrolled"
    " against capacity and waiting per offer. Units with few enrolled citizens are suppressed (`disclosure`"
    " says how).",
)
