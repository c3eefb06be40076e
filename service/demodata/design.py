"""The demo evaluation: one municipality, its units and arms, its waves, and every effect
planted in the data, in one place. The generator (generate.py) reads only this module,
so what an evaluator should find is written here and nowhere else.

The municipality
----------------
"Demokommune (frø S)", one per seed S, with ten units of five role groups
(``UNITS``): intervention units implement the recovery-oriented way of working on
``IMPLEMENTATION_DATE`` (1 January 2025); comparison units implement a year later
(``COMPARISON_IMPLEMENTATION_DATE``, stored as ``evaluation_unit.implementation_date``),
after the follow-up wave. Two units (``small=True``) get 2-4 respondents per wave of
every questionnaire, under the disclosure threshold of 5, whatever ``--responses``.

Waves
-----
Every questionnaire in the folder (borger, paaroerende, medarbejder, moede_borger,
moede_medarbejder) gets a baseline (phase ``before``, sequence 0, autumn 2024) and a
follow-up (phase ``after``, sequence 1, autumn 2025) at its newest loaded version
(the citizens' baseline at version 1, ``BASELINE_VERSION``).
``SHARE`` splits the responses between questionnaires; each wave gets half.
Every response comes through a personal invitation; ``RESPONSE_RATE`` of the
invitations are answered, the rest stay unanswered (so response rates look real).
Citizens carry a respondent key (``demo-<seed>-<n>``, pseudonymised with
``DEMO_SECRET`` as ``service.admin.store.pseudonym`` does); ``LINKED_SHARE`` of the
follow-up citizens of a unit are the same people as at baseline (a panel), with
latent scores correlated ``PANEL_CORRELATION`` across the year.

How an answer is made
---------------------
Each respondent has a latent normal score per theme: a general part shared by all
themes (``THEME_CORRELATION``), a theme part, and a small unit effect
(``UNIT_EFFECT_SD``), scaled so the latent score has SD 1 in every unit-free group.
A five-point item is ``latent + item offset + noise(ITEM_NOISE_SD)`` cut at
``THRESHOLDS`` into 1-5; a reverse-coded item is then flipped (6 - value), so after the
analysis reverses it back it points the same way as its theme. 0-10 items use
``5.5 + 2 x (latent + noise)`` rounded and clipped. Matrix cells (staff rating each
other group) use a latent collaboration score per rater plus a rated-group part.
'Ved ikke' is chosen with ``DONT_KNOW_SHARE`` (``MATRIX_DONT_KNOW_SHARE`` for matrix
cells) where the item offers it; a paper response (``PAPER_SHARE``, typed in by staff)
skips each item with ``PAPER_SKIP_SHARE``; free text is written by ``COMMENT_SHARE``.
Items hidden by ``show_if`` are left out, like the form leaves them out.

PLANTED EFFECTS (everything not listed is null: no change before -> after, no arm difference)
---------------------------------------------------------------------------------------------
1. Citizens (questionnaire ``borger``), themes ``indflydelse`` (influence on own life)
   and ``maal_og_droemme`` (own goals, hopes and dreams): +0.40 SD on the latent scale
   at follow-up in intervention units; 0 in comparison units (``THEME_EFFECTS``).
   What that is on the 1-5 scale (measured, seed 1, 10^5 responses, about 23 000
   answers per arm and wave): the theme score's Hedges' g is 0.365 (indflydelse) and
   0.356 (maal_og_droemme), not 0.40, because cutting into five points (a ceiling at
   5) and item noise attenuate it; the mean item value rises 0.37 points (3.61 -> 3.98,
   3.54 -> 3.90), the share agreeing (4-5) 13-14 percentage points (59 % -> 72 %,
   56 % -> 69 %). Comparison units: |g| <= 0.012; the other citizen themes: |g| <= 0.025
   in both arms. Over seeds 1-8 at 8000 responses the intervention g lies in 0.31-0.43,
   comparison within +-0.08 (seed 1, the test: 0.31 and 0.37; 0.03 and 0.06).
2. Staff collaboration (``medarbejder``, matrix ``samarbejde``): every dimension of the
   cells where a myndighed rater rates udfoerer or an udfoerer rater rates myndighed:
   +0.40 SD latent at follow-up in intervention units (``COLLABORATION_EFFECT``).
   Per rater and rated group, the mean over the dimensions rises by g about 0.4
   (seed 1, 8000 responses: 0.42); all other cells and comparison units: null.
3. Citizen flow (table ``flow_month``, 36 months from ``FLOW_START``): courses ended
   per month up 18 % from the implementation date on in intervention units
   (``ENDED_UPLIFT``); comparison units stay flat all 36 months, also after their own
   implementation (January 2026, month 31): nothing is planted there. Starts follow
   ends (a unit keeps its places filled), and the stock always adds up: enrolled next
   month = enrolled + started - ended. Measured, seed 1: ended after/before 1.18 in
   intervention units, 1.06 in comparison units (Poisson noise).
"""

from __future__ import annotations

import datetime as dt
from typing import Final, Literal

import msgspec

from service.admin.model import Arm, Sector


class DemoUnit(msgspec.Struct, frozen=True):
    name: str
    sector: Sector
    arm: Arm
    weight: float  # share of the responses of a wave, among the units that are not small
    small: bool = False  # 2-4 respondents per wave: under the disclosure threshold
    places: int = 30  # citizens in a course at a time (flow_month); a provider's capacity


