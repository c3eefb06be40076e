"""Phase × arm models of a questionnaire's themes and items."""

from __future__ import annotations

from typing import Annotated

import msgspec

from service.analysis.measures.measure import Measure
from service.analysis.measures.registry import MinShare
from service.bounds import Identifier


class Parameters(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    questionnaire_id: Annotated[Identifier, msgspec.Meta(description="the questionnaire's id")] = (
        msgspec.field(name="questionnaire"))
    themes: Annotated[list[Identifier], msgspec.Meta(
        max_length=50, description="a theme to model (repeat; default: every scored theme)")] | None = (
        msgspec.field(default=None, name="theme"))
    items: Annotated[list[Identifier], msgspec.Meta(
        max_length=50, description="an item for the ordinal logit (repeat)")] | None = (
        msgspec.field(default=None, name="item"))
    min_share: MinShare | None = None


MEASURE = Measure(
    name="models", function="models", bundle="models", parameters=Parameters,
    runner="service.analysis.measures.models.run",
    about="phase × arm models: mixed model and cluster-robust OLS of theme scores, ordinal logit of items",
    description="Phase × arm models of a questionnaire: per theme (default every theme) a linear mixed model (unit"
    " random intercepts, respondent within unit where linked) and cluster-robust OLS, per item an ordinal logit"
    " (odds ratios); each row says what was fitted. A model with a phase × arm cell under the disclosure"
    " threshold is suppressed.",
)
