-- Request-rate limits (wrong keys, open-link visits) counted in PostgreSQL, so that every
-- web node behind one address counts together: two nodes that each counted their own
-- allowed twice the wrong keys. One row per kind of limit, fixed window and client; the
-- client is a keyed hash of its address (service/web/limits.py), never the address. Rows
-- of past windows are deleted as new ones come. Unlogged: counts need no crash safety and
-- no replica (a crash or a failover starts them at zero), and cost no WAL.
create unlogged table rate_count (
    kind         text not null,
    window_start bigint not null,
    client       bytea not null,
    count        integer not null,
    primary key (kind, window_start, client)
);