UNITS: Final[tuple[DemoUnit, ...]] = (
    DemoUnit("Bostøtte Nord", "udfoerer", "intervention", 1.4, places=180),
    DemoUnit("Botilbud Engen", "udfoerer", "intervention", 1.0, places=40),
    DemoUnit("Myndighed Voksen Øst", "myndighed", "intervention", 1.2, places=450),
    DemoUnit("Sygeplejen Psykiatri", "sygepleje", "intervention", 0.8, places=120),
    DemoUnit("Distriktspsykiatrien Vest", "distriktspsykiatri", "intervention", 0.8, places=300),
    DemoUnit("Dagtilbud Værkstedet", "udfoerer", "intervention", 0.0, small=True, places=25),
    DemoUnit("Bostøtte Syd", "udfoerer", "comparison", 1.4, places=170),
    DemoUnit("Myndighed Voksen Vest", "myndighed", "comparison", 1.2, places=420),
    DemoUnit("Jobcenter Ressourceforløb", "jobcenter", "comparison", 1.0, places=250),
    DemoUnit("Botilbud Fjorden", "udfoerer", "comparison", 0.0, small=True, places=20),
)

ORGANISATION: Final = "Demokommune (frø {seed})"
EVALUATION: Final = "Recovery-orienteret praksis 2024-2025"
IMPLEMENTATION_DATE: Final = dt.date(2025, 1, 1)
COMPARISON_IMPLEMENTATION_DATE: Final = dt.date(2026, 1, 1)
# (phase, sequence, opens_on, closes_on)
WAVES: Final[tuple[tuple[Literal["before", "after"], int, dt.date, dt.date], ...]] = (
    ("before", 0, dt.date(2024, 9, 1), dt.date(2024, 11, 30)),
    ("after", 1, dt.date(2025, 9, 1), dt.date(2025, 11, 30)),
)
WAVE_LABEL: Final = {"before": "Førmåling", "after": "Eftermåling"}

# A questionnaire whose baseline asks an earlier version than its follow-up (when that
# version is loaded): a follow-up version may add retrospective items ("compared with a
# year ago ..."). Every other wave asks the newest loaded version.
BASELINE_VERSION: Final = {"borger": 1}
# Share of --responses per questionnaire (a questionnaire not loaded is left out).
SHARE: Final = {"borger": 0.40, "paaroerende": 0.15, "medarbejder": 0.15, "moede_borger": 0.15,
                "moede_medarbejder": 0.15}
QUESTIONNAIRE_LABEL: Final = {"borger": "borgere", "paaroerende": "pårørende", "medarbejder": "medarbejdere",
                              "moede_borger": "møder (borger)", "moede_medarbejder": "møder (medarbejder)"}
SMALL_UNIT_RESPONSES: Final = (2, 4)  # inclusive range per wave and questionnaire
RESPONSE_RATE: Final = 0.7
LINKED_SHARE: Final = 0.5
PANEL_CORRELATION: Final = 0.6
DEMO_SECRET: Final = "sammen-demo-data-secret-not-for-real-respondents"

# The latent scale and the answers cut from it.
THEME_CORRELATION: Final = 0.5
UNIT_EFFECT_SD: Final = 0.15
ITEM_NOISE_SD: Final = 0.4
THRESHOLDS: Final = (-1.6, -0.8, 0.0, 1.0)  # latent + offset below -1.6 -> 1, ..., above 1.0 -> 5
ITEM_OFFSET_RANGE: Final = (0.1, 0.6)  # a citizen tends to agree: item means about 3.4-3.9
DONT_KNOW_SHARE: Final = 0.06
MATRIX_DONT_KNOW_SHARE: Final = 0.12
PAPER_SHARE: Final = 0.08
PAPER_SKIP_SHARE: Final = 0.06
COMMENT_SHARE: Final = 0.12
ENGLISH_SHARE: Final = 0.04
COMMENTS: Final = (
    "Det er blevet bedre at komme til møderne.",
    "Jeg vil gerne have mere tid med min kontaktperson.",
    "Tak for hjælpen.",
    "Det er svært at få fat på sagsbehandleren.",
    "Samarbejdet med bostøtten fungerer godt.",
    "Vi mangler at kende hinandens opgaver bedre.",
)

# PLANTED EFFECTS, on the latent scale (SD 1): (questionnaire, theme) -> shift at follow-up, per arm.
THEME_EFFECTS: Final[dict[tuple[str, str], dict[str, float]]] = {
    ("borger", "indflydelse"): {"intervention": 0.40, "comparison": 0.0},
    ("borger", "maal_og_droemme"): {"intervention": 0.40, "comparison": 0.0},
}
COLLABORATION_ITEM: Final = ("medarbejder", "samarbejde")
COLLABORATION_PAIRS: Final = frozenset({("myndighed", "udfoerer"), ("udfoerer", "myndighed")})  # (rater, rated)
COLLABORATION_EFFECT: Final = {"intervention": 0.40, "comparison": 0.0}

# Citizen flow: 36 months, per unit.
FLOW_START: Final = dt.date(2023, 7, 1)
FLOW_MONTHS: Final = 36
ENDED_PER_PLACE: Final = 0.06  # courses ended per month and place (a course lasts about 17 months)
ENDED_UPLIFT: Final = 0.18  # intervention units, from IMPLEMENTATION_DATE on


def theme_effect(questionnaire_id: str, theme: str | None, arm: str, phase: str) -> float:
    if phase != "after" or theme is None:
        return 0.0
    return THEME_EFFECTS.get((questionnaire_id, theme), {}).get(arm, 0.0)


def collaboration_effect(rater: str, rated: str, arm: str, phase: str) -> float:
    if phase != "after" or (rater, rated) not in COLLABORATION_PAIRS:
        return 0.0
    return COLLABORATION_EFFECT[arm]
