-- Microdata is a permission of its own (issue 17, point 5): an evaluator key reads
-- analyses, reports, charts and tables; respondent-level files (tidy answers, data
-- files, free text) need a key made with --microdata. An admin key always holds it
-- (it sets up the evaluations whose data these are), so admin rows say so explicitly.
alter table api_key add column microdata boolean not null default false;
update api_key set microdata = true where role = 'admin';
alter table api_key add constraint api_key_admin_holds_microdata check (role = 'evaluator' or microdata);

-- Sign-ins to the evaluator's page (issue 17, point 9): one row per signed-in browser,
-- so that signing out ends the session on every web node, not only in that browser.
-- The cookie holds a random session id and a signature, never the key; only the id's
-- SHA-256 is stored, so a copy of the table opens no session.
create table evaluator_session (
    session_hash  bytea primary key check (length(session_hash) = 32),
    key_id        bigint references api_key on delete cascade,  -- null: the configured SAMMEN_ADMIN_API_KEY
    expires_at    timestamptz not null,
    created_at    timestamptz not null default now()
);
create index evaluator_session_expires_at on evaluator_session (expires_at);
