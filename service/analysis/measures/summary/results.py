"""The rows an evaluation's analysis returns, the same for a notebook, the CLI, the HTTP
summary and the exports: frozen Structs with the same core fields (n, estimate, 95 %
interval, p, BH-adjusted p, effect size with interval, `suppressed`, `confirmatory`),
and one `to_frame()` that makes a tidy pandas DataFrame of any list of them.

A suppressed row keeps its labels (which group, which theme) and nothing else: no count,
no estimate, no interval, so nothing about a small group leaves the server."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Literal

import msgspec
import pandas as pd

Design = Literal["independent", "linked"]


class Descriptive(msgspec.Struct, frozen=True, kw_only=True):
    """A theme (or item) in one group and wave: the mean with its t interval and the
    share agreeing (top-two box) with its Wilson interval."""

    evaluation_id: int
    audience: str
    questionnaire_id: str
    target: str  # a theme key, or an item id
    arm: str
    unit_id: int | None  # None: the whole arm
    phase: str
    sequence: int
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


class Comparison(msgspec.Struct, frozen=True, kw_only=True):
    """After against before for one theme (or item) in one arm, by one test. The estimate
    and the effect always read after − before."""

    evaluation_id: int
    audience: str
    questionnaire_id: str
    target: str
    arm: str
    design: Design
    test: str
    variant: str
    n_before: int | None
    n_after: int | None
    estimate: float | None
    estimate_name: str
    ci_low: float | None
    ci_high: float | None
    ci_method: str
    statistic: float | None
    p: float | None
    p_adjusted: float | None  # Benjamini–Hochberg within the family: one questionnaire, arm and test
    effect: str
    effect_size: float | None
    effect_low: float | None
    effect_high: float | None
    effect_method: str
    mde: float | None  # minimal detectable standardised effect (two-sided α 0.05, power 0.8)
    suppressed: bool
    confirmatory: bool  # answers an outcome of the evaluation plan (else exploratory)


class ThemeReliability(msgspec.Struct, frozen=True, kw_only=True):
    """How consistently a theme's items measure one thing, in one wave: Cronbach's α,
    McDonald's ω (one factor) and each item's mean and item–rest correlation, over the
    responses that answered every item of the theme."""

    evaluation_id: int
    questionnaire_id: str
    target: str
    phase: str
    sequence: int
    n: int | None
    items: list[str]
    alpha: float | None
    omega: float | None
    omega_method: str
    item_means: list[float | None]
    item_rest: list[float | None]
    suppressed: bool


Result = Descriptive | Comparison


def to_frame(results: Sequence[msgspec.Struct]) -> pd.DataFrame:
    """A tidy DataFrame, one row per result, one column per field."""
    if not results:
        return pd.DataFrame()
    return pd.DataFrame(msgspec.to_builtins(list(results)))


def to_json(results: object) -> str:
    """Results as the CLI prints them: the same JSON as the HTTP routes, indented."""
    return json.dumps(msgspec.to_builtins(results), ensure_ascii=False, indent=2)
