"""The SQL of relational coordination (staff rating each other role group on the dimensions
of a collaboration matrix) and of the meeting evaluations. PostgreSQL does the
aggregating: frequency tables of tie scores, moments of raters' means, sums and
cross-products of the dimensions, counts of agreeing meetings; no row per respondent
reaches Python.

A tie score is one rater's rating of one other role group: the mean of the dimensions
answered with a value, reverse-coded where the codebook says so. It counts when at
least `min_share` ($4) of the matrix's dimensions were answered ('ved ikke' counts as
not answered, as for theme scores); it is sent as the exact pair (sum of values, number
of values), so no rounding enters before the statistics. The rater's role is the
response's `staff_role` (a response without one counts as 'andet')."""

from __future__ import annotations

# $1 evaluation, $2 questionnaire, $3 matrix item, $4 min_share. One row per response ×
# rated group whose tie score counts.
_TIES = """
with dims as (
    select questionnaire_version_id, count(*) as k, min(scale_min) as lo, max(scale_max) as hi
      from questionnaire_item
     where questionnaire_id = $2 and item_id = $3 and dimension <> ''
     group by 1
), ties as (
    select r.id as response_id, r.unit_id, r.respondent_key, coalesce(r.staff_role, 'andet') as rater_role,
           a.rated_role,
           w.id as wave_id, w.phase, w.sequence, eu.arm, d.lo, d.hi,
           sum(case when qi.reverse then qi.scale_min + qi.scale_max - a.value else a.value end)::int as total,
           count(a.value)::int as answered
      from answer a
      join questionnaire_item qi using (questionnaire_version_id, item_id, dimension)
      join dims d on d.questionnaire_version_id = a.questionnaire_version_id
      join response r on r.id = a.response_id
      join wave w on w.id = r.wave_id
      join evaluation_unit eu on eu.evaluation_id = w.evaluation_id and eu.unit_id = r.unit_id
     where w.evaluation_id = $1 and a.item_id = $3 and qi.questionnaire_id = $2 and a.rated_role is not null
     group by r.id, r.unit_id, r.respondent_key, r.staff_role, a.rated_role, w.id, w.phase, w.sequence, eu.arm,
              d.k, d.lo, d.hi
    having count(a.value) > 0 and count(a.value) >= $4::float8 * d.k
)
"""

# From one computation of the tie scores, four kinds of counts ($5: the share of the
# scale's range from which a score counts as agreeing):
# - 'tie': the frequency table of tie scores per wave, arm, rater role and rated role: how
#   many raters gave each (sum, number of dimensions answered);
# - 'rater' and 'all': per rater, the mean of their tie scores (their coordination with all
#   the groups they rated); its moments (n, sum, sum of squares, how many at or above $5)
#   per wave, arm and rater role ('rater') and per wave and arm ('all'): what the index per
#   rater role and overall, with a t interval, needs;
# - 'pair': linked staff, the same respondent key in the first 'before' wave and the latest
#   'after' wave, rating the same group from the same role; per arm (the after-wave's),
#   rater and rated role, how many had each difference of tie scores (after − before,
#   rounded to 9 decimals: two means of up to seven values) and whether they agreed before
#   and after, for McNemar. No key leaves the database;
# - 'unit': per unit and wave, the moments of its raters' indices (the side-by-side view:
#   a t interval, and Welch's difference of the unit's index before and after).
TIE_TABLES = _TIES + """
, raters as (
    select response_id, unit_id, wave_id, phase, sequence, arm, rater_role, lo, hi,
           avg(total::float8 / answered) as score
      from ties
     group by response_id, unit_id, wave_id, phase, sequence, arm, rater_role, lo, hi
), waves as materialized (  -- one row, computed once (inlined, it was once per tie: seconds)
    select min(sequence) filter (where phase = 'before') as first,
           max(sequence) filter (where phase = 'after') as latest
      from ties
), pairs as (
    select t.respondent_key, t.rater_role, t.rated_role, min(t.lo) as lo, max(t.hi) as hi,
           min(t.arm) filter (where t.phase = 'after') as arm,
           min(t.total::float8 / t.answered) filter (where t.phase = 'before') as before,
           min(t.total::float8 / t.answered) filter (where t.phase = 'after') as after
      from ties t, waves s
     where t.respondent_key is not null
       and ((t.phase = 'before' and t.sequence = s.first) or (t.phase = 'after' and t.sequence = s.latest))
     group by t.respondent_key, t.rater_role, t.rated_role
)
select 'tie' as kind, wave_id, phase, sequence, arm, rater_role, rated_role, lo, hi, total, answered,
       null::float8 as sum, null::float8 as sum_sq, null::int as agreeing, null::float8 as difference,
       null::bool as agreed_before, null::bool as agreed_after, count(*)::int as n, null::int as unit_id
  from ties
 group by wave_id, phase, sequence, arm, rater_role, rated_role, lo, hi, total, answered
union all
select case when grouping(rater_role) = 1 then 'all' else 'rater' end, wave_id, phase, sequence, arm, rater_role,
       null, min(lo), max(hi), null, null, sum(score)::float8, sum(score * score)::float8,
       (count(*) filter (where score >= lo + $5::float8 * (hi - lo)))::int, null, null, null, count(*)::int, null
  from raters
 group by grouping sets ((wave_id, phase, sequence, arm, rater_role), (wave_id, phase, sequence, arm))
union all
select 'unit', wave_id, phase, sequence, null, null, null, null, null, null, null, sum(score)::float8,
       sum(score * score)::float8, null, null, null, null, count(*)::int, unit_id
  from raters
 group by unit_id, wave_id, phase, sequence
union all
select 'pair', null, null, null, arm, rater_role, rated_role, min(lo), max(hi), null, null, null, null, null,
       round((after - before)::numeric, 9)::float8, before >= lo + $5::float8 * (hi - lo),
       after >= lo + $5::float8 * (hi - lo), count(*)::int, null
  from pairs
 where before is not null and after is not null
 group by arm, rater_role, rated_role, round((after - before)::numeric, 9), before >= lo + $5::float8 * (hi - lo),
          after >= lo + $5::float8 * (hi - lo)
 order by 1, 4, 2, 5, 6, 7
"""

