-- The evaluation plan (what the municipality agreed at the start to follow up, so a
-- result can say whether it answers a planned question: confirmatory, or not:
-- exploratory) and API keys for evaluators, scoped to one organisation, whose reads
-- are written to the audit log.

-- When the plan stopped changing, and why ('explicit', or the after-wave whose opening
-- locked it). Null: the plan may still change (service/admin/plan.py decides at each write).
alter table evaluation add column plan_locked_at timestamptz;
alter table evaluation add column plan_lock_reason text
    check ((plan_locked_at is null) = (plan_lock_reason is null));

create table evaluation_outcome (
    id                  bigint generated always as identity primary key,
    evaluation_id       bigint not null references evaluation on delete cascade,
    kind                text not null check (kind in ('primary', 'secondary')),
    questionnaire_id    text not null,
    -- the target: a theme of the questionnaire's codebook, or one of its items
    theme               text,
    item_id             text,
    audience            text not null check (audience in ('citizen', 'relative', 'staff', 'meeting')),
    comparison          text not null check (comparison in
                            ('before_after', 'intervention_vs_comparison', 'difference_in_differences')),
    expected_direction  text not null check (expected_direction in ('increase', 'decrease', 'any')),
    note                text not null default '',
    created_at          timestamptz not null default now(),
    check ((theme is null) <> (item_id is null))
);
-- one outcome per target and comparison: a second would make "planned" ambiguous
create unique index evaluation_outcome_target on evaluation_outcome
    (evaluation_id, questionnaire_id, coalesce(theme, ''), coalesce(item_id, ''), comparison);

-- Keys for the API besides SAMMEN_ADMIN_API_KEY. Only the SHA-256 of a key is kept: it
-- is shown once, when made. An evaluator key belongs to one organisation; an admin key
-- to none (it reaches all). A key is revoked, never deleted, so the audit log's
-- 'key:<id>' always names a known key.
create table api_key (
    id               bigint generated always as identity primary key,
    name             text not null check (length(trim(name)) > 0),
    role             text not null check (role in ('admin', 'evaluator')),
    organisation_id  bigint references organisation on delete cascade,
    key_hash         bytea not null unique check (length(key_hash) = 32),
    created_at       timestamptz not null default now(),
    revoked_at       timestamptz,
    check ((role = 'admin') = (organisation_id is null))
);

-- Who did it: the CLI, the configured admin key ('admin-api'), the service itself, or a
-- key of the table above ('key:<id>').
alter table audit_log drop constraint audit_log_actor_check;
alter table audit_log add constraint audit_log_actor_check
    check (actor in ('cli', 'admin-api', 'service') or actor ~ '^key:[1-9][0-9]*$');
