"""Goal attainment: the change in each citizen's GAS T-score over their own goals."""

from __future__ import annotations

from typing import Annotated

import msgspec

from service.analysis.measures.measure import Measure
from service.bounds import Identifier


class Parameters(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    rho: Annotated[float, msgspec.Meta(
        ge=0, lt=1, description="the assumed correlation between one citizen's goals in the T-score"
        " (Kiresuk & Sherman's 0.3 by default)")] = 0.3
    item_id: Annotated[Identifier, msgspec.Meta(
        description="only this goal question (default: every one)")] | None = msgspec.field(
        default=None, name="item")


MEASURE = Measure(
    name="goal-attainment", function="goal_attainment", bundle="goal_attainment", parameters=Parameters,
    runner="service.analysis.measures.goal_attainment.run",
    about="per follow-up wave, arm and unit, the change in the citizens' GAS T-scores over their own goals",
    description="Goal Attainment Scaling (Kiresuk & Sherman 1968): each citizen's T-score at baseline and at a"
    " follow-up over the goals rated at the follow-up (unweighted, the inter-goal correlation rho), linked by the"
    " panel key to the latest baseline before it; per follow-up wave, arm and unit the mean T at both with"
    " Student t intervals, the mean change with the paired t interval and test, and the share whose T rose with"
    " Wilson's interval. A unit or arm with fewer citizens than the threshold is suppressed, and one more where"
    " the arm's total would give a hidden unit away.",
)
