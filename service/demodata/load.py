"""Write a generated demo evaluation into PostgreSQL: organisation, units, evaluation and
waves through the admin store (the product's own path), then invitations, responses,
answers and flow counts with COPY, all in one transaction. Row ids are taken from the
tables' own sequences first, so COPY can link answers to responses without a round
trip per response (COPY writes given values into identity columns).

The theme scores the summary reads (response_theme_score and the linked pairs in
theme_pair, migration 0007) are kept by PostgreSQL's triggers on each COPY of answers,
one chunk at a time, as for every other writer: nothing here computes them.

Speed on the 2-core development machine (28 November 2026, embedded PostgreSQL):
10^4 responses (164 000 answer rows) in 3.0 s, 10^5 (1.64 million) in 26 s, nearly
all of it PostgreSQL checking each answer's foreign keys; 10^6 should take about ten
times that (not measured). Answers are generated and copied in chunks of CHUNK
respondents, so memory grows with a wave's respondents (a few numbers each), not with
its answers."""

from __future__ import annotations

import datetime as dt
import sys
import time
from pathlib import Path
from typing import Any

import asyncpg
import msgspec
from tqdm import tqdm

from service.admin import store as admin
from service.admin.model import EvaluationUnit, NewEvaluation, NewOrganisation, NewUnit, NewWave
from service.demodata import design
from service.demodata import generate as gen
from service.surveys.model import Questionnaire
from service.tokens import hash_token, new_token

INVITATION_COLUMNS = ("id", "token_hash", "kind", "wave_id", "unit_id", "respondent_key", "created_at")
RESPONSE_COLUMNS = ("id", "submission_id", "invitation_id", "wave_id", "unit_id", "questionnaire_version_id",
                    "respondent_key", "staff_role", "assisted", "channel", "language", "started_at", "submitted_at")


class Loaded(msgspec.Struct, frozen=True, kw_only=True):
    organisation_id: int
    organisation: str
    evaluation_id: int
    seed: int
    responses: int
    invitations: int
    answers: int
    flow_months: int  # 0 when the database has no flow_month table
    seconds: float
    discovery_evaluation_id: int | None = None  # the discovery survey's evaluation (load_with_discovery)
    derived_evaluation_id: int | None = None  # the before/after evaluation of the questionnaire derived from it


class LoadedVersion(msgspec.Struct, frozen=True):
    id: int  # questionnaire_version.id
    version: int
    questionnaire: Questionnaire


async def questionnaire_versions(conn: asyncpg.Connection) -> dict[str, dict[str, LoadedVersion]]:
    """Per questionnaire the version each phase asks: the newest loaded one, but the
    baseline of a questionnaire in design.BASELINE_VERSION asks that version when it is
    loaded (a follow-up version may add retrospective items a baseline cannot ask)."""
    rows = await conn.fetch("select id, questionnaire_id, version, definition from questionnaire_version"
                            " order by questionnaire_id, version")
    versions: dict[str, dict[int, LoadedVersion]] = {}
    for r in rows:
        versions.setdefault(r["questionnaire_id"], {})[r["version"]] = LoadedVersion(
            r["id"], r["version"], msgspec.convert(r["definition"], Questionnaire))
    chosen: dict[str, dict[str, LoadedVersion]] = {}
    for qid, by_number in versions.items():
        newest = by_number[max(by_number)]
        chosen[qid] = {"before": by_number.get(design.BASELINE_VERSION.get(qid, newest.version), newest),
                       "after": newest}
    return chosen


async def _ids(conn: asyncpg.Connection, table: str, n: int) -> list[int]:
    if n == 0:
        return []
    ids = await conn.fetchval(
        "select array_agg(nextval(pg_get_serial_sequence($1, 'id'))) from generate_series(1, $2)", table, n)
    return sorted(ids)


