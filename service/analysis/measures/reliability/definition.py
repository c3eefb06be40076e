"""Reliability of every theme per wave."""

from __future__ import annotations

from service.analysis.measures.measure import Measure, NoParameters

MEASURE = Measure(
    name="reliability", function="reliability", bundle="reliability", parameters=NoParameters,
    runner="service.analysis.measures.reliability.run",
    about="Cronbach's alpha and McDonald's omega of every theme per wave, with item-rest correlations",
    description="Per theme and wave: Cronbach's alpha, McDonald's omega (one factor), item means and"
    " item-rest correlations, side by side for the waves, computed from sums PostgreSQL adds up; suppressed under"
    " the disclosure threshold and where the wave's suppression pass hides an arm.",
)
