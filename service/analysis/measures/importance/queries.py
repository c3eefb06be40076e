"""The SQL of theme importance: each answered best–worst set (a response's best and worst
pick of one set, with the options the set showed, from the codebook of the version asked)
and the questions' option labels."""

# $1 evaluation. One row per response, question and set: its picks and what it showed.
TASKS = """
select v.questionnaire_id, a.item_id, w.id as wave_id, w.phase, w.sequence, r.id as response_id,
       qi.shown, qi.min_group_size,
       max(a.value) filter (where a.dimension like '%\\_best') as best,
       max(a.value) filter (where a.dimension like '%\\_worst') as worst
  from answer a
  join questionnaire_item qi using (questionnaire_version_id, item_id, dimension)
  join response r on r.id = a.response_id
  join wave w on w.id = r.wave_id
  join questionnaire_version v on v.id = a.questionnaire_version_id
 where w.evaluation_id = $1 and qi.item_type = 'best_worst_pick'
 group by v.questionnaire_id, a.item_id, w.id, w.phase, w.sequence, r.id, qi.shown, qi.min_group_size,
          split_part(a.dimension, '_', 1)
 order by v.questionnaire_id, a.item_id, w.sequence, w.id, r.id
"""

# $1 evaluation. The options of every best–worst question the evaluation's waves ask, newest version's words last.
OPTIONS = """
select v.questionnaire_id, vl.item_id, vl.value, vl.label_da, coalesce(vl.label_en, vl.label_da) as label_en,
       vl.theme
  from questionnaire_value_label vl
  join questionnaire_version v on v.id = vl.questionnaire_version_id
  join questionnaire_item qi on qi.questionnaire_version_id = vl.questionnaire_version_id
                            and qi.item_id = vl.item_id and qi.dimension = ''
 where qi.item_type = 'best_worst'
   and vl.questionnaire_version_id in (select questionnaire_version_id from wave where evaluation_id = $1)
 order by v.questionnaire_id, vl.item_id, v.version, vl.value
"""