async def load(conn: asyncpg.Connection, *, seed: int, responses: int, progress: bool = False) -> Loaded:
    """Create "Demokommune (frø SEED)" with about `responses` responses. The same seed and
    count give the same data (ids, token hashes and load times aside). Refused (Conflict)
    when that organisation exists already: every seed is loaded once per database."""
    started = time.perf_counter()
    loaded = await questionnaire_versions(conn)
    present = [q for q in design.SHARE if q in loaded]
    counts = gen.split(responses, design.SHARE, present)
    totals = {"invitations": 0, "answers": 0, "responses": 0}
    bar = tqdm(total=responses, unit=" svar", desc="demo-data", file=sys.stderr, disable=not progress,
               mininterval=0.5)
    async with conn.transaction():
        name = design.ORGANISATION.format(seed=seed)
        org_id = (await admin.create_organisation(conn, NewOrganisation(name=name))).id
        unit_ids = [(await admin.create_unit(conn, org_id, NewUnit(name=u.name, sector=u.sector))).id
                    for u in design.UNITS]
        evaluation = await admin.create_evaluation(conn, org_id, NewEvaluation(
            name=design.EVALUATION, implementation_date=design.IMPLEMENTATION_DATE,
            units=[EvaluationUnit(unit_id=uid, arm=u.arm, implementation_date=(
                design.COMPARISON_IMPLEMENTATION_DATE if u.arm == "comparison" else None))
                for uid, u in zip(unit_ids, design.UNITS)],
        ))
        next_key = 0
        for qid in present:
            themes = sorted({t for v in loaded[qid].values() for t in v.questionnaire.themes})
            before: gen.Respondents | None = None
            for phase, sequence, opens_on, closes_on in design.WAVES:
                asked = loaded[qid][phase]
                static = gen.static(asked.questionnaire, seed, themes)
                wave = await admin.create_wave(conn, evaluation.id, NewWave(
                    name=f"{design.WAVE_LABEL[phase]} – {design.QUESTIONNAIRE_LABEL.get(qid, qid)}", phase=phase,
                    opens_on=opens_on, closes_on=closes_on, questionnaire_id=qid, version=asked.version,
                    sequence=sequence,
                ))
                plan = gen.WavePlan(wave_id=wave.id, qv_id=asked.id, questionnaire=asked.questionnaire, phase=phase,
                                    sequence=sequence, opens_on=opens_on, closes_on=closes_on, unit_ids=unit_ids,
                                    themes=themes)
                n = counts[qid] // 2 + (counts[qid] % 2 if phase == "before" else 0)
                people = gen.respondents(plan, n, seed, before, next_key)
                next_key += len(people.key) + sum(len(k) for k in people.extra_keys)
                written = await _wave(conn, plan, people, static, seed, org_id, bar)
                for k, v in written.items():
                    totals[k] += v
                before = people
        flow = 0
        if await conn.fetchval("select to_regclass('flow_month') is not null"):
            rows = gen.flow_rows(unit_ids, seed)
            await conn.copy_records_to_table("flow_month", records=rows, columns=list(gen.FLOW_COLUMNS))
            flow = len(rows)
    bar.close()
    # A bulk load leaves the planner's statistics behind (autovacuum catches up later):
    # without them, the analysis queries on these tables are planned as if they were empty.
    # Vacuumed too where it can be (not inside a caller's transaction): the first reader
    # of a freshly copied row otherwise pays for marking it visible, and at 10^6
    # responses that made the first summary several times slower than the next.
    await conn.execute("analyze" if conn.is_in_transaction() else "vacuum (analyze)")
    return Loaded(organisation_id=org_id, organisation=name, evaluation_id=evaluation.id, seed=seed,
                  responses=totals["responses"], invitations=totals["invitations"], answers=totals["answers"],
                  flow_months=flow, seconds=round(time.perf_counter() - started, 2))


