"""Theme importance: how important respondents find each candidate theme of a best–worst question."""

from __future__ import annotations

from typing import Annotated

import msgspec

from service.analysis.measures.measure import Measure
from service.bounds import Identifier


class Parameters(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    questionnaire_id: Annotated[Identifier, msgspec.Meta(
        description="only this questionnaire's best–worst questions (default: every questionnaire's)")] | None = (
        msgspec.field(default=None, name="questionnaire"))
    item_id: Annotated[Identifier, msgspec.Meta(
        description="only this best–worst question (default: every one)")] | None = msgspec.field(
        default=None, name="item")


MEASURE = Measure(
    name="importance", function="theme_importance", bundle="importance", parameters=Parameters,
    runner="service.analysis.measures.importance.run",
    about="per best–worst question and wave, how important respondents find each theme (MaxDiff)",
    description="Per best–worst question and wave, each theme's counting score (best − worst)/shown as the mean"
    " of the respondents' scores with a Student t interval, its utility from the sequential best–worst logit"
    " (centred, cluster-robust by respondent, t(G − 1) Wald interval) with its share of preference, and a"
    " small-sample F test of equal importance; the themes' labels as stored. Suppressed whole (labels only)"
    " where fewer respondents than the item's threshold answered.",
)
