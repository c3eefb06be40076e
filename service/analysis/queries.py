"""All SQL of the analysis side. PostgreSQL does the aggregating: frequency tables of
answers and of theme scores per group go to Python, rows per respondent only where a
statistic needs them (linked respondents) or an evaluator asks for the tidy data."""

from __future__ import annotations

# Items that carry a score: the scales, not choices, text, roles or matrix cells (the
# collaboration matrix is scored per tie, issue 11).
SCALE_TYPES = ("agreement", "frequency", "scale_0_10")

# One row per answered cell, with everything an evaluator groups or filters by. A
# scale item's value is also given reverse-coded (min + max − value) where the item says
# so, so that a higher value always means better.
TIDY = """
select e.id as evaluation_id, e.name as evaluation, w.id as wave_id, w.name as wave, w.phase, w.sequence,
       u.id as unit_id, u.name as unit, eu.arm, u.sector,
       coalesce(eu.implementation_date, e.implementation_date) as implementation_date,
       v.audience, v.questionnaire_id, v.version, r.id as response_id, r.respondent_key, r.staff_role,
       r.assisted, r.submitted_at, a.item_id, a.dimension, a.rated_role, a.choice, qi.theme, qi.item_type,
       a.value,
       case when qi.reverse and a.value is not null then qi.scale_min + qi.scale_max - a.value else a.value end
           as value_coded,
       a.dont_know,
       case when $6 then a.text_value end as text_value
  from answer a
  join questionnaire_item qi using (questionnaire_version_id, item_id, dimension)
  join response r on r.id = a.response_id
  join questionnaire_version v on v.id = r.questionnaire_version_id
  join wave w on w.id = r.wave_id
  join evaluation e on e.id = w.evaluation_id
  join evaluation_unit eu on eu.evaluation_id = e.id and eu.unit_id = r.unit_id
  join unit u on u.id = r.unit_id
 where e.id = $1
   and ($2::text is null or v.audience = $2)
   and ($3::bigint[] is null or w.id = any($3))
   and ($4::bigint[] is null or u.id = any($4))
   and ($5::text is null or eu.arm = $5)
   and (a.text_value is null or $6)
 order by w.sequence, w.id, r.id, qi.position, a.dimension, a.rated_role, a.choice
"""

# The answers the theme statistics start from: every scale item answered with a value in
# an evaluation ($1; $2 the scale item types), with its response's design and the value
# reverse-coded (min + max − value) where the item says so. Each query below reads it once.
_CODED = """
with items as (
    select questionnaire_version_id, theme, count(*) as k, min(scale_min) as lo, max(scale_max) as hi
      from questionnaire_item
     where dimension = '' and theme is not null and item_type = any($2::text[])
     group by 1, 2
), coded as (
    select r.id as response_id, r.unit_id, r.respondent_key, w.id as wave_id, w.phase, w.sequence, eu.arm,
           v.audience, v.questionnaire_id, qi.theme, qi.position, a.item_id, i.k, i.lo, i.hi,
           case when qi.reverse then qi.scale_min + qi.scale_max - a.value else a.value end as v
      from answer a
      join questionnaire_item qi using (questionnaire_version_id, item_id, dimension)
      join items i on i.questionnaire_version_id = qi.questionnaire_version_id and i.theme = qi.theme
      join response r on r.id = a.response_id
      join questionnaire_version v on v.id = r.questionnaire_version_id
      join wave w on w.id = r.wave_id
      join evaluation_unit eu on eu.evaluation_id = w.evaluation_id and eu.unit_id = r.unit_id
     where w.evaluation_id = $1 and qi.item_type = any($2::text[]) and a.value is not null
)
"""

# Theme scores per response: the mean of its answered items of the theme, when at least
# `min_share` ($3) of the theme's items were answered ('ved ikke' counts as not answered).
_SCORES = _CODED + """
, scores as (
    select response_id, wave_id, phase, sequence, unit_id, arm, audience, questionnaire_id, theme, lo, hi,
           respondent_key, avg(v) as score
      from coded
     group by response_id, wave_id, phase, sequence, unit_id, arm, audience, questionnaire_id, theme, k, lo, hi,
              respondent_key
    having count(*) >= $3::float8 * k
)
"""

