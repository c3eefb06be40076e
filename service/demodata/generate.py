"""Rows of the demo evaluation from a seed, without a database: respondents per wave,
their answers as rows of the `answer` table, and monthly flow counts. Pure functions of
numpy Generators derived from (seed, questionnaire, wave, chunk), so the same seed gives
the same data whatever else runs, and a wave is made in chunks of fixed size so that
10^6 responses never sit in memory at once. What is planted is read from design.py."""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid
from collections.abc import Sequence

import msgspec
import numpy as np
import numpy.typing as npt

from service.demodata import design
from service.roles import OTHER, ROLE_KEYS
from service.surveys.model import (
    DONT_KNOW,
    Agreement,
    FreeText,
    Frequency,
    Item,
    Matrix,
    MultipleChoice,
    Questionnaire,
    Role,
    Scale010,
    SingleChoice,
    YesNo,
)

CHUNK = 5000  # respondents generated (and loaded) together; part of what a seed means
ABSENT = -9  # not shown, or skipped: no answer row
DK = -1  # 'ved ikke'
Ints = npt.NDArray[np.int64]
Floats = npt.NDArray[np.float64]
Bools = npt.NDArray[np.bool_]

# (response_id, questionnaire_version_id, item_id, dimension, rated_role, choice, value, text_value, dont_know)
AnswerRecord = tuple[int, int, str, str, str | None, int | None, int | None, str | None, bool]
ANSWER_COLUMNS = ("response_id", "questionnaire_version_id", "item_id", "dimension", "rated_role", "choice",
                  "value", "text_value", "dont_know")


def rng_for(seed: int, *path: int) -> np.random.Generator:
    """A generator for one part of the data: the parts do not share a stream, so adding
    a questionnaire or changing --responses leaves the other parts' draws alone."""
    return np.random.default_rng([seed, *path])


def stable_number(name: str) -> int:
    """A number per questionnaire or item id for rng_for (not hash(): that changes per process)."""
    return int.from_bytes(hashlib.sha256(name.encode()).digest()[:4], "big")


class WavePlan(msgspec.Struct, frozen=True, kw_only=True):
    """A wave as the generator needs it: which questionnaire, when, and where."""

    wave_id: int
    qv_id: int
    questionnaire: Questionnaire
    phase: str
    sequence: int
    opens_on: dt.date
    closes_on: dt.date
    unit_ids: list[int]  # in the order of design.UNITS
    themes: list[str]  # the latent columns: the themes of both waves' versions, in one order


class Respondents(msgspec.Struct, kw_only=True):
    """One wave's respondents, one entry per response (arrays of equal length)."""

    unit: Ints  # index into design.UNITS
    key: list[str | None]  # the clear respondent key (citizens), before pseudonymisation
    latent: Floats  # respondents x (themes + 1): the last column is the staff collaboration score
    role: list[str | None]  # staff role (questionnaires with a role item)
    paper: Bools
    english: Bools
    submitted: Floats  # seconds after the wave opened
    minutes: Floats  # time taken
    extra_invitations: Ints  # per unit: invitations left unanswered
    extra_keys: list[list[str]]  # per unit: the keys of those invitations (citizens)


def split(total: int, shares: dict[str, float], present: Sequence[str]) -> dict[str, int]:
    """--responses split between the questionnaires that are loaded, summing to total."""
    weights = np.array([shares.get(q, 0.1) for q in present])
    exact = total * weights / weights.sum()
    counts = np.floor(exact).astype(int)
    for i in np.argsort(-(exact - counts))[: total - int(counts.sum())]:
        counts[i] += 1
    return {q: int(c) for q, c in zip(present, counts)}


def unit_counts(n: int, rng: np.random.Generator) -> Ints:
    """Responses per unit of one wave: small units 2-4, the rest by weight."""
    lo, hi = design.SMALL_UNIT_RESPONSES
    counts = np.zeros(len(design.UNITS), dtype=np.int64)
    small = [i for i, u in enumerate(design.UNITS) if u.small]
    for i in small:
        counts[i] = min(int(rng.integers(lo, hi + 1)), max(n - int(counts.sum()), 0))
    weights = np.array([0.0 if u.small else u.weight for u in design.UNITS])
    counts += rng.multinomial(max(n - int(counts.sum()), 0), weights / weights.sum())
    return counts


