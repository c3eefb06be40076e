"""The standard summary: every theme per arm, unit and wave, and after vs before."""

from __future__ import annotations

import msgspec

from service.analysis.measures.measure import Measure
from service.analysis.measures.registry import MinShare


class Parameters(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    min_share: MinShare | None = None


MEASURE = Measure(
    name="summary", function="summary", bundle="summary", parameters=Parameters,
    runner="service.analysis.measures.summary.run",
    about="every theme per arm, unit and wave, and after vs before, under disclosure control",
    description="The standard summary: descriptives per arm, unit and wave and after-vs-before comparisons of"
    " every theme, independent or paired where respondents are linked, each row naming its test and variant and"
    " adjusted for multiplicity, with groups under the disclosure threshold suppressed; planned outcomes are"
    " marked confirmatory.",
)
