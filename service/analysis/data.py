"""What evaluators read: the tidy answers (one row per respondent × item) and the
frequency tables of theme scores per wave and unit that the statistics work from."""

from __future__ import annotations

import io
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Literal

import asyncpg
import msgspec
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv

from service.analysis.measures.summary import queries
from service.design.plan import scoring_rule

Audience = Literal["citizen", "relative", "staff", "meeting"]
Arm = Literal["intervention", "comparison"]


async def tidy(
    conn: asyncpg.Connection,
    evaluation_id: int,
    *,
    audience: Audience | None = None,
    waves: Sequence[int] | None = None,
    units: Sequence[int] | None = None,
    arm: Arm | None = None,
    free_text: bool = False,
) -> pd.DataFrame:
    """One row per answered cell of an evaluation, with wave, phase, unit, arm, sector,
    audience, staff role, respondent key (a pseudonym), the value and its reverse-coded
    `value_coded`, and 'ved ikke' as `dont_know`. Free text only when asked for. These are
    microdata: nothing here is suppressed, so keep them inside the municipality."""
    out = io.BytesIO()
    await conn.copy_from_query(
        queries.TIDY, evaluation_id, audience, list(waves) if waves is not None else None,
        list(units) if units is not None else None, arm, free_text, output=out, format="csv", header=True,
    )
    frame = _read_tidy(out.getvalue())
    return frame if free_text else frame.drop(columns="text_value")


def _read_tidy(csv: bytes) -> pd.DataFrame:
    """PostgreSQL's CSV in Arrow's reader: less than half the time asyncpg's rows took to
    become Python objects and then a frame (1.1 s instead of 2.5 for the demo's 130 000
    answers), and the same types whatever the rows hold (a column with no value is still
    text or a number). CSV writes NULL bare and an empty text quoted, so '' stays '' and
    nothing else is taken for missing ('NA' is a name)."""
    table = pacsv.read_csv(io.BytesIO(csv), convert_options=pacsv.ConvertOptions(
        column_types=_TIDY_TYPES, null_values=[""], strings_can_be_null=True, quoted_strings_can_be_null=False,
        true_values=["t"], false_values=["f"], timestamp_parsers=[pacsv.ISO8601]))
    frame: pd.DataFrame = table.to_pandas()
    return frame


_TIDY_COLUMNS = [
    "evaluation_id", "evaluation", "wave_id", "wave", "phase", "sequence", "unit_id", "unit", "arm", "sector",
    "implementation_date", "audience", "questionnaire_id", "version", "response_id", "respondent_key",
    "staff_role", "assisted", "submitted_at", "item_id", "dimension", "rated_role", "choice", "theme",
    "item_type", "value", "value_coded", "dont_know", "text_value",
]
_TIDY_TYPES: dict[str, pa.DataType] = {
    c: pa.string() for c in _TIDY_COLUMNS} | {
    c: pa.int64() for c in ("evaluation_id", "wave_id", "sequence", "unit_id", "version", "response_id")} | {
    c: pa.float64() for c in ("choice", "value", "value_coded")} | {
    "assisted": pa.bool_(), "dont_know": pa.bool_(), "implementation_date": pa.date32(),
    "submitted_at": pa.timestamp("us", "UTC")}


class ScoreTable(msgspec.Struct, frozen=True):
    """How many responses of one wave and unit had each theme score."""

    wave_id: int
    phase: str
    sequence: int
    unit_id: int
    arm: str
    audience: str
    questionnaire_id: str
    theme: str
    scale_min: int
    scale_max: int
    counts: dict[float, int]
    mixed: bool = False  # the theme's items are on different scales: no score range to agree in

    @property
    def n(self) -> int:
        return sum(self.counts.values())


class LinkedTable(msgspec.Struct, frozen=True):
    """The respondents of one arm answering a theme both before and after: how many had
    each difference (after − before), and how many agreed before only (`agreed_before_only`)
    or after only (`agreed_after_only`), the discordant pairs McNemar counts."""

    arm: str
    audience: str
    questionnaire_id: str
    theme: str
    differences: dict[float, int]
    agreed_before_only: int
    agreed_after_only: int
    mixed: bool = False  # as ScoreTable.mixed: the discordant counts mean nothing then

    @property
    def n(self) -> int:
        return sum(self.differences.values())


async def score_and_pair_tables(
    conn: asyncpg.Connection, evaluation_id: int, *, min_share: float = 0.5, agreeing_at: float = 0.75
) -> tuple[list[ScoreTable], list[LinkedTable]]:
    """The frequency tables of theme scores per wave, unit and theme, and those of the
    before–after differences of linked respondents per arm and theme, from the scores'
    ingredients kept per response (response_theme_score). A response's score is the mean
    of its answered scale items of the theme after reverse coding, when at least
    `min_share` of the theme's items are answered ('ved ikke' counts as not answered);
    `agreeing_at`: the share of the scale's range from which a score counts as agreeing
    (for McNemar)."""
    tables = await _score_tables(conn, evaluation_id, min_share)
    pairs: dict[tuple[str, str, str], tuple[dict[float, int], list[int], str]] = {}
    mixed: set[tuple[str, str, str]] = set()
    for r in await _pair_counts(conn, evaluation_id, tables, min_share, agreeing_at):
        differences, discordant, _ = pairs.setdefault(
            (r["arm"], r["questionnaire_id"], r["theme"]), ({}, [0, 0], r["audience"]))
        if r["mixed"]:
            mixed.add((r["arm"], r["questionnaire_id"], r["theme"]))
        differences[r["value"]] = differences.get(r["value"], 0) + r["n"]
        if r["agreed_before"] and not r["agreed_after"]:
            discordant[0] += r["n"]
        elif r["agreed_after"] and not r["agreed_before"]:
            discordant[1] += r["n"]
    linked = [
        LinkedTable(arm, audience, questionnaire_id, theme, differences, before_only, after_only,
                    (arm, questionnaire_id, theme) in mixed)
        for (arm, questionnaire_id, theme), (differences, (before_only, after_only), audience) in pairs.items()
    ]
    return tables, linked