def _latent(rng: np.random.Generator, n: int, themes: int) -> Floats:
    """Per respondent and theme a standard normal score, themes correlated THEME_CORRELATION
    through a general part; the last column (collaboration) the same way."""
    c = design.THEME_CORRELATION
    general = rng.standard_normal((n, 1))
    own = rng.standard_normal((n, themes + 1))
    out: Floats = np.sqrt(c) * general + np.sqrt(1 - c) * own
    return out


def respondents(
    plan: WavePlan, n: int, seed: int, before: Respondents | None, key_start: int
) -> Respondents:
    """Who answers one wave. `before` (the baseline of the same questionnaire) lets
    LINKED_SHARE of the follow-up citizens of each unit be baseline citizens again."""
    q = plan.questionnaire
    rng = rng_for(seed, stable_number(q.id), 1 + plan.sequence)
    counts = unit_counts(n, rng)
    unit = np.repeat(np.arange(len(design.UNITS)), counts)
    total = int(counts.sum())
    themes = len(plan.themes)
    latent = _latent(rng, total, themes)
    keyed = q.audience == "citizen"
    keys: list[str | None] = [None] * total
    next_key = key_start
    if keyed:
        for i in range(total):
            keys[i] = f"demo-{seed}-{next_key}"
            next_key += 1
        if before is not None and plan.phase == "after":
            rho = design.PANEL_CORRELATION
            for u in range(len(design.UNITS)):
                mine = np.flatnonzero(unit == u)
                theirs = np.flatnonzero(before.unit == u)
                m = min(int(round(design.LINKED_SHARE * len(mine))), len(theirs))
                if m == 0:
                    continue
                chosen = rng.choice(theirs, size=m, replace=False)
                for i, j in zip(mine[:m], chosen):
                    keys[int(i)] = before.key[int(j)]
                fresh = rng.standard_normal((m, themes + 1))
                latent[mine[:m]] = rho * before.latent[chosen] + np.sqrt(1 - rho**2) * fresh
    role_item = next((item for item in q.items() if isinstance(item, Role)), None)
    role: list[str | None] = [None] * total
    if role_item is not None:  # mostly the unit's own group, sometimes another one it offers
        offered = [g.key for g in role_item.groups]
        own = rng.random(total) < 0.85
        pick = rng.integers(0, len(offered), total)
        role = [design.UNITS[int(u)].sector if o and design.UNITS[int(u)].sector in offered else offered[int(p)]
                for u, o, p in zip(unit, own, pick)]
    span = (plan.closes_on - plan.opens_on).days * 86400.0
    extra = np.array([round(c * (1 / design.RESPONSE_RATE - 1)) for c in counts], dtype=np.int64)
    extra_keys: list[list[str]] = []
    for e in extra:
        ks = [f"demo-{seed}-{next_key + i}" for i in range(int(e))] if keyed else []
        next_key += len(ks)
        extra_keys.append(ks)
    return Respondents(
        unit=unit, key=keys, latent=latent, role=role,
        paper=rng.random(total) < design.PAPER_SHARE,
        english=rng.random(total) < design.ENGLISH_SHARE,
        submitted=rng.random(total) * span,
        minutes=rng.uniform(2.0, 15.0, total),
        extra_invitations=extra, extra_keys=extra_keys,
    )


class Static(msgspec.Struct, frozen=True):
    """What stays the same in both waves of a questionnaire: item offsets (how easily an
    item is agreed with), unit effects per theme, a rated group's general standing."""

    offset: dict[str, float]
    unit_effect: Floats  # units x (themes + 1)
    rated: dict[str, float]


