"""The answer distribution of every scale item."""

from __future__ import annotations

from service.analysis.measures.measure import Measure, NoParameters

MEASURE = Measure(
    name="distributions", function="distributions", bundle="distributions", parameters=NoParameters,
    runner="service.analysis.measures.distributions.run",
    about="per scale item, arm and wave, the share choosing each answer option",
    description="Per scale item, arm and wave, how many chose each answer option and their share (of those who"
    " chose an option: 'ved ikke' is counted beside), with the options' stored labels; suppressed under the"
    " item's threshold and where the wave's suppression pass hides the arm.",
)
