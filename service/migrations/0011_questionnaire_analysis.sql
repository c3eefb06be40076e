-- What each questionnaire version's items are for in the analyses, as its file's
-- [analysis] declares (questionnaires/README.md, "Analysis roles"): the analyses read
-- this table, never the files, so an evaluation is analysed by what was stored with it
-- whatever folder the service starts with. Written with the codebook at every start;
-- not part of the version's digest (it says how answers are read, not what was asked).
create table questionnaire_analysis (
    questionnaire_version_id  bigint not null references questionnaire_version on delete cascade,
    questionnaire_id          text not null,
    -- staff_role: the role item raters answer; collaboration: a matrix of relational
    -- coordination; meeting: one side's item for an aspect of the meeting pair;
    -- key_theme: the theme side by side and the report lead with; joint: an item of the
    -- joint indicator
    role       text not null check (role in ('staff_role', 'collaboration', 'meeting', 'key_theme', 'joint')),
    side       text check (side in ('citizen', 'staff')),
    aspect     text not null default '' check (aspect in ('', 'heard', 'goals', 'right_people', 'follow_up')),
    position   smallint not null default 0,  -- the declared order of matrices and joint items
    item_id    text,
    theme      text,
    check ((item_id is null) <> (theme is null)),
    check ((role = 'key_theme') = (theme is not null)),
    check ((role = 'meeting') = (side is not null and aspect <> '')),
    primary key (questionnaire_version_id, role, aspect, position)
);
