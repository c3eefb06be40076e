"""The codebook that travels with a tidy export: one row per item (and per dimension of a
collaboration matrix) of every questionnaire version an evaluation asked, with its wording,
theme (key and name, as stored), scale, coding and value labels, so an R, Stata or SPSS user can label the data
without the database. Built from the database's codebook tables by SQL alone."""

from __future__ import annotations

import asyncpg
import pandas as pd

# The versions an evaluation asked: those of its waves, and those its responses were
# given in (a wave's version can change while earlier answers keep theirs). A matrix
# dimension carries its item's value labels, which are stored once per item.
CODEBOOK = """
with used as (
    select w.questionnaire_version_id as version_id, w.id as wave_id from wave w where w.evaluation_id = $1
    union
    select r.questionnaire_version_id, w.id from response r join wave w on w.id = r.wave_id
     where w.evaluation_id = $1
), versions as (
    select u.version_id, string_agg(w.name, '; ' order by w.sequence, w.id) as waves
      from used u join wave w on w.id = u.wave_id
     group by u.version_id
), labels as (
    select questionnaire_version_id, item_id,
           string_agg(value || '=' || label_da, '; ' order by value) as value_labels_da,
           string_agg(value || '=' || coalesce(label_en, label_da), '; ' order by value) as value_labels_en
      from questionnaire_value_label
     group by 1, 2
), roles as (
    -- the role groups: the values of a role item (staff_role) and a matrix's rated groups (rated_role)
    select string_agg(key || '=' || label_da, '; ' order by position) as da,
           string_agg(key || '=' || label_en, '; ' order by position) as en
      from role_group
)
select v.questionnaire_id, v.version, v.audience, v.title, ver.waves, v.digest, qi.section_id, qi.position,
       qi.item_id, qi.dimension, qi.item_type, qi.theme,
       v.definition -> 'themes' -> qi.theme ->> 'da' as theme_da,
       v.definition -> 'themes' -> qi.theme ->> 'en' as theme_en,
       qi.label_da, qi.label_en, qi.scale_min, qi.scale_max,
       qi.reverse, qi.dont_know, qi.required, coalesce(qi.min_group_size, $2) as min_group_size,
       l.value_labels_da, l.value_labels_en,
       case when qi.item_type in ('role', 'matrix', 'matrix_dimension') then roles.da end as role_groups_da,
       case when qi.item_type in ('role', 'matrix', 'matrix_dimension') then roles.en end as role_groups_en
  from versions ver cross join roles
  join questionnaire_version v on v.id = ver.version_id
  join questionnaire_item qi on qi.questionnaire_version_id = v.id
  left join labels l on l.questionnaire_version_id = v.id and l.item_id = qi.item_id
 order by v.questionnaire_id, v.version, qi.position, qi.dimension
"""

COLUMNS = [
    "questionnaire_id", "version", "audience", "title", "waves", "digest", "section_id", "position", "item_id",
    "dimension", "item_type", "theme", "theme_da", "theme_en", "label_da", "label_en", "scale_min", "scale_max",
    "reverse", "dont_know", "required", "min_group_size", "value_labels_da", "value_labels_en", "role_groups_da",
    "role_groups_en",
]


async def codebook(conn: asyncpg.Connection, evaluation_id: int, min_group_size: int) -> pd.DataFrame:
    """The codebook of an evaluation. `min_group_size`: the service's threshold, shown for
    items without their own, so the analyst sees which groups the service would suppress
    (the export itself is microdata and suppresses nothing)."""
    rows = await conn.fetch(CODEBOOK, evaluation_id, min_group_size)
    frame = pd.DataFrame([dict(r) for r in rows], columns=COLUMNS)
    for column in ("scale_min", "scale_max", "min_group_size"):
        frame[column] = frame[column].astype("Int64")  # whole numbers, empty where an item has none
    return frame