def static(q: Questionnaire, seed: int, themes: list[str]) -> Static:
    """Drawn per item id, so an item keeps its offset in every version that asks it."""
    lo, hi = design.ITEM_OFFSET_RANGE

    def offset_of(name: str) -> float:
        return float(rng_for(seed, stable_number(q.id), 0, stable_number(name)).uniform(lo, hi))

    offset = {item.id: offset_of(item.id) for item in q.items()}
    for item in q.items():
        if isinstance(item, Matrix):
            offset.update({f"{item.id}:{d.key}": offset_of(f"{item.id}:{d.key}") for d in item.dimensions})
    rng = rng_for(seed, stable_number(q.id), 0)
    unit_effect = rng.normal(0.0, design.UNIT_EFFECT_SD, (len(design.UNITS), len(themes) + 1))
    rated = {k: float(rng.normal(0.0, 0.2)) for k in ROLE_KEYS}
    return Static(offset, unit_effect, rated)


def _cut(latent: Floats) -> Ints:
    out: Ints = np.digitize(latent, design.THRESHOLDS).astype(np.int64) + 1
    return out


class _Chunk:
    """Answers of one chunk of respondents, item by item, as codes per respondent."""

    def __init__(self, q: Questionnaire, plan: WavePlan, people: Respondents, rows: slice, st: Static,
                 rng: np.random.Generator) -> None:
        self.q, self.plan, self.st, self.rng = q, plan, st, rng
        self.unit = people.unit[rows]
        self.n = len(self.unit)
        self.arm = [design.UNITS[int(u)].arm for u in self.unit]
        scale = np.sqrt(1 - design.UNIT_EFFECT_SD**2)
        self.latent = scale * people.latent[rows] + st.unit_effect[self.unit]
        self.role = people.role[rows]
        self.paper = people.paper[rows]
        self.codes: dict[str, Ints] = {}
        self.picked: dict[str, Bools] = {}
        self.themes = plan.themes

    def theme_latent(self, item: Item) -> Floats:
        theme = self.q.theme_of(item)
        col = self.themes.index(theme) if theme in self.themes else len(self.themes)
        effect = np.array([design.theme_effect(self.q.id, theme, arm, self.plan.phase) for arm in self.arm])
        out: Floats = self.latent[:, col] + effect
        return out

    def shown(self, item: Item) -> Bools:
        mask: Bools = np.ones(self.n, dtype=bool)
        cond = item.show_if
        if cond is None:
            return mask
        ints = {v for v in cond.any_of if isinstance(v, int)}
        if cond.item in self.picked:
            picks = self.picked[cond.item]
            target = self.q.item(cond.item)
            codes = target.codes if target is not None else ()
            hit = np.zeros(self.n, dtype=bool)
            for j, code in enumerate(codes):
                if code in ints:
                    hit |= picks[:, j]
            if DONT_KNOW in cond.any_of:
                hit |= self.codes[cond.item] == DK
            return hit
        given = self.codes.get(cond.item)
        if given is None:
            return np.zeros(self.n, dtype=bool)
        hit = np.isin(given, list(ints)) & (given >= 0)
        if DONT_KNOW in cond.any_of:
            hit |= given == DK
        roles = {v for v in cond.any_of if isinstance(v, str) and v != DONT_KNOW}
        if roles:
            hit |= np.array([r in roles for r in self.role]) & (given != ABSENT)
        out: Bools = hit
        return out

    def answered(self, item: Item) -> Bools:
        """Shown, and not skipped on paper (free text: written by some)."""
        mask = self.shown(item)
        if isinstance(item, FreeText):
            return mask & (self.rng.random(self.n) < design.COMMENT_SHARE) & ~self.paper
        out: Bools = mask & ~(self.paper & (self.rng.random(self.n) < design.PAPER_SKIP_SHARE))
        return out

    def dont_know(self, item: Item, share: float, size: int | tuple[int, int] | None = None) -> Bools:
        n = size if size is not None else self.n
        draw = self.rng.random(n)
        out: Bools = draw < share if item.dont_know else np.zeros(n, dtype=bool)
        return out

    def scale(self, item: Item) -> Ints:
        noise = self.rng.normal(0.0, design.ITEM_NOISE_SD, self.n)
        lat = self.theme_latent(item) + noise
        if isinstance(item, Scale010):
            return np.clip(np.rint(5.5 + 2.0 * lat), 0, 10).astype(np.int64)
        values = _cut(lat + self.st.offset[item.id])
        return 6 - values if item.reverse else values


