"""The SQL of goal attainment: each goal a citizen rated at a follow-up, with its level at
the baseline it follows (the citizen's latest response that set goals under the same
item id before the follow-up, as the form showed them), from the codebook's goal entries."""

# $1 evaluation. One row per follow-up response and goal rated: both levels, the unit's arm.
RATED_GOALS = """
with goals as (
    select r.id as response_id, r.respondent_key, r.unit_id, r.submitted_at, r.wave_id,
           v.questionnaire_id, a.item_id, a.dimension, a.value, qi.item_type, qi.min_group_size
      from answer a
      join response r on r.id = a.response_id
      join wave w on w.id = r.wave_id
      join questionnaire_version v on v.id = r.questionnaire_version_id
      join questionnaire_item qi on qi.questionnaire_version_id = r.questionnaire_version_id
                                and qi.item_id = a.item_id and qi.dimension = a.dimension
     where w.evaluation_id = $1 and r.respondent_key is not null and a.value is not null
       and qi.item_type in ('goal_baseline', 'goal_level')
)
select f.questionnaire_id, f.item_id, f.wave_id, w.phase, w.sequence, f.response_id, f.unit_id, eu.arm,
       f.dimension, b.value as baseline, f.value as follow_up,
       greatest(f.min_group_size, b.min_group_size) as min_group_size
  from goals f
  join wave w on w.id = f.wave_id
  join evaluation_unit eu on eu.evaluation_id = $1 and eu.unit_id = f.unit_id
  join lateral (select g.response_id from goals g
                 where g.item_type = 'goal_baseline' and g.respondent_key = f.respondent_key
                   and g.item_id = f.item_id and g.submitted_at < f.submitted_at
                 order by g.submitted_at desc, g.response_id desc limit 1) last on true
  join goals b on b.response_id = last.response_id and b.item_id = f.item_id and b.dimension = f.dimension
 where f.item_type = 'goal_level'
 order by f.questionnaire_id, f.item_id, w.sequence, f.wave_id, f.response_id, f.dimension
"""
