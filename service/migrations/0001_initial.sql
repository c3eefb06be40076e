-- Sammen's first schema: who is evaluated (organisation, units, evaluation, waves),
-- what was asked (questionnaire versions, frozen once answered), who was asked
-- (invitations, token stored as a hash only) and what they answered.
-- No column here holds an IP address, a user agent or a name.

create table organisation (
    id          bigint generated always as identity primary key,
    name        text not null unique check (length(trim(name)) > 0),
    created_at  timestamptz not null default now()
);

create table unit (
    id               bigint generated always as identity primary key,
    organisation_id  bigint not null references organisation on delete cascade,
    name             text not null check (length(trim(name)) > 0),
    -- the role group the unit belongs to; staff answers carry their own role too
    sector           text not null check (sector in
                       ('myndighed', 'udfoerer', 'sygepleje', 'distriktspsykiatri', 'jobcenter', 'andet')),
    unique (organisation_id, name)
);

create table evaluation (
    id                   bigint generated always as identity primary key,
    organisation_id      bigint not null references organisation on delete cascade,
    name                 text not null check (length(trim(name)) > 0),
    implementation_date  date not null,
    created_at           timestamptz not null default now(),
    unique (organisation_id, name)
);

create table evaluation_unit (
    evaluation_id  bigint not null references evaluation on delete cascade,
    unit_id        bigint not null references unit on delete cascade,
    arm            text not null default 'intervention' check (arm in ('intervention', 'comparison')),
    primary key (evaluation_id, unit_id)
);

create table questionnaire_version (
    id                bigint generated always as identity primary key,
    questionnaire_id  text not null,
    version           integer not null check (version > 0),
    audience          text not null check (audience in ('citizen', 'relative', 'staff', 'meeting')),
    title             text not null,
    definition        jsonb not null,
    digest            text not null,  -- sha256 of the canonical definition
    loaded_at         timestamptz not null default now(),
    unique (questionnaire_id, version)
);

-- One row per answerable item of a version: lets analysis join answers to their theme,
-- scale and coding in SQL without reading the definition.
create table questionnaire_item (
    questionnaire_version_id  bigint not null references questionnaire_version on delete cascade,
    item_id                   text not null,
    position                  integer not null,
    item_type                 text not null,
    theme                     text,
    scale_min                 smallint,
    scale_max                 smallint,
    reverse                   boolean not null default false,
    primary key (questionnaire_version_id, item_id)
);

create table wave (
    id                        bigint generated always as identity primary key,
    evaluation_id             bigint not null references evaluation on delete cascade,
    name                      text not null check (length(trim(name)) > 0),
    phase                     text not null check (phase in ('before', 'after')),
    opens_on                  date not null,
    closes_on                 date not null,
    questionnaire_version_id  bigint not null references questionnaire_version,
    created_at                timestamptz not null default now(),
    check (closes_on >= opens_on),
    unique (evaluation_id, name)
);

-- kind 'personal': one response at most; 'open': an anonymous link per unit and wave
-- from which each visitor gets a personal one (parent_id).
create table invitation (
    id              bigint generated always as identity primary key,
    token_hash      bytea not null unique,
    kind            text not null default 'personal' check (kind in ('personal', 'open')),
    wave_id         bigint not null references wave on delete cascade,
    unit_id         bigint not null references unit,
    respondent_key  text,  -- pseudonymous key linking one citizen across waves (panel)
    parent_id       bigint references invitation on delete cascade,
    created_at      timestamptz not null default now()
);
create index invitation_wave_unit on invitation (wave_id, unit_id) where parent_id is null;

-- Save-and-resume: what a respondent has entered so far, never read by analysis.
create table draft (
    invitation_id  bigint primary key references invitation on delete cascade,
    answers        jsonb not null default '{}',
    page           integer not null default 0,
    language       text not null default 'da' check (language in ('da', 'en')),
    started_at     timestamptz not null default now(),
    updated_at     timestamptz not null default now()
);

create table response (
    id                        bigint generated always as identity primary key,
    submission_id             uuid not null unique,  -- idempotency: a retry of the same submission stores nothing new
    invitation_id             bigint unique references invitation on delete set null,
    wave_id                   bigint not null references wave,
    unit_id                   bigint not null references unit,
    questionnaire_version_id  bigint not null references questionnaire_version,
    respondent_key            text,
    staff_role                text,
    assisted                  boolean not null default false,
    channel                   text not null check (channel in ('web', 'api', 'paper')),
    language                  text not null default 'da',
    started_at                timestamptz,
    submitted_at              timestamptz not null default now()
);
create index response_wave_unit on response (wave_id, unit_id);
create index response_respondent on response (respondent_key) where respondent_key is not null;

-- Long format, one row per answered cell: the shape SQL aggregates and pandas pivots want.
-- part: '' for single items, the option for multiple choice, 'row:dimension' for a matrix.
create table answer (
    response_id  bigint not null references response on delete cascade,
    item_id      text not null,
    part         text not null default '',
    value        smallint,
    text_value   text,
    dont_know    boolean not null default false,
    primary key (response_id, item_id, part),
    check (num_nonnulls(value, text_value) + dont_know::int = 1)
);
create index answer_item on answer (item_id) include (value);
