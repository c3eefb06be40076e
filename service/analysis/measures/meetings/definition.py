"""The meeting evaluations: citizens' and staff's views of the same meetings."""

from __future__ import annotations

from service.analysis.measures.measure import Measure, NoParameters

MEASURE = Measure(
    name="meetings", function="meetings", bundle="meetings", parameters=NoParameters,
    runner="service.analysis.measures.meetings.run",
    about="meeting evaluations per month and unit, citizens' and staff's side by side",
    description="Meeting evaluations: per month and unit the share of meetings agreeing on each aspect the"
    " questionnaires declare as a meeting pair (heard, goals, right people, follow-up), citizens' and staff's"
    " forms side by side, and after vs before per arm, under disclosure control.",
)