def _choice_weights(k: int) -> Floats:
    w = 0.6 ** np.arange(k, dtype=np.float64)
    out: Floats = w / w.sum()
    return out


def answer_rows(
    plan: WavePlan, people: Respondents, rows: slice, response_ids: Sequence[int], st: Static, seed: int,
    chunk: int,
) -> tuple[list[AnswerRecord], list[bool]]:
    """The answer rows of respondents `rows` of a wave, and whether each was assisted
    (a citizen who says a staff member helped fill in the form)."""
    q = plan.questionnaire
    rng = rng_for(seed, stable_number(q.id), 10 + plan.sequence, chunk)
    c = _Chunk(q, plan, people, rows, st, rng)
    ids = list(response_ids)
    qv = plan.qv_id
    out: list[AnswerRecord] = []
    assisted = [False] * c.n

    def emit_codes(item_id: str, codes: Ints) -> None:
        for i, code in zip(np.flatnonzero(codes != ABSENT).tolist(), codes[codes != ABSENT].tolist()):
            if code == DK:
                out.append((ids[i], qv, item_id, "", None, None, None, None, True))
            else:
                out.append((ids[i], qv, item_id, "", None, None, code, None, False))

    for item in q.items():
        answered = c.answered(item)
        match item:
            case Agreement() | Frequency() | Scale010():
                codes = np.where(answered, c.scale(item), ABSENT)
                codes = np.where(answered & c.dont_know(item, design.DONT_KNOW_SHARE), DK, codes)
                c.codes[item.id] = codes
                emit_codes(item.id, codes)
            case YesNo() | SingleChoice():
                options = np.array(item.codes, dtype=np.int64)
                weights = _choice_weights(len(options)) if isinstance(item, SingleChoice) else np.array([0.6, 0.4])
                drawn = options[rng.choice(len(options), size=c.n, p=weights)]
                codes = np.where(answered, drawn, ABSENT)
                codes = np.where(answered & c.dont_know(item, design.DONT_KNOW_SHARE), DK, codes)
                c.codes[item.id] = codes
                if item.id == "udfyldt_med":
                    assisted = (codes == 2).tolist()
                emit_codes(item.id, codes)
            case MultipleChoice():
                offered = list(item.codes)
                picks = rng.random((c.n, len(offered))) < 0.4
                none = ~picks.any(axis=1)
                picks[np.flatnonzero(none), rng.integers(0, len(offered), int(none.sum()))] = True
                dk = answered & c.dont_know(item, design.DONT_KNOW_SHARE)
                picks &= (answered & ~dk)[:, None]
                c.picked[item.id] = picks
                c.codes[item.id] = np.where(dk, DK, np.where(answered, 0, ABSENT))
                for i in np.flatnonzero(dk).tolist():
                    out.append((ids[i], qv, item.id, "", None, None, None, None, True))
                for i, j in zip(*(a.tolist() for a in np.nonzero(picks))):
                    out.append((ids[i], qv, item.id, "", None, offered[j], 1, None, False))
            case Role():
                # a staff member always says where they work: the matrix leaves out that row
                c.codes[item.id] = np.zeros(c.n, dtype=np.int64)
                for i in range(c.n):
                    out.append((ids[i], qv, item.id, "", None, None, None, c.role[i], False))
            case Matrix():
                _matrix(c, item, answered, ids, out)
            case FreeText():
                which = rng.integers(0, len(design.COMMENTS), c.n)
                for i in np.flatnonzero(answered).tolist():
                    out.append((ids[i], qv, item.id, "", None, None, None, design.COMMENTS[int(which[i])], False))
    return out, assisted