# From one computation of the theme scores, two kinds of counts ($4: the share of the
# scale's range from which a score counts as agreeing):
# - 'score': responses per wave, unit, theme and score: the frequency tables the rank
#   tests, t tests and shares of independent waves are computed from;
# - 'pair': linked respondents (the same key in the first wave before and the latest
#   follow-up of a questionnaire) per arm (the follow-up's), theme, difference (after −
#   before) and whether they agreed before and after: what the signed-rank test, the
#   paired t test and McNemar need. No key leaves the database.
SCORE_AND_PAIR_COUNTS = _SCORES + """
, latest as (
    select questionnaire_id, max(sequence) as sequence from scores where phase = 'after' group by 1
), first as (
    select questionnaire_id, min(sequence) as sequence from scores where phase = 'before' group by 1
), pairs as (
    -- one row per key and theme, by grouping rather than joining the scores to themselves
    select s.questionnaire_id, s.theme, s.lo, s.hi,
           min(s.arm) filter (where s.phase = 'after') as arm,
           min(s.audience) as audience,
           min(s.score) filter (where s.phase = 'before') as before,
           min(s.score) filter (where s.phase = 'after') as after
      from scores s
      left join latest l on l.questionnaire_id = s.questionnaire_id
      left join first f on f.questionnaire_id = s.questionnaire_id
     where s.respondent_key is not null
       and ((s.phase = 'after' and s.sequence = l.sequence) or (s.phase = 'before' and s.sequence = f.sequence))
     group by s.respondent_key, s.questionnaire_id, s.theme, s.lo, s.hi
)
select 'score' as kind, wave_id, phase, sequence, unit_id, arm, audience, questionnaire_id, theme, lo, hi,
       round(score, 6)::float8 as value, null::bool as agreed_before, null::bool as agreed_after, count(*)::int as n
  from scores
 group by wave_id, phase, sequence, unit_id, arm, audience, questionnaire_id, theme, lo, hi, round(score, 6)
union all
select 'pair', null, null, null, null, arm, audience, questionnaire_id, theme, lo, hi,
       round(after - before, 6)::float8, before >= lo + $4::float8 * (hi - lo), after >= lo + $4::float8 * (hi - lo),
       count(*)::int
  from pairs
 where before is not null and after is not null
 group by arm, audience, questionnaire_id, theme, lo, hi, round(after - before, 6)::float8,
          before >= lo + $4::float8 * (hi - lo), after >= lo + $4::float8 * (hi - lo)
 order by 1, 8, 9, 4, 5, 12
"""

# The joint indicator ("71 % felt more influence and found their goals meaningful"): per
# wave and unit, the respondents who answered every item of the set ($3) with a value,
# and how many of them agreed with all of them (reverse-coded value ≥ $4 of the range).
JOINT_AGREEMENT = """
with per_response as (
    select r.id, r.wave_id, r.unit_id,
           bool_and(case when qi.reverse then qi.scale_min + qi.scale_max - a.value else a.value end
                    >= qi.scale_min + $4::float8 * (qi.scale_max - qi.scale_min)) as agreed_all
      from answer a
      join questionnaire_item qi using (questionnaire_version_id, item_id, dimension)
      join response r on r.id = a.response_id
      join wave w on w.id = r.wave_id
     where w.evaluation_id = $1 and qi.questionnaire_id = $2 and a.item_id = any($3::text[])
       and a.value is not null and qi.item_type = any($5::text[])
     group by r.id
    having count(*) = cardinality($3::text[])
)
select w.phase, w.sequence, p.unit_id, eu.arm, v.audience, count(*)::int as n,
       (count(*) filter (where p.agreed_all))::int as agreed
  from per_response p
  join wave w on w.id = p.wave_id
  join questionnaire_version v on v.id = w.questionnaire_version_id
  join evaluation_unit eu on eu.evaluation_id = w.evaluation_id and eu.unit_id = p.unit_id
 group by 1, 2, 3, 4, 5
 order by 2, 4, 3
"""

# Reliability of a theme per wave: over the responses that answered every scale item of
# the theme with a value, the count, each item's sum and the sums of products of every
# pair of items (the diagonal: sums of squares), from which α, ω and item–rest follow.
THEME_CROSS_PRODUCTS = _CODED + """
, vectors as (
    -- one row per complete response: its coded values in the order of the theme's items
    select wave_id, phase, sequence, questionnaire_id, theme,
           array_agg(item_id order by position) as item_ids, array_agg(v order by position) as v
      from coded
     group by response_id, wave_id, phase, sequence, questionnaire_id, theme, k
    having count(*) = k
)
-- sums and products by position in the vector: linear in the responses, no self-join
select wave_id, phase, sequence, questionnaire_id, theme, item_ids, i, j, count(*)::int as n,
       sum(v[i])::float8 as sum_i, sum(v[i] * v[j])::float8 as cross
  from vectors, generate_subscripts(v, 1) as i, generate_subscripts(v, 1) as j
 group by wave_id, phase, sequence, questionnaire_id, theme, item_ids, i, j
"""

EVALUATIONS = """
select e.id as evaluation_id, e.name as evaluation, o.name as organisation, e.implementation_date,
       (select count(*) from response r join wave w on w.id = r.wave_id where w.evaluation_id = e.id)::int
           as responses
  from evaluation e join organisation o on o.id = e.organisation_id
 order by e.id
"""
