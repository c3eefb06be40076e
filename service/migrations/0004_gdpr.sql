-- GDPR duties and honest counts: an optional cap on open links, one invitation per
-- respondent key and wave, a retention period for free text per evaluation, and an
-- audit log of erasures and retention runs that holds no answers and no clear keys.

-- A link whose respondent asked to be erased cannot be answered again.
alter table invitation add column erased_at timestamptz;

-- How many responses an open (anonymous) link may collect; null: no cap.
alter table invitation add column max_responses integer
    check (max_responses is null or (kind = 'open' and max_responses > 0));

-- A respondent key (its pseudonym) is invited once per wave. Earlier versions did not
-- enforce it: name the waves to clean up rather than drop anything here.
do $$
declare
    clash record;
begin
    select wave_id, count(*) as n into clash
      from (select wave_id from invitation where respondent_key is not null
             group by wave_id, respondent_key having count(*) > 1) d
     group by wave_id order by wave_id limit 1;
    if found then
        raise exception 'wave % has % respondent keys invited more than once; give each key one invitation per wave before migrating',
            clash.wave_id, clash.n;
    end if;
end $$;
create unique index invitation_wave_respondent_key on invitation (wave_id, respondent_key)
    where respondent_key is not null;
create index invitation_respondent_key on invitation (respondent_key) where respondent_key is not null;

-- Days after a wave closes that its text answers are kept; null: kept with the rest.
alter table evaluation add column free_text_retention_days integer
    check (free_text_retention_days is null or free_text_retention_days >= 0);

create table audit_log (
    id       bigint generated always as identity primary key,
    at       timestamptz not null default now(),
    actor    text not null check (actor in ('cli', 'admin-api', 'service')),
    action   text not null,
    -- what was acted on, e.g. 'organisation 3, respondent p:…' or 'invitation 17': never
    -- an answer and never a respondent key in clear
    subject  text not null,
    counts   jsonb not null default '{}'
);
