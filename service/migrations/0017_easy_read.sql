-- Easy-read mode (?let=1, or the toggle on the first page): kept with the draft while the
-- citizen answers, recorded with the response, so results can be split by mode.
alter table draft add column easy_read boolean not null default false;
alter table response add column easy_read boolean not null default false;
