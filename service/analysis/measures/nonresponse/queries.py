"""The SQL of non-response: responses counted by wave, arm, channel and help."""

# $1 evaluation. One row per wave, arm, channel, whether the response was assisted and
# whether it was given in easy-read mode.
CHANNELS = """
select w.id as wave_id, w.name as wave, v.questionnaire_id, w.phase, w.sequence, eu.arm, r.channel, r.assisted,
       r.easy_read, count(*)::int as n
  from response r
  join wave w on w.id = r.wave_id
  join questionnaire_version v on v.id = w.questionnaire_version_id
  join evaluation_unit eu on eu.evaluation_id = w.evaluation_id and eu.unit_id = r.unit_id
 where w.evaluation_id = $1
 group by w.id, w.name, v.questionnaire_id, w.phase, w.sequence, eu.arm, r.channel, r.assisted, r.easy_read
 order by w.sequence, w.id, eu.arm
"""