async def _wave(
    conn: asyncpg.Connection, plan: gen.WavePlan, people: gen.Respondents, static: gen.Static, seed: int,
    org_id: int, bar: tqdm[Any],
) -> dict[str, int]:
    pseudonyms: dict[str, str] = {}

    def pseudonym(key: str | None) -> str | None:
        if key is None:
            return None
        if key not in pseudonyms:
            pseudonyms[key] = admin.pseudonym(design.DEMO_SECRET, org_id, key)
        return pseudonyms[key]

    invited = dt.datetime.combine(plan.opens_on - dt.timedelta(days=7), dt.time(9), tzinfo=dt.UTC)
    total = len(people.key)
    uuids = gen.submission_ids(plan, seed, total)
    written = {"invitations": 0, "answers": 0, "responses": 0}
    for chunk, start in enumerate(range(0, total, gen.CHUNK)):
        rows = slice(start, min(start + gen.CHUNK, total))
        size = rows.stop - rows.start
        invitation_ids = await _ids(conn, "invitation", size)
        response_ids = await _ids(conn, "response", size)
        units = [plan.unit_ids[int(u)] for u in people.unit[rows]]
        keys = [pseudonym(k) for k in people.key[rows]]
        await conn.copy_records_to_table("invitation", columns=list(INVITATION_COLUMNS), records=[
            (i, hash_token(new_token()), "personal", plan.wave_id, u, k, invited)
            for i, u, k in zip(invitation_ids, units, keys)
        ])
        answers, assisted = gen.answer_rows(plan, people, rows, response_ids, static, seed, chunk)
        started_at, submitted_at = gen.timestamps(plan, people, rows)
        await conn.copy_records_to_table("response", columns=list(RESPONSE_COLUMNS), records=[
            (rid, sid, iid, plan.wave_id, u, plan.qv_id, k, role, a, "paper" if paper else "web",
             "en" if english else "da", s, t)
            for rid, sid, iid, u, k, role, a, paper, english, s, t in zip(
                response_ids, uuids[rows], invitation_ids, units, keys, people.role[rows], assisted,
                people.paper[rows].tolist(), people.english[rows].tolist(), started_at, submitted_at)
        ])
        await conn.copy_records_to_table("answer", columns=list(gen.ANSWER_COLUMNS), records=answers)
        written["invitations"] += size
        written["responses"] += size
        written["answers"] += len(answers)
        bar.update(size)
    # the invitations nobody answered, so that response rates are rates
    extra: list[tuple[int, str | None]] = [
        (plan.unit_ids[u], key) for u, n in enumerate(people.extra_invitations.tolist())
        for key in (list[str | None](people.extra_keys[u]) or [None] * n)]
    ids = await _ids(conn, "invitation", len(extra))
    await conn.copy_records_to_table("invitation", columns=list(INVITATION_COLUMNS), records=[
        (i, hash_token(new_token()), "personal", plan.wave_id, u, pseudonym(k), invited)
        for i, (u, k) in zip(ids, extra)
    ])
    written["invitations"] += len(extra)
    return written


async def load_with_discovery(conn: asyncpg.Connection, *, seed: int, responses: int, progress: bool = False,
                              bank: Path | None = None) -> Loaded:
    """`load`, and in the same organisation and transaction the discovery survey that comes
    before it and, with the item `bank`, the before/after evaluation of the questionnaire
    derived from its most important themes (service/demodata/discovery.py): what `sammen
    demo-data` and `sammen demo` load."""
    from service.demodata.discovery import load_derived, load_discovery

    async with conn.transaction():
        loaded = await load(conn, seed=seed, responses=responses, progress=progress)
        units = [(r["unit_id"], r["arm"]) for r in await conn.fetch(
            "select unit_id, arm from evaluation_unit where evaluation_id = $1 order by unit_id",
            loaded.evaluation_id)]
        found = await load_discovery(conn, loaded.organisation_id, [u for u, _ in units], seed=seed)
        derived = await load_derived(conn, loaded.organisation_id, units, bank, seed=seed) if bank else None
    return msgspec.structs.replace(loaded, discovery_evaluation_id=found.evaluation_id if found else None,
                                   derived_evaluation_id=derived)
