"""The demo's discovery survey (Kalundborg's first step): a wave of `kvalitet_borger` in
the demo organisation, as an evaluation of its own, whose best–worst answers follow
planted theme utilities and whose open answers are sentences about the themes, coded by
two coders who mostly agree. notebooks/04_quality_themes.ipynb goes from these answers
to the ranked themes and a derived questionnaire; the tests check the plants come back.

The picks follow the sequential best–worst model with the utilities below (Gumbel noise,
seeded); each respondent's first open answer is a sentence about a theme drawn with
probability ∝ exp(utility), and the two coders give it that theme's code, the second
coder another theme's code in CODER_DISAGREES of the answers."""

from __future__ import annotations

import datetime as dt
import uuid
from pathlib import Path

import asyncpg
import msgspec
import numpy as np

from service.admin import store as admin
from service.admin.model import EvaluationUnit, NewEvaluation, NewWave
from service.demodata import design
from service.surveys.bank import load_bank
from service.surveys.derive import derive
from service.surveys.loader import decode
from service.surveys.model import BestWorst, Questionnaire
from service.surveys.store import sync_questionnaires
from service.tokens import hash_token, new_token

QUESTIONNAIRE = "kvalitet_borger"
ITEM = "vigtigste_temaer"
OPEN = "god_kvalitet"
NAME = "Kvalitetsundersøgelse: hvad er god hjælp?"
RESPONDENTS = 240
OPENS = dt.date(2024, 3, 1)
CLOSES = dt.date(2024, 4, 15)
CODER_DISAGREES = 0.15
CODERS = ("demo:koder-1", "demo:koder-2")

# The planted importance of the candidate themes (option value -> utility, centred): citizens
# put deciding over their own life and their own goals first, as Kalundborg's did.
UTILITIES = {1: 1.2, 2: 0.9, 3: 0.6, 5: 0.3, 8: 0.0, 9: -0.3, 4: -0.6, 7: -0.9, 6: -1.2}
# One code per candidate theme (the item bank's key) and what citizens write about it.
CODES = {
    1: ("indflydelse", "Indflydelse på eget liv", ["At jeg selv bestemmer.", "At det er mit liv, og jeg bestemmer.",
                                                    "At de spørger mig, før de beslutter noget."]),
    2: ("maal_og_droemme", "Egne mål og drømme", ["At vi arbejder med det, jeg drømmer om.",
                                                   "At mine egne mål er med."]),
    3: ("sammenhaeng", "Sammenhæng i støtten", ["At de forskellige steder taler sammen.",
                                                 "At jeg ikke skal fortælle det hele igen."]),
    4: ("inddragelse_moeder", "Inddragelse i møder", ["At jeg er med til møderne."]),
    5: ("lyttet_til", "At blive lyttet til", ["At de lytter til mig.", "At jeg bliver hørt."]),
    6: ("paaroerende", "Pårørende", ["At min søster må være med."]),
    7: ("livskvalitet", "Livskvalitet", ["At jeg har det godt."]),
    8: ("opfoelgning", "Opfølgning", ["At der bliver fulgt op.", "At aftaler bliver holdt."]),
    9: ("hverdagsliv", "Sammenhæng med hverdagen", ["At hjælpen passer til min hverdag."]),
}


class Discovery(msgspec.Struct, frozen=True, kw_only=True):
    evaluation_id: int
    responses: int
    codings: int


async def _response(conn: asyncpg.Connection, wave_id: int, unit_id: int, version_id: int,
                    submitted: dt.datetime, submission_id: uuid.UUID) -> int:
    """One submitted response through a personal invitation of its own; its id."""
    invitation = await conn.fetchval(
        "insert into invitation (token_hash, kind, wave_id, unit_id, created_at) values ($1, 'personal', $2, $3, $4)"
        " returning id", hash_token(new_token()), wave_id, unit_id, submitted)
    response: int = await conn.fetchval(
        "insert into response (submission_id, invitation_id, wave_id, unit_id, questionnaire_version_id,"
        " channel, language, started_at, submitted_at) values ($1, $2, $3, $4, $5, 'web', 'da', $6, $6)"
        " returning id", submission_id, invitation, wave_id, unit_id, version_id, submitted)
    return response


