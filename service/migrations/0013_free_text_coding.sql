-- Coding free-text answers into themes (docs/evaluator.md, "Coding free text"): a code
-- list per evaluation, and each coder's codes for each free-text answer. A coder is an
-- API key (the audit log's actor: 'key:12'); two keys coding the same answers give the
-- agreement between coders. A coding is personal data as the text is: it goes with the
-- answer, whether the response is erased or its text is past the evaluation's
-- free_text_retention_days (a trigger, as the answer has no key of its own to refer to).
create table code (
    id             bigint generated always as identity primary key,
    evaluation_id  bigint not null references evaluation on delete cascade,
    key            text not null check (key ~ '^[a-z][a-z0-9_]{0,39}$'),
    label          text not null check (length(label) between 1 and 200),
    created_at     timestamptz not null default now(),
    unique (evaluation_id, key),
    unique (evaluation_id, id)
);

-- that `coder` has coded the answer (with any number of codes, none included)
create table coded_answer (
    evaluation_id  bigint not null references evaluation on delete cascade,
    response_id    bigint not null references response on delete cascade,
    item_id        text not null,
    coder          text not null check (length(coder) between 1 and 100),
    coded_at       timestamptz not null default now(),
    primary key (response_id, item_id, coder)
);

create table coding (
    evaluation_id  bigint not null,
    response_id    bigint not null,
    item_id        text not null,
    coder          text not null,
    code_id        bigint not null,
    primary key (response_id, item_id, coder, code_id),
    foreign key (response_id, item_id, coder) references coded_answer on delete cascade,
    foreign key (evaluation_id, code_id) references code (evaluation_id, id) on delete cascade
);
create index coding_code on coding (code_id);

create function forget_codings() returns trigger language plpgsql as $$
begin
    delete from coded_answer where response_id = old.response_id and item_id = old.item_id;
    return null;
end $$;
create trigger answer_text_gone after delete on answer
    for each row when (old.text_value is not null) execute function forget_codings();
create trigger answer_text_cleared after update of text_value on answer
    for each row when (old.text_value is not null and new.text_value is null) execute function forget_codings();
