"""The joint indicator: the share agreeing with every one of a set of items."""

from __future__ import annotations

from typing import Annotated

import msgspec

from service.analysis.measures.measure import Measure
from service.bounds import Identifier


class Parameters(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    questionnaire_id: Annotated[Identifier, msgspec.Meta(
        description="the questionnaire (default: every questionnaire declaring a joint indicator)")] | None = (
        msgspec.field(default=None, name="questionnaire"))
    items: Annotated[list[Identifier], msgspec.Meta(
        max_length=50, description="the items agreed with together (default: the questionnaire's declared ones)")
    ] | None = msgspec.field(default=None, name="item")


MEASURE = Measure(
    name="joint", function="joint_agreement", bundle="joint", parameters=Parameters,
    runner="service.analysis.measures.joint.run",
    about="the share agreeing with every one of a set of items (the joint indicator), per arm, unit and wave",
    description="The share of respondents agreeing with every item of a set (Sønderborg's 'more influence and"
    " meaningful goals'), per arm, unit and wave with its Wilson interval: by default the set each questionnaire"
    " declares under [analysis.outcomes] joint. Respondents who did not answer every item with a value are not"
    " counted; a unit or arm the wave's suppression pass hides is hidden whichever items are chosen.",
)
