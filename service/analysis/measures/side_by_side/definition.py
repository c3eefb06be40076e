"""The changes side by side: coordination, meetings, influence and flow per unit."""

from __future__ import annotations

import msgspec

from service.analysis.measures.measure import Measure
from service.analysis.measures.registry import MinShare


class Parameters(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    min_share: MinShare | None = None


MEASURE = Measure(
    name="side-by-side", function="side_by_side", bundle="side_by_side", parameters=Parameters,
    runner="service.analysis.measures.side_by_side.run",
    about="per unit, sector and arm: the change in relational coordination, meetings, citizens' key outcome and"
    " flow, each with its interval",
    description="Per unit, sector and arm, the change after - before in relational coordination, meetings where"
    " the citizen was heard, the citizens' key outcome the questionnaires declare and ended courses, each with"
    " its interval, under disclosure control.",
)
