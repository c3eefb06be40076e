"""What theme importance gives: per best–worst question and wave, each theme's scores."""

from __future__ import annotations

import msgspec

from service.analysis.stats.results import Interval, TestResult


class ThemeScore(msgspec.Struct, frozen=True, kw_only=True):
    value: int  # the option's code
    label_da: str
    label_en: str
    theme: str | None = None  # the item bank's theme the option names, if it does
    shown: int | None = None  # None where the question is suppressed
    best: int | None = None
    worst: int | None = None
    score: Interval | None = None  # counting score (best − worst)/shown, mean over respondents
    utility: Interval | None = None  # the logit's centred utility; None where it cannot be fitted
    share: float | None = None  # share of preference exp(u)/Σ exp(u)


class ThemeImportance(msgspec.Struct, frozen=True, kw_only=True):
    questionnaire_id: str
    item_id: str
    wave_id: int
    phase: str
    sequence: int
    threshold: int
    suppressed: bool
    respondents: int | None  # None where suppressed
    themes: list[ThemeScore]  # in the order of the options' codes
    equal: TestResult | None = None  # every theme equally important
    note: str | None = None  # why the logit has no estimate
