"""All SQL of the analysis side. PostgreSQL does the aggregating: frequency tables of
answers and of theme scores per group go to Python, rows per respondent only where a
statistic needs them (linked respondents) or an evaluator asks for the tidy data."""

from __future__ import annotations

# Items that carry a score: the scales, not choices, text, roles or matrix cells (the
# collaboration matrix is scored per tie, issue 11). Migration 0007's triggers keep
# response_theme_score for these same types.
SCALE_TYPES = ("agreement", "frequency", "scale_0_10")

# Every answered cell with its codebook row, response, questionnaire version, wave,
# evaluation, unit and arm (aliases a, qi, r, v, w, e, eu, u): what the tidy rows and the
# data files select from.
TIDY_FROM = """
  from answer a
  join questionnaire_item qi using (questionnaire_version_id, item_id, dimension)
  join response r on r.id = a.response_id
  join questionnaire_version v on v.id = r.questionnaire_version_id
  join wave w on w.id = r.wave_id
  join evaluation e on e.id = w.evaluation_id
  join evaluation_unit eu on eu.evaluation_id = e.id and eu.unit_id = r.unit_id
  join unit u on u.id = r.unit_id
"""

# One row per answered cell, with everything an evaluator groups or filters by. A
# scale item's value is also given reverse-coded (min + max − value) where the item says
# so, so that a higher value always means better. Streamed as CSV (service/analysis/
# data.py), so the date and the time are written in one form whatever the session's
# DateStyle and TimeZone.
TIDY = """
select e.id as evaluation_id, e.name as evaluation, w.id as wave_id, w.name as wave, w.phase, w.sequence,
       u.id as unit_id, u.name as unit, eu.arm, u.sector,
       to_char(coalesce(eu.implementation_date, e.implementation_date), 'YYYY-MM-DD') as implementation_date,
       v.audience, v.questionnaire_id, v.version, r.id as response_id, r.respondent_key, r.staff_role,
       r.assisted, to_char(r.submitted_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as submitted_at,
       a.item_id, a.dimension, a.rated_role, a.choice, qi.theme, qi.item_type,
       a.value,
       case when qi.reverse and a.value is not null then qi.scale_min + qi.scale_max - a.value else a.value end
           as value_coded,
       a.dont_know,
       case when $6 then a.text_value end as text_value
""" + TIDY_FROM + """ where e.id = $1
   and ($2::text is null or v.audience = $2)
   and ($3::bigint[] is null or w.id = any($3))
   and ($4::bigint[] is null or u.id = any($4))
   and ($5::text is null or eu.arm = $5)
   and (a.text_value is null or $6)
 order by w.sequence, w.id, r.id, qi.position, a.dimension, a.rated_role, a.choice
"""

# The theme scores' ingredients are kept per response in response_theme_score
# (migration 0007, maintained by triggers): how many scale items of the theme were
# answered with a value and the sum of their reverse-coded values. What varies per call
# is applied here: a score counts when at least `min_share` of the theme's items were
# answered, and is their mean. k (the theme's items), lo and hi per version and theme, and
# whether its items are on different scales (`mixed`: a 0–10 item beside agreement items),
# where a score has no 'agreeing' part of the range:
_THEME_ITEMS = """
with items as (
    select questionnaire_version_id, theme, count(*) as k, min(scale_min) as lo, max(scale_max) as hi,
           min(scale_min) <> max(scale_min) or min(scale_max) <> max(scale_max) as mixed
      from questionnaire_item
     where dimension = '' and theme is not null and item_type = any($3::text[])
     group by 1, 2
)
"""

# Responses per wave, unit, theme and score ($1 evaluation, $2 min_share, $3 the scale
# item types): the frequency tables the rank tests, t tests and shares of independent
# waves are computed from. Scores are counted per (answered, sum) first, the cheap
# grouping over the kept rows; the mean is taken of those few groups.
SCORE_COUNTS = _THEME_ITEMS + """
, counted as (
    select s.wave_id, s.unit_id, s.questionnaire_version_id, s.theme, s.answered, s.value_sum, count(*) as n
      from response_theme_score s
     where s.wave_id = any(array(select id from wave where evaluation_id = $1))
     group by 1, 2, 3, 4, 5, 6
)
select c.wave_id, w.phase, w.sequence, c.unit_id, eu.arm, v.audience, v.questionnaire_id,
       c.theme::text collate "default" as theme, i.lo, i.hi,
       round(c.value_sum::numeric / c.answered, 6)::float8 as value, sum(c.n)::int as n, bool_or(i.mixed) as mixed
  from counted c
  join items i on i.questionnaire_version_id = c.questionnaire_version_id and i.theme = c.theme
  join wave w on w.id = c.wave_id
  join questionnaire_version v on v.id = c.questionnaire_version_id
  join evaluation_unit eu on eu.evaluation_id = w.evaluation_id and eu.unit_id = c.unit_id
 where c.answered >= $2::float8 * i.k
 group by 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11
 order by 7, 8, 3, 4, 11
"""

