"""Relational coordination between role groups, from the staff's collaboration matrix."""

from __future__ import annotations

from typing import Annotated

import msgspec

from service.analysis.measures.measure import Measure
from service.analysis.measures.registry import MinShare
from service.bounds import Identifier


class Parameters(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    min_share: MinShare | None = None
    questionnaire_id: Annotated[Identifier, msgspec.Meta(
        description="the questionnaire of the matrix (default: the first declaring one)")] | None = (
        msgspec.field(default=None, name="questionnaire"))
    item_id: Annotated[Identifier, msgspec.Meta(
        description="the matrix item (default: the questionnaire's first declared collaboration matrix)")] | None = (
        msgspec.field(default=None, name="item"))


MEASURE = Measure(
    name="coordination", function="coordination", bundle="coordination", parameters=Parameters,
    runner="service.analysis.measures.coordination.run",
    about="relational coordination between role groups, per tie and after vs before",
    description="Relational coordination from the staff's collaboration matrix (the first the evaluation's"
    " questionnaires declare, or the one named): the index per tie, rater role, rated role and overall per arm"
    " and wave, after vs before per tie, Cronbach's alpha of the dimensions, with groups under the disclosure"
    " threshold suppressed.",
)
