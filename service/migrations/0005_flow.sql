-- Citizen flow per unit and month, imported from the case system's CSV
-- (service/flow): the stock at the start of the month and the courses started and
-- ended during it. Capacity and waiting are optional: not every case system has them,
-- and an unknown figure is null, never 0.
create table flow_month (
    unit_id   bigint not null references unit on delete cascade,
    month     date not null check (extract(day from month) = 1),   -- the first of the month
    enrolled  integer not null check (enrolled >= 0),   -- citizens enrolled at the start of the month
    started   integer not null check (started >= 0),    -- courses started during the month
    ended     integer not null check (ended >= 0),      -- courses ended during the month
    capacity  integer check (capacity >= 0),            -- places offered, optional
    waiting   integer check (waiting >= 0),             -- citizens waiting at the start, optional
    imported_at timestamptz not null default now(),
    primary key (unit_id, month)
);
