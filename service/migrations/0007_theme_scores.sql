-- Theme scores kept per response, so the standard summary reads about five rows per
-- response instead of recomputing twenty answers joined to the codebook each time
-- (10^6 responses: about 28 s to a few seconds). Stored: how many scale items of the
-- theme the response answered with a value ('ved ikke' and skipped items are not
-- answered) and the sum of those values after reverse coding (min + max − value). What
-- varies per analysis is applied when reading: the minimum share of answered items
-- (answered >= share × the theme's items in questionnaire_item), the mean (value_sum /
-- answered) and the linking of respondents across waves.
--
-- Kept by triggers on every write, whoever writes (the submit statement, the demo
-- loader's COPY, erasure, retention, a manual fix): an insert adds to a response's
-- scores; an update or delete of answers computes the touched responses again; a
-- deleted response takes its scores with it (foreign key); a codebook change to an
-- answered item (theme, type, reverse coding, scale) computes its version again.
-- The scale types are service/analysis/queries.py SCALE_TYPES.
--
-- Linked respondents (the same key before and after) are paired here too: theme_pair
-- holds, for every two responses of one key in one evaluation and questionnaire, one
-- before and one after, their kept scores theme by theme, so that the summary reads the
-- pairs rather than matching keys (10^6 responses: seconds). Refreshed with the scores,
-- and when a response's key or a wave's phase changes; a deleted response takes its
-- pairs with it. Which waves are compared (the first before, the latest after) is
-- chosen when reading.
create table response_theme_score (
    response_id               bigint not null,
    questionnaire_version_id  bigint not null,
    -- copied from the response (never changed after it is stored; a trigger follows if
    -- they are), so that reading needs no join to response
    wave_id                   bigint not null,
    unit_id                   bigint not null,
    theme                     text collate "C" not null,
    answered                  smallint not null check (answered > 0),
    value_sum                 integer not null,
    primary key (response_id, theme),
    foreign key (response_id, questionnaire_version_id) references response (id, questionnaire_version_id)
        on delete cascade
);
create index response_theme_score_wave on response_theme_score (wave_id);

create table theme_pair (
    before_id        bigint not null references response on delete cascade,
    after_id         bigint not null references response on delete cascade,
    wave_before      bigint not null,
    wave_after       bigint not null,
    unit_after       bigint not null,  -- the follow-up's unit decides the arm
    version_before   bigint not null,
    version_after    bigint not null,
    theme            text collate "C" not null,
    answered_before  smallint not null,
    sum_before       integer not null,
    answered_after   smallint not null,
    sum_after        integer not null,
    primary key (before_id, after_id, theme)
);
create index theme_pair_after on theme_pair (after_id);
create index theme_pair_waves on theme_pair (wave_before, wave_after);

-- Waves where one key answered twice: their pairs are not one per key, so the summary
-- matches keys there as it reads (service/analysis/data.py). Invitations are unique per
-- key and wave, so only rows written around the service land here.
create table theme_pair_ambiguous (
    wave_id  bigint primary key references wave on delete cascade
);

-- The pairs of the given responses with every other response of their key. Joined in
-- the order written and planned for the responses given: planning the eight-way join
-- freely cost 10 ms per keyed submission, more than the submission itself.
create function theme_pairs_refresh(responses bigint[]) returns void language plpgsql
    set join_collapse_limit = 1 set plan_cache_mode = force_custom_plan as $$
begin
    delete from theme_pair where before_id = any(responses) or after_id = any(responses);
    insert into theme_pair_ambiguous (wave_id)
    select distinct r.wave_id
      from response r
      join response o on o.respondent_key = r.respondent_key and o.wave_id = r.wave_id and o.id <> r.id
     where r.id = any(responses) and r.respondent_key is not null
    on conflict do nothing;
    insert into theme_pair (before_id, after_id, wave_before, wave_after, unit_after, version_before, version_after,
                            theme, answered_before, sum_before, answered_after, sum_after)
    select sb.response_id, sa.response_id, sb.wave_id, sa.wave_id, sa.unit_id, sb.questionnaire_version_id,
           sa.questionnaire_version_id, sb.theme, sb.answered, sb.value_sum, sa.answered, sa.value_sum
      from response n
      join wave nw on nw.id = n.wave_id
      join questionnaire_version nv on nv.id = n.questionnaire_version_id
      join response o on o.respondent_key = n.respondent_key and o.id <> n.id
      join wave ow on ow.id = o.wave_id and ow.evaluation_id = nw.evaluation_id and ow.phase <> nw.phase
      join questionnaire_version ov on ov.id = o.questionnaire_version_id and ov.questionnaire_id = nv.questionnaire_id
      join response_theme_score sb on sb.response_id = case when nw.phase = 'before' then n.id else o.id end
      join response_theme_score sa on sa.response_id = case when nw.phase = 'before' then o.id else n.id end
                                  and sa.theme = sb.theme
     where n.id = any(responses) and n.respondent_key is not null
    on conflict do nothing;
end $$;

-- The scores of the given responses from their stored answers, replacing what was kept.
create function theme_scores_recompute(responses bigint[]) returns void language sql
    set plan_cache_mode = force_custom_plan as $$
    delete from response_theme_score where response_id = any(responses);
    insert into response_theme_score (response_id, questionnaire_version_id, wave_id, unit_id, theme, answered,
                                      value_sum)
    select a.response_id, a.questionnaire_version_id, r.wave_id, r.unit_id, qi.theme, count(*),
           sum(case when qi.reverse then qi.scale_min + qi.scale_max - a.value else a.value end)
      from answer a
      join questionnaire_item qi using (questionnaire_version_id, item_id, dimension)
      join response r on r.id = a.response_id
     where a.response_id = any(responses) and a.value is not null and qi.theme is not null
       and qi.item_type in ('agreement', 'frequency', 'scale_0_10')
     group by a.response_id, a.questionnaire_version_id, r.wave_id, r.unit_id, qi.theme;
    select theme_pairs_refresh(responses);
$$;

create function theme_scores_added() returns trigger language plpgsql as $$
declare
    keyed bigint[];
begin
    insert into response_theme_score as s (response_id, questionnaire_version_id, wave_id, unit_id, theme,
                                           answered, value_sum)
    select a.response_id, a.questionnaire_version_id, r.wave_id, r.unit_id, qi.theme, count(*),
           sum(case when qi.reverse then qi.scale_min + qi.scale_max - a.value else a.value end)
      from added a
      join questionnaire_item qi using (questionnaire_version_id, item_id, dimension)
      join response r on r.id = a.response_id
     where a.value is not null and qi.theme is not null and qi.item_type in ('agreement', 'frequency', 'scale_0_10')
     group by a.response_id, a.questionnaire_version_id, r.wave_id, r.unit_id, qi.theme
    on conflict (response_id, theme) do update
        set answered = s.answered + excluded.answered, value_sum = s.value_sum + excluded.value_sum;
    -- pairs only for responses with a key: most have none, and pay nothing more
    keyed := array(select distinct a.response_id from added a join response r on r.id = a.response_id
                    where r.respondent_key is not null);
    if cardinality(keyed) > 0 then
        perform theme_pairs_refresh(keyed);
    end if;
    return null;
end $$;

create function theme_scores_changed() returns trigger language plpgsql as $$
begin
    -- only responses that still exist (a deleted response's scores went with it) and
    -- only where a scored answer was touched (retention deleting free text costs nothing)
    perform theme_scores_recompute(array(
        select distinct a.response_id
          from removed a
          join questionnaire_item qi using (questionnaire_version_id, item_id, dimension)
         where qi.theme is not null and qi.item_type in ('agreement', 'frequency', 'scale_0_10')
           and exists (select 1 from response r where r.id = a.response_id)));
    return null;
end $$;

create function theme_scores_updated() returns trigger language plpgsql as $$
begin
    perform theme_scores_recompute(array(
        select response_id from removed union select response_id from added));
    return null;
end $$;

create trigger answer_theme_scores_insert after insert on answer
    referencing new table as added for each statement execute function theme_scores_added();
create trigger answer_theme_scores_update after update on answer
    referencing old table as removed new table as added for each statement execute function theme_scores_updated();
create trigger answer_theme_scores_delete after delete on answer
    referencing old table as removed for each statement execute function theme_scores_changed();

create function theme_scores_response_moved() returns trigger language plpgsql as $$
begin
    perform theme_scores_recompute(array[new.id]);
    return null;
end $$;
create trigger response_theme_scores_moved after update of wave_id, unit_id, respondent_key on response
    for each row when ((old.wave_id, old.unit_id, old.respondent_key)
                       is distinct from (new.wave_id, new.unit_id, new.respondent_key))
    execute function theme_scores_response_moved();

create function theme_pairs_wave_phase() returns trigger language plpgsql as $$
begin
    perform theme_pairs_refresh(array(select id from response where wave_id = new.id));
    return null;
end $$;
create trigger wave_theme_pairs_phase after update of phase on wave
    for each row when (old.phase is distinct from new.phase) execute function theme_pairs_wave_phase();

create function theme_scores_recoded() returns trigger language plpgsql as $$
begin
    perform theme_scores_recompute(array(
        select distinct a.response_id from answer a
         where a.questionnaire_version_id = new.questionnaire_version_id and a.item_id = new.item_id
           and a.dimension = new.dimension));
    return null;
end $$;
create trigger questionnaire_item_theme_scores after update on questionnaire_item
    for each row when ((old.theme, old.item_type, old.reverse, old.scale_min, old.scale_max)
                       is distinct from (new.theme, new.item_type, new.reverse, new.scale_min, new.scale_max))
    execute function theme_scores_recoded();

-- the responses stored before this migration
insert into response_theme_score (response_id, questionnaire_version_id, wave_id, unit_id, theme, answered, value_sum)
select a.response_id, a.questionnaire_version_id, r.wave_id, r.unit_id, qi.theme, count(*),
       sum(case when qi.reverse then qi.scale_min + qi.scale_max - a.value else a.value end)
  from answer a
  join questionnaire_item qi using (questionnaire_version_id, item_id, dimension)
  join response r on r.id = a.response_id
 where a.value is not null and qi.theme is not null and qi.item_type in ('agreement', 'frequency', 'scale_0_10')
 group by a.response_id, a.questionnaire_version_id, r.wave_id, r.unit_id, qi.theme;
select theme_pairs_refresh(array(select id from response where respondent_key is not null));