async def load_discovery(conn: asyncpg.Connection, organisation_id: int, units: list[int], *, seed: int,
                         respondents: int = RESPONDENTS) -> Discovery | None:
    """The discovery evaluation in `organisation_id`'s `units` (None where the service
    does not load `kvalitet_borger`)."""
    row = await conn.fetchrow(
        "select id, definition from questionnaire_version where questionnaire_id = $1 order by version desc limit 1",
        QUESTIONNAIRE)
    if row is None:
        return None
    item = msgspec.convert(row["definition"], Questionnaire).item(ITEM)
    assert isinstance(item, BestWorst)
    rng = np.random.default_rng(seed + 19)
    evaluation = await admin.create_evaluation(conn, organisation_id, NewEvaluation(
        name=NAME, implementation_date=CLOSES, units=[EvaluationUnit(unit_id=u, arm="intervention") for u in units]))
    wave = await admin.create_wave(conn, evaluation.id, NewWave(
        name="Kvalitetsundersøgelse", phase="before", opens_on=OPENS, closes_on=CLOSES,
        questionnaire_id=QUESTIONNAIRE))
    values = list(UTILITIES)
    weights = np.exp(np.array([UTILITIES[v] for v in values]))
    weights /= weights.sum()
    submitted = dt.datetime.combine(OPENS + dt.timedelta(days=10), dt.time(10), tzinfo=dt.UTC)
    codes = {v: (await conn.fetchval(
        "insert into code (evaluation_id, key, label) values ($1, $2, $3) returning id", evaluation.id, key, label))
        for v, (key, label, _) in CODES.items()}
    answers: list[tuple[object, ...]] = []
    coded: list[tuple[object, ...]] = []
    codings: list[tuple[object, ...]] = []
    for n in range(respondents):
        unit = units[n % len(units)]
        response = await _response(conn, wave.id, unit, row["id"], submitted,
                                   uuid.UUID(int=int(rng.integers(2**62)) + n))
        for s, shown in enumerate(item.tasks, 1):
            best = max(shown, key=lambda o: UTILITIES[o] + rng.gumbel())
            worst = max((o for o in shown if o != best), key=lambda o: -UTILITIES[o] + rng.gumbel())
            answers += [(response, row["id"], ITEM, f"s{s}_best", best, None),
                        (response, row["id"], ITEM, f"s{s}_worst", worst, None)]
        theme = int(rng.choice(values, p=weights))
        sentences = CODES[theme][2]
        answers.append((response, row["id"], OPEN, "", None, sentences[int(rng.integers(len(sentences)))]))
        for coder in CODERS:
            given = theme
            if coder == CODERS[1] and rng.random() < CODER_DISAGREES:
                given = int(rng.choice([v for v in values if v != theme]))
            coded.append((evaluation.id, response, OPEN, coder))
            codings.append((evaluation.id, response, OPEN, coder, codes[given]))
    await conn.executemany(
        "insert into answer (response_id, questionnaire_version_id, item_id, dimension, value, text_value)"
        " values ($1, $2, $3, $4, $5, $6)", answers)
    await conn.executemany(
        "insert into coded_answer (evaluation_id, response_id, item_id, coder) values ($1, $2, $3, $4)", coded)
    await conn.executemany(
        "insert into coding (evaluation_id, response_id, item_id, coder, code_id) values ($1, $2, $3, $4, $5)",
        codings)
    return Discovery(evaluation_id=evaluation.id, responses=respondents, codings=len(codings))


DERIVED_ID = "egen_borger"
DERIVED_NAME = "Egen borgerundersøgelse: før og efter"
DERIVED_PER_UNIT = 24  # respondents per unit and wave
DERIVED_UPLIFT = 0.6  # on the citizens' latent scale: the key theme, intervention units, after


def derived_themes() -> list[str]:
    """The item-bank themes of the three most important planted candidates, in their order."""
    top = sorted(UTILITIES, key=lambda v: -UTILITIES[v])[:3]
    return [CODES[v][0] for v in top]


async def load_derived(conn: asyncpg.Connection, organisation_id: int, units: list[tuple[int, str]], bank: Path, *,
                       seed: int) -> int | None:
    """The questionnaire derived from the discovery's three most important themes, stored as
    the municipality would store it, and a before/after evaluation of it in the demo's
    units (each keeps its arm): every item answered on its scale around a citizen's own
    level, the key theme's items DERIVED_UPLIFT higher after in the intervention units and
    nothing else changed. None where the bank is not there (an installed package without
    the questionnaire folder)."""
    if not bank.is_dir():
        return None
    made = derive(load_bank(bank), derived_themes(), DERIVED_ID)
    questionnaire = decode(made.text, f"{DERIVED_ID}.toml")
    await sync_questionnaires(conn, [questionnaire])
    version = await conn.fetchval(
        "select id from questionnaire_version where questionnaire_id = $1 order by version desc limit 1", DERIVED_ID)
    key_theme = made.themes[0]
    evaluation = await admin.create_evaluation(conn, organisation_id, NewEvaluation(
        name=DERIVED_NAME, implementation_date=design.IMPLEMENTATION_DATE,
        units=[EvaluationUnit(unit_id=u, arm=arm) for u, arm in units]))  # type: ignore[arg-type]
    rng = np.random.default_rng(seed + 29)
    items = [(i.id, questionnaire.theme_of(i)) for i in questionnaire.items()]
    answers: list[tuple[object, ...]] = []
    for phase, sequence, opens_on, closes_on in design.WAVES:
        wave = await admin.create_wave(conn, evaluation.id, NewWave(
            name=f"{'Førmåling' if phase == 'before' else 'Eftermåling'} – egen undersøgelse", phase=phase,
            opens_on=opens_on, closes_on=closes_on, questionnaire_id=DERIVED_ID, sequence=sequence))
        submitted = dt.datetime.combine(opens_on + dt.timedelta(days=14), dt.time(11), tzinfo=dt.UTC)
        for unit, arm in units:
            for _ in range(DERIVED_PER_UNIT):
                response = await _response(conn, wave.id, unit, version, submitted,
                                           uuid.UUID(int=int(rng.integers(2**62))))
                level = rng.normal(3.3, 0.6)
                for item_id, theme in items:
                    shift = DERIVED_UPLIFT if (arm == "intervention" and phase == "after" and theme == key_theme) else 0
                    value = int(np.clip(np.rint(level + shift + rng.normal(0, 0.7)), 1, 5))
                    answers.append((response, version, item_id, value))
    await conn.executemany("insert into answer (response_id, questionnaire_version_id, item_id, value)"
                           " values ($1, $2, $3, $4)", answers)
    return evaluation.id