# Linked respondents: the same key in the first wave before and the latest follow-up of
# a questionnaire ($4: the first waves before, $5: the latest follow-ups, found from
# SCORE_COUNTS), per arm (the follow-up's), theme, difference (after − before) and
# whether they agreed before and after ($6: the share of the scale's range from which a
# score agrees): what the signed-rank test, the paired t test and McNemar need. Read
# from theme_pair, where migration 0007 keeps the two responses' scores of every key
# answering before and after, counted per (answered, sum) on both sides first. Exact
# where each side is one wave with one response per key (theme_pair_ambiguous names
# the waves where it is not); elsewhere PAIR_COUNTS_MATCHED. No key leaves the database.
# Counted pairs (`source`: version_before, version_after, unit_after, theme, answered and
# sum on each side, n) scored where both sides answered at least $2 of the theme's items
# on the same scale: arm, audience, questionnaire, theme, scale and both scores. Shared
# by PAIR_COUNTS and PAIR_COUNTS_MATCHED.
_SCORED_PAIRS = """
    select eu.arm, least(vb.audience, va.audience) as audience, va.questionnaire_id, p.theme, ia.lo, ia.hi,
           ia.mixed, p.sum_before::numeric / p.answered_before as before,
           p.sum_after::numeric / p.answered_after as after, p.n
      from {source} p
      join items ib on ib.questionnaire_version_id = p.version_before and ib.theme = p.theme
      join items ia on ia.questionnaire_version_id = p.version_after and ia.theme = p.theme
      join questionnaire_version vb on vb.id = p.version_before
      join questionnaire_version va on va.id = p.version_after
      join evaluation_unit eu on eu.evaluation_id = $1 and eu.unit_id = p.unit_after
     where p.answered_before >= $2::float8 * ib.k and p.answered_after >= $2::float8 * ia.k
       and ia.lo = ib.lo and ia.hi = ib.hi"""

PAIR_COUNTS = _THEME_ITEMS + """
, counted as (
    select version_before, version_after, unit_after, theme, answered_before, sum_before, answered_after,
           sum_after, count(*) as n
      from theme_pair
     where wave_before = any($4::bigint[]) and wave_after = any($5::bigint[])
     group by 1, 2, 3, 4, 5, 6, 7, 8
), pairs as (""" + _SCORED_PAIRS.format(source="counted") + """
)
select arm, audience, questionnaire_id, theme::text collate "default" as theme, lo, hi,
       round(after - before, 6)::float8 as value, before >= lo + $6::float8 * (hi - lo) as agreed_before,
       after >= lo + $6::float8 * (hi - lo) as agreed_after, sum(n)::int as n, bool_or(mixed) as mixed
  from pairs
 group by 1, 2, 3, 4, 5, 6, 7, 8, 9
 order by 3, 4, 1, 7
"""

