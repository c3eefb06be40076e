"""How the answers to each scale item are spread over its options, per arm and wave: what
the standard Likert chart (diverging stacked bars, before against after, grouped by
theme) and a frequency table in a report show. PostgreSQL counts; one row per item,
arm, wave and option arrives here.

'Ved ikke' is counted beside the options (`dont_know`), not among them, so the shares of
the options add up to 1 over the respondents who took a stand. A group (item × arm ×
wave) where fewer respondents than the item's threshold chose an option is suppressed whole: no count and
no share, only its labels. Only arm-level groups are published here (no units, no
totals), so no published sum can give a suppressed group away."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import asyncpg
import msgspec

from service.analysis.measures.summary.compute import Hidden, evaluation_disclosure
from service.analysis.measures.summary.queries import SCALE_TYPES

# $1 evaluation, $2 scale item types. Per questionnaire, item, arm, wave and answer (a
# value, or 'ved ikke' as a null value with dont_know), how many answered so; with the
# item's wording, theme, scale, reverse coding and threshold from the codebook of the
# wave's version. The answers are counted by ids first (a million rows into a few
# thousand groups, hashed in memory) and only those counts meet the wordings: grouped by
# every label column at once, PostgreSQL misjudged the rows, sorted them on disk (230 MB
# at 10^5 responses) and took 4.1 s where this takes 0.9 s (the same rows).
DISTRIBUTIONS = """
with counted as (
    select a.questionnaire_version_id, a.item_id, r.wave_id, r.unit_id, a.value, a.dont_know, count(*) as n
      from answer a
      join response r on r.id = a.response_id
      join wave w on w.id = r.wave_id
     where w.evaluation_id = $1 and a.dimension = '' and (a.value is not null or a.dont_know)
     group by a.questionnaire_version_id, a.item_id, r.wave_id, r.unit_id, a.value, a.dont_know
)
select v.audience, v.questionnaire_id, v.version, c.item_id, qi.theme, qi.label_da, qi.label_en, qi.position,
       qi.scale_min, qi.scale_max, qi.reverse, qi.min_group_size, eu.arm, w.id as wave_id, w.phase, w.sequence,
       c.value, c.dont_know, sum(c.n)::int as n
  from counted c
  join questionnaire_item qi on qi.questionnaire_version_id = c.questionnaire_version_id and qi.item_id = c.item_id
                            and qi.dimension = ''
  join wave w on w.id = c.wave_id
  join questionnaire_version v on v.id = w.questionnaire_version_id
  join evaluation_unit eu on eu.evaluation_id = w.evaluation_id and eu.unit_id = c.unit_id
 where qi.item_type = any($2::text[])
 group by v.audience, v.questionnaire_id, v.version, c.item_id, qi.theme, qi.label_da, qi.label_en, qi.position,
          qi.scale_min, qi.scale_max, qi.reverse, qi.min_group_size, eu.arm, w.id, w.phase, w.sequence, c.value,
          c.dont_know
 order by v.questionnaire_id, qi.position, eu.arm, w.sequence, w.id, c.value
"""


# The label of every option of the versions an evaluation ($1) asks, answered or not.
VALUE_LABELS = """
select v.questionnaire_id, v.version, vl.item_id, vl.value, vl.label_da, vl.label_en
  from questionnaire_value_label vl
  join questionnaire_version v on v.id = vl.questionnaire_version_id
 where vl.questionnaire_version_id in (select questionnaire_version_id from wave where evaluation_id = $1)
"""


class OptionShare(msgspec.Struct, frozen=True, kw_only=True):
    value: int
    label_da: str
    label_en: str
    n: int
    share: float  # of the respondents who chose an option ('ved ikke' left out)


class ItemDistribution(msgspec.Struct, frozen=True, kw_only=True):
    """One item's answers in one arm and wave. `options` run from the scale's lowest
    value to its highest; where `reverse`, a low value is the good answer (the chart
    may flip it so that right always means better)."""

    evaluation_id: int
    audience: str
    questionnaire_id: str
    version: int
    item_id: str
    theme: str | None
    label_da: str
    label_en: str
    scale_min: int
    scale_max: int
    reverse: bool
    arm: str
    wave_id: int
    phase: str
    sequence: int
    n: int | None  # respondents who chose an option
    dont_know: int | None
    options: list[OptionShare]
    suppressed: bool


async def distributions(conn: asyncpg.Connection, evaluation_id: int, *, min_group_size: int,
                        hidden_in: Hidden | None = None) -> list[ItemDistribution]:
    """Per item, arm and wave; suppressed under the item's threshold, and where the
    wave's suppression pass (survey.disclosure; `hidden_in`, else run here) hides the
    arm's total, which the item's n would give away."""
    if hidden_in is None:
        hidden_in = await evaluation_disclosure(conn, evaluation_id, min_group_size=min_group_size)
    labels = {(r["questionnaire_id"], r["version"], r["item_id"], r["value"]): (r["label_da"], r["label_en"])
              for r in await conn.fetch(VALUE_LABELS, evaluation_id)}
    groups: dict[tuple[Any, ...], list[Any]] = defaultdict(list)
    for r in await conn.fetch(DISTRIBUTIONS, evaluation_id, list(SCALE_TYPES)):
        groups[(r["questionnaire_id"], r["position"], r["item_id"], r["arm"], r["sequence"], r["wave_id"])].append(r)
    out = []
    for rows in groups.values():
        first = rows[0]
        counted = [r for r in rows if r["value"] is not None]
        dont_know = sum(r["n"] for r in rows if r["value"] is None)
        n = sum(r["n"] for r in counted)
        threshold = max(min_group_size, first["min_group_size"] or 0)
        # the shares are of those n: 'ved ikke' does not make a group big enough
        hidden = n < threshold or first["arm"] in hidden_in.arms_in(first["wave_id"])
        counts = {r["value"]: r["n"] for r in counted}
        version = (first["questionnaire_id"], first["version"], first["item_id"])
        options = [] if hidden else [
            OptionShare(value=v, label_da=labels.get((*version, v), (str(v), None))[0],
                        label_en=labels.get((*version, v), (str(v), None))[1] or str(v),
                        n=counts.get(v, 0), share=round(counts.get(v, 0) / n, 3))  # 0.1 %: what a reader needs
            for v in range(first["scale_min"], first["scale_max"] + 1)]
        out.append(ItemDistribution(
            evaluation_id=evaluation_id, audience=first["audience"], questionnaire_id=first["questionnaire_id"],
            version=first["version"], item_id=first["item_id"], theme=first["theme"], label_da=first["label_da"],
            label_en=first["label_en"] or first["label_da"], scale_min=first["scale_min"],
            scale_max=first["scale_max"], reverse=first["reverse"], arm=first["arm"], wave_id=first["wave_id"],
            phase=first["phase"], sequence=first["sequence"], n=None if hidden else n,
            dont_know=None if hidden else dont_know, options=options, suppressed=hidden))
    return out
