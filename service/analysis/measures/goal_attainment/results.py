"""What goal attainment gives: per follow-up wave, arm and unit, the change in GAS T-scores."""

from __future__ import annotations

import msgspec

from service.analysis.stats.goal_attainment import GoalAttainmentChange


class GoalAttainment(msgspec.Struct, frozen=True, kw_only=True):
    questionnaire_id: str  # the follow-up's questionnaire
    item_id: str
    wave_id: int  # the follow-up wave
    phase: str
    sequence: int
    arm: str
    unit_id: int | None  # None: the arm's citizens together
    threshold: int
    suppressed: bool
    citizens: int | None  # None where suppressed
    goals: int | None  # goals rated at the follow-up, over the citizens
    rho: float
    change: GoalAttainmentChange | None = None  # None where suppressed