# Cronbach's α of the dimensions per wave: over the ties (rater × rated group) with every
# dimension answered with a value, the count, each dimension's sum and the sums of
# products of every pair of dimensions, in the order of the questionnaire definition;
# `raters`: how many distinct raters those ties come from (what the threshold counts).
DIMENSION_CROSS_PRODUCTS = """
with dim_order as (
    select v.id as questionnaire_version_id, d ->> 'key' as dimension, o as ord
      from questionnaire_version v,
           jsonb_array_elements(v.definition -> 'sections') s,
           jsonb_array_elements(s -> 'items') it,
           jsonb_array_elements(it -> 'dimensions') with ordinality as x(d, o)
     where v.questionnaire_id = $2 and it ->> 'id' = $3
), k as (
    select questionnaire_version_id, count(*) as k from dim_order group by 1
), vectors as (
    select r.id as response_id, w.id as wave_id, w.phase, w.sequence,
           array_agg(a.dimension order by o.ord) as dims,
           array_agg(case when qi.reverse then qi.scale_min + qi.scale_max - a.value else a.value end
                     order by o.ord)::float8[] as v
      from answer a
      join questionnaire_item qi using (questionnaire_version_id, item_id, dimension)
      join dim_order o on o.questionnaire_version_id = a.questionnaire_version_id and o.dimension = a.dimension
      join k on k.questionnaire_version_id = a.questionnaire_version_id
      join response r on r.id = a.response_id
      join wave w on w.id = r.wave_id
     where w.evaluation_id = $1 and a.item_id = $3 and qi.questionnaire_id = $2 and a.value is not null
     group by r.id, a.rated_role, w.id, w.phase, w.sequence, k.k
    having count(*) = k.k
), raters as (
    select wave_id, count(distinct response_id)::int as raters from vectors group by 1
)
-- identical vectors counted once first (answers are small integers, and a rater's
-- dimensions agree closely), then the upper triangle (i <= j) only: the matrix is symmetric
, distinct_vectors as (
    select wave_id, phase, sequence, dims, v, count(*) as c from vectors group by wave_id, phase, sequence, dims, v
)
select v.wave_id, v.phase, v.sequence, v.dims, i, j, sum(v.c)::int as n, min(r.raters) as raters,
       sum(v.c * v.v[i])::float8 as sum_i, sum(v.c * v.v[i] * v.v[j])::float8 as cross
  from distinct_vectors v join raters r using (wave_id),
       generate_subscripts(v.v, 1) as i, generate_subscripts(v.v, 1) as j
 where i <= j
 group by v.wave_id, v.phase, v.sequence, v.dims, i, j
"""

# The strictest disclosure threshold of an item (the matrix and its dimension rows, or
# any of a list of items) in a questionnaire; null: the service's decides.
ITEM_THRESHOLD = """
select max(min_group_size)::int from questionnaire_item where questionnaire_id = $1 and item_id = any($2::text[])
"""

# Meeting evaluations: per questionnaire, item, month, wave and unit, how many answered
# the item with a value and how many agreed (value ≥ lo + $4 · (hi − lo): the top-two box
# on 1–5). The month is the month of submission in Danish time: the questionnaires have no
# date item (there is no date item type), and the form is answered right after the meeting.
MEETING_COUNTS = """
select v.questionnaire_id, v.audience, a.item_id, w.id as wave_id, w.phase, w.sequence, r.unit_id, eu.arm,
       date_trunc('month', r.submitted_at at time zone 'Europe/Copenhagen')::date as month, count(*)::int as n,
       (count(*) filter (
           where (case when qi.reverse then qi.scale_min + qi.scale_max - a.value else a.value end)
                 >= qi.scale_min + $4::float8 * (qi.scale_max - qi.scale_min)))::int as agreeing
  from answer a
  join questionnaire_item qi using (questionnaire_version_id, item_id, dimension)
  join response r on r.id = a.response_id
  join questionnaire_version v on v.id = r.questionnaire_version_id
  join wave w on w.id = r.wave_id
  join evaluation_unit eu on eu.evaluation_id = w.evaluation_id and eu.unit_id = r.unit_id
 where w.evaluation_id = $1 and v.questionnaire_id = any($2::text[]) and a.item_id = any($3::text[])
   and a.value is not null and a.dimension = ''
 group by 1, 2, 3, 4, 5, 6, 7, 8, 9
 order by 1, 3, 9, 7
"""
