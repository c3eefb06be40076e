-- Paper responses entered by staff (service/admin/entry.py). An `entry` key, scoped to
-- one organisation like an evaluator's, opens the entry of that organisation's paper
-- forms and nothing else. A wave may ask for double data entry: two people enter the
-- same form blind, and it counts once the two agree (or a third resolves their
-- differences); the entries wait here meanwhile, and go when the response is stored.
alter table api_key drop constraint api_key_role_check;
alter table api_key add constraint api_key_role_check check (role in ('admin', 'evaluator', 'entry'));
alter table wave add column double_entry boolean not null default false;
create table paper_entry (
    invitation_id  bigint not null references invitation on delete cascade,
    entry          smallint not null check (entry in (1, 2)),
    answers        jsonb not null,
    entered_by     text not null,
    entered_at     timestamptz not null default now(),
    primary key (invitation_id, entry)
);
-- an admin key holds microdata; an entry key never does
alter table api_key drop constraint api_key_admin_holds_microdata;
alter table api_key add constraint api_key_admin_holds_microdata check (
    (role = 'admin' and microdata) or role = 'evaluator' or (role = 'entry' and not microdata));