async def _score_tables(conn: asyncpg.Connection, evaluation_id: int, min_share: float) -> list[ScoreTable]:
    if not 0 < min_share <= 1:
        raise ValueError(f"min_share: {min_share} is not a share between 0 (excluded) and 1")
    tables: dict[tuple[object, ...], ScoreTable] = {}
    for r in await conn.fetch(queries.SCORE_COUNTS, evaluation_id, min_share, list(queries.SCALE_TYPES)):
        key = (r["wave_id"], r["unit_id"], r["questionnaire_id"], r["theme"])
        if key not in tables:
            tables[key] = ScoreTable(
                r["wave_id"], r["phase"], r["sequence"], r["unit_id"], r["arm"], r["audience"],
                r["questionnaire_id"], r["theme"], r["lo"], r["hi"], {}, r["mixed"],
            )
        tables[key].counts[r["value"]] = r["n"]
    return list(tables.values())


async def _pair_counts(conn: asyncpg.Connection, evaluation_id: int, tables: Sequence[ScoreTable],
                       min_share: float, agreeing_at: float) -> list[asyncpg.Record]:
    """The linked respondents' counts: from the kept pairs where each side of every
    questionnaire is one wave answered once per key, else matching keys as it reads."""
    before, after = _linking_waves(tables)
    waves = sorted(w for side in (before, after) for ws in side.values() for w in ws)
    types = list(queries.SCALE_TYPES)
    one_wave_a_side = all(len(ws) == 1 for side in (before, after) for ws in side.values())
    if one_wave_a_side and not await conn.fetchval(
            "select exists (select 1 from theme_pair_ambiguous where wave_id = any($1::bigint[]))", waves):
        rows: list[asyncpg.Record] = await conn.fetch(
            queries.PAIR_COUNTS, evaluation_id, min_share, types,
            [w for ws in before.values() for w in ws], [w for ws in after.values() for w in ws], agreeing_at)
    else:
        rows = await conn.fetch(queries.PAIR_COUNTS_MATCHED, evaluation_id, min_share, types, waves, agreeing_at)
    return rows


def _linking_waves(tables: Iterable[ScoreTable]) -> tuple[dict[str, set[int]], dict[str, set[int]]]:
    """The waves whose respondents are linked, per questionnaire: the first waves before
    (lowest sequence) and the latest follow-ups (highest), among waves with scores."""
    first: dict[str, int] = {}
    latest: dict[str, int] = {}
    for t in tables:
        if t.phase == "before":
            first[t.questionnaire_id] = min(first.get(t.questionnaire_id, t.sequence), t.sequence)
        elif t.phase == "after":
            latest[t.questionnaire_id] = max(latest.get(t.questionnaire_id, t.sequence), t.sequence)
    before: dict[str, set[int]] = {}
    after: dict[str, set[int]] = {}
    for t in tables:
        if t.phase == "before" and t.sequence == first[t.questionnaire_id]:
            before.setdefault(t.questionnaire_id, set()).add(t.wave_id)
        elif t.phase == "after" and t.sequence == latest[t.questionnaire_id]:
            after.setdefault(t.questionnaire_id, set()).add(t.wave_id)
    return before, after


async def theme_score_tables(
    conn: asyncpg.Connection, evaluation_id: int, *, min_share: float | None = None
) -> list[ScoreTable]:
    """The theme scores' frequency tables alone (see score_and_pair_tables), under the
    plan's scoring rule (`min_share` None: the plan's; another value is refused)."""
    return await _score_tables(conn, evaluation_id, await scoring_rule(conn, evaluation_id, min_share))


def periods(rows: Iterable[Mapping[str, Any]]) -> dict[int, str]:
    """Which side of a before/after comparison each wave (`wave_id`, `phase`, `sequence`)
    is on: 'before' for phase before, 'after' for the latest follow-up; the waves between
    are on neither (as the summary compares them)."""
    rows = list(rows)
    latest = max((r["sequence"] for r in rows if r["phase"] == "after"), default=None)
    return {r["wave_id"]: "before" if r["phase"] == "before" else "after"
            for r in rows if r["phase"] == "before" or r["sequence"] == latest}


def merged(tables: Sequence[ScoreTable]) -> Counter[float]:
    """One frequency table for several (units of an arm, say)."""
    total: Counter[float] = Counter()
    for t in tables:
        total.update(t.counts)
    return total


async def evaluations(conn: asyncpg.Connection) -> pd.DataFrame:
    """Every evaluation with its organisation, implementation date and number of responses."""
    rows = await conn.fetch(queries.EVALUATIONS)
    return pd.DataFrame([dict(r) for r in rows],
                        columns=["evaluation_id", "evaluation", "organisation", "implementation_date", "responses"])
