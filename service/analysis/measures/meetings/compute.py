"""Meeting evaluations (Thisted): after an action-plan or follow-up meeting the citizen and
the staff member each answer a one-minute form (each file declares its side and which of
its items answers which aspect under `[analysis.meeting]`; read from the stored
declarations, service/analysis/context/declared.py). Per month and unit, the share of meetings
where the citizen felt heard, that dealt with the citizen's goals, where the right
people took part (and where follow-up was agreed), top-two box with Wilson's interval,
citizens' and staff's answers side by side; after against before per arm as a difference
in shares with Newcombe's interval.

The two forms ask in their own words; the declarations pair them by aspect (the shipped
staff form has no item on whether the citizen was heard, so it declares its nearest,
'the citizen took an active part', beside it, and none on the right people taking part).
The forms carry no link between the two answers of one meeting, so the views are
compared per month and unit, not per meeting. The month is the month the form was sent
(Danish time): there is no date item.

Disclosure: each questionnaire and item is one table per wave of unit × month cells with
their arm totals per month and the arm totals per phase that the comparisons show;
primary and secondary suppression (disclosure.suppress) run over all of it, and a
comparison is shown only when both its phase totals are."""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

import asyncpg
import msgspec
import pandas as pd

from service.analysis.context.declared import Declared, declared
from service.analysis.measures.coordination import queries as q
from service.analysis.measures.summary.results import Comparison
from service.analysis.stats import descriptive as stats
from service.analysis.stats.disclosure import Key, Sum, suppress
from service.design.once import once
from service.surveys.model import MEETING_ASPECTS, Viewpoint

AGREEING_AT = 0.75  # top-two box on 1–5, as survey.AGREEING_AT


class Aspect(msgspec.Struct, frozen=True, kw_only=True):
    """One thing both forms ask about, in each form's own item (None: that form does not ask)."""

    key: str  # one of MEETING_ASPECTS: exports name it in their language
    citizen: str | None
    staff: str | None


def aspects(found: Declared) -> list[Aspect]:
    """The aspects either side's form asks, each with the first declared item of each side."""
    out = []
    for key in MEETING_ASPECTS:
        items = {side: next((m.item_id for m in found.meeting_side(side) if m.aspect == key), None)
                 for side in ("citizen", "staff")}
        if any(items.values()):
            out.append(Aspect(key=key, citizen=items["citizen"], staff=items["staff"]))
    return out


class MeetingShare(msgspec.Struct, frozen=True, kw_only=True):
    """The share of meetings agreeing on one aspect, in one month and unit (unit_id None:
    the whole arm that month), from one side's form."""

    evaluation_id: int
    questionnaire_id: str
    viewpoint: Viewpoint
    aspect: str
    item_id: str
    arm: str
    unit_id: int | None
    month: dt.date  # the first day of the month
    phase: str
    sequence: int
    n: int | None
    share_agreeing: float | None
    share_low: float | None
    share_high: float | None
    share_method: str
    suppressed: bool


class Meetings(msgspec.Struct, frozen=True, kw_only=True):
    evaluation_id: int
    threshold: int  # the service's threshold, or an item's where stricter
    aspects: list[Aspect]
    shares: list[MeetingShare]
    comparisons: list[Comparison]  # target: the item; estimate: after − before share agreeing


@once
async def meetings(conn: asyncpg.Connection, evaluation_id: int, *, min_group_size: int) -> Meetings:
    """The meeting evaluations of an evaluation (see the module docstring); once per
    snapshot, as side by side reads them again."""
    roles = await declared(conn, evaluation_id)
    sides: dict[str, Viewpoint] = {m.questionnaire_id: m.side for m in roles.meeting}
    items = {m.item_id for m in roles.meeting}
    aspect_of = {(m.questionnaire_id, m.item_id): m.aspect for m in roles.meeting}
    rows = await conn.fetch(q.MEETING_COUNTS, evaluation_id, list(sides), sorted(items), AGREEING_AT)
    strictest = {r["questionnaire_id"]: r["strictest"] or 0 for r in await conn.fetch(
        "select questionnaire_id, max(min_group_size)::int as strictest from questionnaire_item"
        " where questionnaire_id = any($1::text[]) and item_id = any($2::text[]) group by 1",
        list(sides), sorted(items))}
    tables: dict[tuple[str, str], list[Any]] = defaultdict(list)
    for r in rows:
        if (r["questionnaire_id"], r["item_id"]) in aspect_of:
            tables[(r["questionnaire_id"], r["item_id"])].append(r)
    shares: list[MeetingShare] = []
    comparisons: list[Comparison] = []
    threshold = max([min_group_size, *strictest.values()])
    for (questionnaire_id, item_id), cells in sorted(tables.items()):
        labels: dict[str, Any] = dict(evaluation_id=evaluation_id, questionnaire_id=questionnaire_id,
                                      viewpoint=sides[questionnaire_id], aspect=aspect_of[(questionnaire_id, item_id)],
                                      item_id=item_id)
        own = max(min_group_size, strictest.get(questionnaire_id, 0))
        found, compared = _table(labels, cells, own)
        shares += found
        comparisons += compared
    return Meetings(evaluation_id=evaluation_id, threshold=threshold, aspects=aspects(roles), shares=shares,
                    comparisons=comparisons)


