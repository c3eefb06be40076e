"""The meeting evaluations: citizens' and staff's views of the same meetings."""

from __future__ import annotations

import msgspec

from service.analysis.measures.measure import Measure


class Parameters(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    pass


MEASURE = Measure(
    name="meetings", function="meetings", bundle="meetings", parameters=Parameters,
    runner="service.analysis.measures.meetings.run",
    about="meeting evaluations per month and unit, citizens' and staff's side by side",
    description="Meeting evaluations: per month and unit the share of meetings agreeing on each aspect the"
    " questionnaires declare as a meeting pair (heard, goals, right people, follow-up), citizens' and staff's"
    " forms side by side, and after vs before per arm, under disclosure control.",
)
