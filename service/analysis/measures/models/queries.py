"""The SQL of the survey models (service/analysis/measures/models/compute.py). With phase and arm as the
only covariates, every model here is fitted from aggregates PostgreSQL computes, never
from a row per response:

- the ordinal logit of an item: its frequency table, coded value × phase × arm;
- the linear models of a theme score: per unit and phase the count, sum and sum of
  squares of the scores (cluster-robust OLS needs no more), and per unit the respondents'
  blocks (the responses one respondent key gave in that unit) by size, by how many of
  them are after, with the sum and sum of squares of the block totals: the sufficient
  statistics of the nested random-intercept model (unit, respondent within unit).

Which waves: every wave of phase 'before' together, and the latest follow-up (phase
'after', highest `sequence`) of the questionnaire, as in the standard summary. Parameters
throughout: $1 evaluation, $2 questionnaire, $3 theme or item, $4 the scale item types."""

from __future__ import annotations

_WAVES = """
with latest as (
    select max(w.sequence) as sequence
      from wave w join questionnaire_version v on v.id = w.questionnaire_version_id
     where w.evaluation_id = $1 and v.questionnaire_id = $2 and w.phase = 'after'
)
"""

# The frequency table of one item's value, reverse-coded (min + max − value) where the
# item says so, by phase and arm; 'ved ikke' and unanswered are not counted.
ITEM_TABLE = _WAVES + """
select w.phase = 'after' as after, eu.arm = 'intervention' as treated,
       (case when qi.reverse then qi.scale_min + qi.scale_max - a.value else a.value end)::int as value,
       count(*)::int as n
  from answer a
  join questionnaire_item qi using (questionnaire_version_id, item_id, dimension)
  join response r on r.id = a.response_id
  join wave w on w.id = r.wave_id
  join evaluation_unit eu on eu.evaluation_id = w.evaluation_id and eu.unit_id = r.unit_id
 where w.evaluation_id = $1 and qi.questionnaire_id = $2 and a.item_id = $3 and a.dimension = ''
   and qi.item_type = any($4::text[]) and a.value is not null
   and (w.phase = 'before' or w.sequence = (select sequence from latest))
 group by 1, 2, 3
 order by 1, 2, 3
"""

# Theme scores per response as the standard summary reads them (response_theme_score:
# the mean of the answered scale items of the theme after reverse coding, when at least
# $5 of the theme's items are answered), for one theme only, then summed: 'cell' rows per unit and phase,
# 'block' rows per unit, block size `m` and after-count `a` (a response without a key is a
# block of one; a key is a respondent within its unit). No key leaves the database.
THEME_SUMS = _WAVES + """
, items as (
    select questionnaire_version_id, count(*) as k
      from questionnaire_item
     where questionnaire_id = $2 and theme = $3 and dimension = '' and item_type = any($4::text[])
     group by 1
), scores as (
    -- the ingredients kept per response (migration 0007: response_theme_score)
    select s.response_id as id, s.unit_id, r.respondent_key, w.phase = 'after' as after,
           eu.arm = 'intervention' as treated, s.value_sum::float8 / s.answered as y
      from response_theme_score s
      join items i on i.questionnaire_version_id = s.questionnaire_version_id
      join response r on r.id = s.response_id
      join wave w on w.id = s.wave_id
      join evaluation_unit eu on eu.evaluation_id = w.evaluation_id and eu.unit_id = s.unit_id
     where w.evaluation_id = $1 and s.theme = $3 and s.answered >= $5::float8 * i.k
       and (w.phase = 'before' or w.sequence = (select sequence from latest))
), blocks as (
    select unit_id, treated, count(*)::int as m, (count(*) filter (where after))::int as a, sum(y) as total
      from scores
     group by unit_id, treated, respondent_key, case when respondent_key is null then id end
)
select 'cell' as kind, unit_id, treated, after::int as a, 1 as m, count(*)::int as n, sum(y)::float8 as s,
       sum(y * y)::float8 as ss
  from scores
 group by unit_id, treated, after
union all
select 'block', unit_id, treated, a, m, count(*)::int, sum(total)::float8, sum(total * total)::float8
  from blocks
 group by unit_id, treated, m, a
 order by 1, 2, 4, 5
"""

# The per-response theme scores themselves, for tests and for an evaluator who wants to
# refit with other software: microdata (unit, a respondent number within the call, phase,
# arm, score), so never sent over HTTP.
THEME_SCORES = THEME_SUMS.split(", blocks as")[0] + """
select unit_id, dense_rank() over (order by unit_id, respondent_key, case when respondent_key is null then id end)::int
           as respondent, after, treated, y as score
  from scores
 order by unit_id, respondent, after
"""

# The strictest disclosure threshold an item of the theme sets, or the item itself.
THEME_THRESHOLD = """
select max(min_group_size) from questionnaire_item where questionnaire_id = $1 and theme = $2 and dimension = ''
"""
ITEM_THRESHOLD = """
select max(min_group_size) from questionnaire_item where questionnaire_id = $1 and item_id = $2 and dimension = ''
"""

AUDIENCE = "select audience from questionnaire_version where questionnaire_id = $1 order by version desc limit 1"

THEMES = """
select coalesce(array_agg(distinct theme order by theme), '{}') from questionnaire_item
 where questionnaire_id = $1 and theme is not null and dimension = '' and item_type = any($2::text[])
"""