def _table(labels: dict[str, Any], cells: Sequence[Any], threshold: int) -> tuple[list[MeetingShare], list[Comparison]]:
    latest = max((c["sequence"] for c in cells if c["phase"] == "after"), default=None)

    def side(c: Any) -> str | None:  # which side of the comparison a wave is on
        return "before" if c["phase"] == "before" else "after" if c["sequence"] == latest else None

    counts: dict[Key, int] = {}
    agreeing: dict[Key, int] = {}
    month_parts: dict[Key, list[Key]] = defaultdict(list)
    phase_parts: dict[Key, set[Key]] = defaultdict(set)
    for c in cells:
        unit: Key = ("unit", c["wave_id"], c["month"], c["unit_id"])
        arm: Key = ("arm", c["wave_id"], c["month"], c["arm"])
        counts[unit], agreeing[unit] = c["n"], c["agreeing"]
        counts[arm] = counts.get(arm, 0) + c["n"]
        agreeing[arm] = agreeing.get(arm, 0) + c["agreeing"]
        month_parts[arm].append(unit)
        if (where := side(c)) is not None:
            phase: Key = ("phase", c["arm"], where)
            counts[phase] = counts.get(phase, 0) + c["n"]
            agreeing[phase] = agreeing.get(phase, 0) + c["agreeing"]
            phase_parts[phase].add(arm)
    sums = [Sum(total, tuple(parts)) for total, parts in month_parts.items()]
    sums += [Sum(total, tuple(sorted(parts, key=repr))) for total, parts in phase_parts.items()]
    hidden = suppress(counts, dict.fromkeys(counts, threshold), sums)

    out: list[MeetingShare] = []
    design = {(c["wave_id"]): (c["phase"], c["sequence"]) for c in cells}
    shown_cells: list[tuple[str, int, dt.date, Any]] = [
        k for k in counts if isinstance(k, tuple) and k[0] in ("unit", "arm")]
    for kind, wave_id, month, which in sorted(
            shown_cells, key=lambda k: (design[k[1]][1], k[2], k[0] == "unit", str(k[3]))):
        key = (kind, wave_id, month, which)
        phase, sequence = design[wave_id]
        arm = which if kind == "arm" else next(c["arm"] for c in cells if c["unit_id"] == which)
        at: dict[str, Any] = dict(labels, arm=arm, unit_id=which if kind == "unit" else None, month=month,
                                  phase=phase, sequence=sequence)
        if key in hidden:
            out.append(MeetingShare(**at, n=None, share_agreeing=None, share_low=None, share_high=None,
                                    share_method="", suppressed=True))
            continue
        share = stats.wilson(agreeing[key], counts[key])
        out.append(MeetingShare(**at, n=counts[key], share_agreeing=_num(share.estimate), share_low=_num(share.low),
                                share_high=_num(share.high), share_method=share.method, suppressed=False))

    compared: list[Comparison] = []
    for arm in sorted({c["arm"] for c in cells}):
        before, after = ("phase", arm, "before"), ("phase", arm, "after")
        names: dict[str, Any] = dict(
            evaluation_id=labels["evaluation_id"], audience="meeting", questionnaire_id=labels["questionnaire_id"],
            target=labels["item_id"], arm=arm, design="independent", test="Share agreeing",
            variant=f"value >= top-two box ({AGREEING_AT:g} of the range)", confirmatory=False,
            statistic=None, p=None, p_adjusted=None, effect="", effect_size=None, effect_low=None, effect_high=None,
            effect_method="", mde=None)
        if before not in counts or after not in counts or before in hidden or after in hidden \
                or min(counts[before], counts[after]) < threshold:
            compared.append(Comparison(**names, n_before=None, n_after=None, estimate=None, estimate_name="",
                                       ci_low=None, ci_high=None, ci_method="", suppressed=True))
            continue
        d = stats.newcombe_difference(agreeing[after], counts[after], agreeing[before], counts[before])
        compared.append(Comparison(
            **names, n_before=counts[before], n_after=counts[after], estimate=_num(d.estimate),
            estimate_name="difference in shares agreeing", ci_low=_num(d.low), ci_high=_num(d.high),
            ci_method=d.method, suppressed=False))
    return out, compared


def meetings_frame(result: Meetings) -> pd.DataFrame:
    """Citizens' and staff's shares of one aspect, month and unit (or arm) in one row:
    `share_citizen`, `n_citizen`, `share_staff`, `n_staff` (missing where a side does not
    ask the aspect or a cell is suppressed)."""
    columns = ["aspect", "arm", "unit_id", "month", "phase"]
    frames = []
    for viewpoint in ("citizen", "staff"):
        rows = [msgspec.structs.asdict(s) for s in result.shares if s.viewpoint == viewpoint]
        frame = pd.DataFrame(rows, columns=[*columns, "n", "share_agreeing", "suppressed"])
        frame["unit_id"] = frame["unit_id"].astype("Int64")
        frames.append(frame.rename(columns={"n": f"n_{viewpoint}", "share_agreeing": f"share_{viewpoint}",
                                            "suppressed": f"suppressed_{viewpoint}"}))
    merged = frames[0].merge(frames[1], on=columns, how="outer")
    return merged.sort_values(["aspect", "month", "arm", "unit_id"], na_position="first").reset_index(drop=True)


def _num(x: float) -> float | None:
    return None if math.isnan(x) else float(x)
