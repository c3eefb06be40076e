"""What the non-response measure gives: channel and help per arm and wave, and the
weighted sensitivity analysis of every theme's change."""

from __future__ import annotations

import msgspec

from service.analysis.stats.results import Interval


class Share(msgspec.Struct, frozen=True, kw_only=True):
    """One channel ('web', 'api', 'paper'), mode ('assisted', 'self') or format
    ('standard', 'easy_read') of an arm's responses in a wave."""

    kind: str  # 'channel', 'mode' or 'format'
    value: str
    responses: int | None  # None where suppressed
    share: Interval | None  # of the arm's responses in the wave, Wilson score
    suppressed: bool


class WaveChannels(msgspec.Struct, frozen=True, kw_only=True):
    wave_id: int
    wave: str
    questionnaire_id: str
    phase: str
    sequence: int
    arm: str
    responses: int | None  # None where the arm's total is hidden
    shares: list[Share]
    suppressed: bool


class WeightedChange(msgspec.Struct, frozen=True, kw_only=True):
    """A theme's after − before in one arm, unweighted and weighted for non-response."""

    questionnaire_id: str
    theme: str
    arm: str
    threshold: int
    suppressed: bool
    n_before: int | None
    n_after: int | None
    unweighted_before: float | None = None
    unweighted_after: float | None = None
    unweighted: Interval | None = None  # difference in means, Welch's t interval
    weighted_before: float | None = None
    weighted_after: float | None = None
    weighted: Interval | None = None  # weighted difference, Welch's t on the weighted variances
    effective_before: float | None = None  # Kish's (Σw)²/Σw²
    effective_after: float | None = None


class Nonresponse(msgspec.Struct, frozen=True, kw_only=True):
    evaluation_id: int
    weighting: str  # the weighting, named
    channels: list[WaveChannels]
    themes: list[WeightedChange]
