-- A response moved to another wave or unit, or given another respondent key, has its theme
-- scores and pairs recomputed once per statement for every row it moved, as the answers'
-- triggers do, instead of once per row: re-keying a wave's 2000 staff responses took 10 s
-- row by row (a recompute each) and takes a fraction of a second as one set. PostgreSQL
-- allows no transition tables on a trigger with a column list, so the rows that moved are
-- found by comparing the old and new rows here.
drop trigger response_theme_scores_moved on response;
drop function theme_scores_response_moved();

create function theme_scores_responses_moved() returns trigger language plpgsql as $$
declare
    moved bigint[];
begin
    select array_agg(n.id) into moved
      from new_rows n join old_rows o on o.id = n.id
     where (o.wave_id, o.unit_id, o.respondent_key) is distinct from (n.wave_id, n.unit_id, n.respondent_key);
    if moved is not null then
        perform theme_scores_recompute(moved);
    end if;
    return null;
end $$;
create trigger response_theme_scores_moved after update on response
    referencing old table as old_rows new table as new_rows
    for each statement execute function theme_scores_responses_moved();