# The same as PAIR_COUNTS, matching keys as it reads ($4: every linked wave; $5 as $6
# above): for waves sharing a sequence, or a key answering twice in a wave, where each
# side's lowest score is taken. Keys are matched once per response, not per theme.
PAIR_COUNTS_MATCHED = _THEME_ITEMS + """
, linked as (
    select min(r.id) filter (where w.phase = 'before') as before_id,
           min(r.id) filter (where w.phase = 'after') as after_id,
           count(*) = 2 as single, array_agg(r.id) as ids, array_agg(w.phase = 'after') as afters
      from response r
      join wave w on w.id = r.wave_id
      join questionnaire_version v on v.id = r.questionnaire_version_id
     where r.wave_id = any($4::bigint[]) and r.respondent_key is not null
     group by r.respondent_key, v.questionnaire_id
    having bool_or(w.phase = 'before') and bool_or(w.phase = 'after')
), single_pairs as (
    -- one response before and one after: their kept scores joined theme by theme, and
    -- counted per (answered, sum) on both sides before the codebook is looked at
    select b.questionnaire_version_id as version_before, a.questionnaire_version_id as version_after,
           a.unit_id as unit_after, a.theme, b.answered as answered_before, b.value_sum as sum_before,
           a.answered as answered_after, a.value_sum as sum_after, count(*) as n
      from linked l
      join response_theme_score b on b.response_id = l.before_id
      join response_theme_score a on a.response_id = l.after_id and a.theme = b.theme
     where l.single and b.wave_id = any($4::bigint[]) and a.wave_id = any($4::bigint[])
     group by 1, 2, 3, 4, 5, 6, 7, 8
), pairs as (""" + _SCORED_PAIRS.format(source="single_pairs") + """
    union all
    -- several responses on a side (waves sharing a sequence): each side's lowest score
    select min(eu.arm) filter (where m.after), min(v.audience), min(v.questionnaire_id), s.theme, i.lo, i.hi,
           bool_or(i.mixed), min(s.value_sum::numeric / s.answered) filter (where not m.after),
           min(s.value_sum::numeric / s.answered) filter (where m.after), 1
      from linked l
      cross join unnest(l.ids, l.afters) as m (response_id, after)
      join response_theme_score s on s.response_id = m.response_id
      join items i on i.questionnaire_version_id = s.questionnaire_version_id and i.theme = s.theme
      join questionnaire_version v on v.id = s.questionnaire_version_id
      join evaluation_unit eu on eu.evaluation_id = $1 and eu.unit_id = s.unit_id
     where not l.single and s.answered >= $2::float8 * i.k
     group by l.before_id, s.theme, i.lo, i.hi
)
select arm, audience, questionnaire_id, theme::text collate "default" as theme, lo, hi,
       round(after - before, 6)::float8 as value, before >= lo + $5::float8 * (hi - lo) as agreed_before,
       after >= lo + $5::float8 * (hi - lo) as agreed_after, sum(n)::int as n, bool_or(mixed) as mixed
  from pairs
 where before is not null and after is not null
 group by 1, 2, 3, 4, 5, 6, 7, 8, 9
 order by 3, 4, 1, 7
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
       (count(*) filter (where p.agreed_all))::int as agreed, array_agg(distinct p.wave_id) as wave_ids
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
# Summed per questionnaire version (Python adds up the versions that ask the same items);
# the items' order is `item_ids`'. One vector per complete response first, of its coded
# values in the theme's order; then, where no theme has more than WIDE_UP_TO items, every
# sum and product is a column of one row per wave, version and theme (`theme_products`:
# 2.3 s for 10^5 responses), else a row per pair of positions (THEME_PAIR_PRODUCTS: 3.9 s;
# a row per pair grouped by the item list itself took 9.4 s).
_VECTORS = """
with items as (
    select questionnaire_version_id, theme, count(*) as k
      from questionnaire_item
     where dimension = '' and theme is not null and item_type = any($2::text[])
     group by 1, 2
), vectors as (
    select r.wave_id, a.questionnaire_version_id as version_id, qi.theme,
           array_agg(case when qi.reverse then qi.scale_min + qi.scale_max - a.value else a.value end
                     order by qi.position) as v
      from answer a
      join questionnaire_item qi using (questionnaire_version_id, item_id, dimension)
      join items i on i.questionnaire_version_id = qi.questionnaire_version_id and i.theme = qi.theme
      join response r on r.id = a.response_id
      join wave w on w.id = r.wave_id
      join evaluation_unit eu on eu.evaluation_id = w.evaluation_id and eu.unit_id = r.unit_id
     where w.evaluation_id = $1 and qi.item_type = any($2::text[]) and a.value is not null
     group by a.response_id, r.wave_id, a.questionnaire_version_id, qi.theme, i.k
    having count(*) = i.k
)
"""
_LAID_OUT = """
, layouts as (
    select questionnaire_version_id as version_id, theme, array_agg(item_id order by position) as item_ids
      from questionnaire_item
     where dimension = '' and theme is not null and item_type = any($2::text[])
     group by 1, 2
)
select w.phase, w.sequence, v.questionnaire_id, l.item_ids, p.*
  from products p
  join wave w on w.id = p.wave_id
  join questionnaire_version v on v.id = p.version_id
  join layouts l on l.version_id = p.version_id and l.theme = p.theme
"""
WIDE_UP_TO = 40  # items of a theme: 860 columns of sums and products, of PostgreSQL's 1664
# The largest theme of scale items ($1: the scale item types).
LARGEST_THEME = """
select coalesce(max(k), 0)::int from (
    select count(*) as k from questionnaire_item
     where dimension = '' and theme is not null and item_type = any($1::text[])
     group by questionnaire_version_id, theme) t
"""
THEME_PAIR_PRODUCTS = _VECTORS + """
, products as (
    select wave_id, version_id, theme, count(*)::int as n, i, j, sum(v[i])::float8 as sum_i,
           sum(v[i] * v[j])::float8 as cross
      from vectors, generate_subscripts(v, 1) as i, generate_subscripts(v, 1) as j
     where j >= i
     group by wave_id, version_id, theme, i, j
)
""" + _LAID_OUT


def theme_products(k: int) -> str:
    """The sums (s1 … sk) and products (c1_1, c1_2 … ck_k) of themes of up to `k` items
    (at most WIDE_UP_TO), as columns; a shorter theme's vector has no values past its own
    items, and their sums are null."""
    assert 0 < k <= WIDE_UP_TO  # an int of ours, never a value from outside: the SQL text is fixed by it
    sums = [f"sum(v[{i}])::float8 as s{i}" for i in range(1, k + 1)]
    products = [f"sum(v[{i}] * v[{j}])::float8 as c{i}_{j}" for i in range(1, k + 1) for j in range(i, k + 1)]
    return _VECTORS + f"""
, products as (
    select wave_id, version_id, theme, count(*)::int as n,
           {', '.join(sums + products)}
      from vectors
     group by wave_id, version_id, theme
)
""" + _LAID_OUT


EVALUATIONS = """
select e.id as evaluation_id, e.name as evaluation, o.name as organisation, e.implementation_date,
       (select count(*) from response r join wave w on w.id = r.wave_id where w.evaluation_id = e.id)::int
           as responses
  from evaluation e join organisation o on o.id = e.organisation_id
 order by e.id
"""