def _matrix(c: _Chunk, item: Matrix, answered: Bools, ids: list[int], out: list[AnswerRecord]) -> None:
    groups = [g.key for g in item.groups]
    dims = [d.key for d in item.dimensions]
    collab = c.latent[:, -1]
    qv = c.plan.qv_id
    for rated in groups:
        base = collab + c.st.rated[rated]
        effect = np.array([
            design.collaboration_effect(role or OTHER, rated, arm, c.plan.phase) for role, arm in zip(c.role, c.arm)
        ])
        own = np.array([role == rated for role in c.role]) if item.exclude_row_of else np.zeros(c.n, dtype=bool)
        rows_here = answered & ~own
        noise = c.rng.normal(0.0, design.ITEM_NOISE_SD, (c.n, len(dims)))
        offsets = np.array([c.st.offset[f"{item.id}:{d}"] for d in dims])
        values = _cut((base + effect)[:, None] + offsets[None, :] + noise)
        dk = c.dont_know(item, design.MATRIX_DONT_KNOW_SHARE, (c.n, len(dims)))
        for i in np.flatnonzero(rows_here).tolist():
            for j, dim in enumerate(dims):
                if dk[i, j]:
                    out.append((ids[i], qv, item.id, dim, rated, None, None, None, True))
                else:
                    out.append((ids[i], qv, item.id, dim, rated, None, int(values[i, j]), None, False))


def submission_ids(plan: WavePlan, seed: int, n: int) -> list[uuid.UUID]:
    rng = rng_for(seed, stable_number(plan.questionnaire.id), 20 + plan.sequence)
    raw = rng.bytes(16 * n)
    return [uuid.UUID(bytes=raw[16 * i: 16 * i + 16], version=4) for i in range(n)]


def timestamps(plan: WavePlan, people: Respondents, rows: slice) -> tuple[list[dt.datetime], list[dt.datetime]]:
    """(started_at, submitted_at) within the wave's dates, in UTC."""
    opens = dt.datetime.combine(plan.opens_on, dt.time(8), tzinfo=dt.UTC)
    submitted = [opens + dt.timedelta(seconds=float(s)) for s in people.submitted[rows]]
    started = [s - dt.timedelta(minutes=float(m)) for s, m in zip(submitted, people.minutes[rows])]
    return started, submitted


# --- citizen flow --------------------------------------------------------------------------

FlowRecord = tuple[int, dt.date, int, int, int, int | None, int | None]
FLOW_COLUMNS = ("unit_id", "month", "enrolled", "started", "ended", "capacity", "waiting")


def month(index: int) -> dt.date:
    y, m = divmod(design.FLOW_START.month - 1 + index, 12)
    return dt.date(design.FLOW_START.year + y, m + 1, 1)


def flow_rows(unit_ids: Sequence[int], seed: int) -> list[FlowRecord]:
    """36 months per unit. Ends are Poisson around ENDED_PER_PLACE x places, up
    ENDED_UPLIFT from the implementation date in intervention units; starts refill the
    places; the stock adds up month to month by construction."""
    out: list[FlowRecord] = []
    for index, (unit_id, unit) in enumerate(zip(unit_ids, design.UNITS)):
        rng = rng_for(seed, 7, index)
        enrolled = int(round(0.9 * unit.places))
        provider = unit.sector == "udfoerer"
        for m in range(design.FLOW_MONTHS):
            first = month(m)
            rate = design.ENDED_PER_PLACE * unit.places
            if unit.arm == "intervention" and first >= design.IMPLEMENTATION_DATE:
                rate *= 1 + design.ENDED_UPLIFT
            started = int(rng.poisson(max(rate + 0.3 * (0.9 * unit.places - enrolled), 0.0)))
            ended = min(int(rng.poisson(rate)), enrolled + started)
            waiting = int(rng.poisson(0.1 * unit.places)) if provider else None
            out.append((unit_id, first, enrolled, started, ended, unit.places if provider else None, waiting))
            enrolled = enrolled + started - ended
    return out
