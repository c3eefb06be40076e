"""The rows of the relational-coordination analysis: the index per tie (rater role →
rated role), per rater role, per rated role and overall, and after-vs-before per tie.
They carry the same core fields as Descriptive and Comparison (results.py), plus the two
role groups a heatmap is drawn from; a suppressed row keeps only its labels."""

from __future__ import annotations

from typing import Literal

import msgspec

from service.analysis.measures.summary.results import Comparison, ThemeReliability

Level = Literal["tie", "rater", "rated", "all"]


class TieIndex(msgspec.Struct, frozen=True, kw_only=True):
    """The relational-coordination index (1–5) of one group of raters in one arm and wave.

    level 'tie': raters of `rater_role` rating `rated_role`, n = those raters; 'rated':
    every rater rating `rated_role`; 'rater': raters of `rater_role`, each by the mean of
    their tie scores; 'all': every rater, likewise. Mean with Student's t interval; the
    share agreeing (index at or above the top-two box, 4 on 1–5) with Wilson's interval."""

    evaluation_id: int
    questionnaire_id: str
    item_id: str
    level: Level
    arm: str
    phase: str
    sequence: int
    rater_role: str | None
    rated_role: str | None
    n: int | None
    mean: float | None
    mean_low: float | None
    mean_high: float | None
    mean_method: str
    share_agreeing: float | None
    share_low: float | None
    share_high: float | None
    share_method: str
    suppressed: bool


class TieComparison(Comparison, frozen=True, kw_only=True):
    """After against before for one tie in one arm (target: the matrix item)."""

    rater_role: str
    rated_role: str


class Coordination(msgspec.Struct, frozen=True, kw_only=True):
    """Everything the relational-coordination analysis of an evaluation shows."""

    evaluation_id: int
    questionnaire_id: str
    item_id: str
    threshold: int  # raters a group needs to be shown (the item's, if stricter than the service's)
    min_share: float  # share of the dimensions a tie score needs answered
    scoring: str  # how a tie score is made, in words
    indices: list[TieIndex]
    comparisons: list[TieComparison]
    reliability: list[ThemeReliability]  # Cronbach's α of the dimensions per wave (target: the item)
