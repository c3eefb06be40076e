-- The data model the evaluation stands on: one vocabulary of role groups, collaboration
-- answers with the rated group and the dimension in their own columns, answers that
-- name their questionnaire version (and may only name items it has), a codebook in SQL
-- (item and dimension labels, value labels, disclosure thresholds), staggered
-- implementation dates per unit and waves in an order.

-- One vocabulary of role groups (service/roles.py holds the same list; a test keeps them equal).
create table role_group (
    key       text primary key,
    label_da  text not null,
    label_en  text not null,
    position  smallint not null unique
);
insert into role_group (key, label_da, label_en, position) values
    ('myndighed', 'Myndighed', 'Authority (case management)', 1),
    ('udfoerer', 'Udfører (botilbud, bostøtte, dagtilbud)', 'Provider (residential services, housing support, day services)', 2),
    ('sygepleje', 'Sygepleje', 'Nursing', 3),
    ('distriktspsykiatri', 'Distriktspsykiatri', 'District psychiatry', 4),
    ('jobcenter', 'Jobcenter', 'Job centre', 5),
    ('andet', 'Andet', 'Other', 6);

alter table unit drop constraint unit_sector_check;
alter table unit add constraint unit_sector_fkey foreign key (sector) references role_group;
alter table response add constraint response_staff_role_fkey foreign key (staff_role) references role_group;

-- Staggered designs: a comparison unit often implements later than the evaluation's date.
alter table evaluation_unit add column implementation_date date;
comment on column evaluation_unit.implementation_date is 'null: the evaluation''s implementation_date';

-- Waves in an order within their evaluation: baseline, 6 months, 12 months, ...
alter table wave add column sequence smallint not null default 1 check (sequence between 0 and 100);

-- The codebook: one row per item, plus one per dimension of a collaboration matrix.
alter table questionnaire_item add column dimension text not null default '';
alter table questionnaire_item add column questionnaire_id text;
alter table questionnaire_item add column section_id text;
alter table questionnaire_item add column label_da text;
alter table questionnaire_item add column label_en text;
alter table questionnaire_item add column required boolean not null default true;
alter table questionnaire_item add column dont_know boolean not null default false;
-- null: the service's SAMMEN_MIN_GROUP_SIZE
alter table questionnaire_item add column min_group_size smallint check (min_group_size >= 3);
update questionnaire_item qi
   set questionnaire_id = v.questionnaire_id, label_da = qi.item_id
  from questionnaire_version v where v.id = qi.questionnaire_version_id;
alter table questionnaire_item alter column questionnaire_id set not null;
alter table questionnaire_item alter column label_da set not null;
alter table questionnaire_item drop constraint questionnaire_item_pkey;
alter table questionnaire_item add primary key (questionnaire_version_id, item_id, dimension);
-- Existing matrix items get their dimension rows from the stored definitions.
insert into questionnaire_item (questionnaire_version_id, item_id, dimension, position, item_type, theme,
                                scale_min, scale_max, reverse, questionnaire_id, label_da)
select qi.questionnaire_version_id, qi.item_id, dim ->> 'key', qi.position, 'matrix_dimension', qi.theme,
       qi.scale_min, qi.scale_max, qi.reverse, qi.questionnaire_id, dim -> 'text' ->> 'da'
  from questionnaire_item qi
  join questionnaire_version v on v.id = qi.questionnaire_version_id,
       jsonb_array_elements(v.definition -> 'sections') s,
       jsonb_array_elements(s -> 'items') it,
       jsonb_array_elements(it -> 'dimensions') dim
 where qi.item_type = 'matrix' and it ->> 'id' = qi.item_id;

create table questionnaire_value_label (
    questionnaire_version_id  bigint not null references questionnaire_version on delete cascade,
    item_id                   text not null,
    value                     smallint not null,
    label_da                  text not null,
    label_en                  text,
    primary key (questionnaire_version_id, item_id, value)
);

-- Answers: the version they belong to, and the matrix cell or chosen option in columns.
alter table answer add column questionnaire_version_id bigint;
alter table answer add column dimension text not null default '';
alter table answer add column rated_role text references role_group;
alter table answer add column choice smallint;
update answer a set questionnaire_version_id = r.questionnaire_version_id from response r where r.id = a.response_id;
update answer a set rated_role = split_part(a.part, ':', 1), dimension = split_part(a.part, ':', 2)
  from questionnaire_item qi
 where qi.questionnaire_version_id = a.questionnaire_version_id and qi.item_id = a.item_id
   and qi.dimension = '' and qi.item_type = 'matrix';
update answer a set choice = a.part::smallint
  from questionnaire_item qi
 where qi.questionnaire_version_id = a.questionnaire_version_id and qi.item_id = a.item_id
   and qi.dimension = '' and qi.item_type = 'multiple_choice';
alter table answer alter column questionnaire_version_id set not null;
alter table answer drop constraint answer_pkey;
alter table answer drop column part;
alter table response add constraint response_id_version_key unique (id, questionnaire_version_id);
-- replaces the plain key to response: the answer's version must be its response's
alter table answer drop constraint answer_response_id_fkey;
alter table answer add constraint answer_response_version_fkey
    foreign key (response_id, questionnaire_version_id) references response (id, questionnaire_version_id)
    on delete cascade;
alter table answer add constraint answer_item_fkey
    foreign key (questionnaire_version_id, item_id, dimension) references questionnaire_item;
alter table answer add constraint answer_cell_shape check (
    (rated_role is null) = (dimension = '') and (choice is null or rated_role is null));
create unique index answer_cell on answer (response_id, item_id, dimension, coalesce(rated_role, ''), coalesce(choice, -1));
drop index answer_item;
create index answer_item on answer (questionnaire_version_id, item_id) include (value);
