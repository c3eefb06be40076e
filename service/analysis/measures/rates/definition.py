"""Response rates per unit and wave, as an evaluation output shows them."""

from __future__ import annotations

from service.analysis.measures.measure import Measure, NoParameters

MEASURE = Measure(
    name="rates", function="rates", bundle="rates", parameters=NoParameters,
    runner="service.analysis.measures.rates.run",
    about="response rates per unit and wave, hidden with the wave's other figures under the threshold",
    description="Per wave and unit: invited, submitted, the response rate and the answers through open links, as"
    " the report shows them: a unit the wave's suppression pass hides (too few answers, or a hidden unit that"
    " would follow from the others and the totals) reads as suppressed. The administrator's exact counts are"
    " GET /api/admin/waves/{id}/response-rates.",
)
