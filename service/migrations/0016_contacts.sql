-- Invitations and reminders by e-mail or SMS (service/messaging). A citizen's address or
-- number is used to send and for nothing else: sealed (AES-GCM, a key derived from the
-- server's secret) together with the link's token, which is otherwise stored only as its
-- hash; never beside answers, never exported, and deleted when the wave closes or the
-- invitation is erased (service/admin/retention.py, erase.py).
create table invitation_contact (
    invitation_id  bigint primary key references invitation on delete cascade,
    channel        text not null check (channel in ('email', 'sms')),
    sealed         bytea not null,
    created_at     timestamptz not null default now()
);

-- What was sent to whom (counted, never the address): the invitation itself is number 0,
-- reminders 1, 2, ...; a row is written in the same transaction that sends, so a run
-- killed midway leaves each message sent once or not at all.
create table message (
    invitation_id  bigint not null references invitation on delete cascade,
    number         smallint not null check (number between 0 and 10),
    channel        text not null check (channel in ('email', 'sms')),
    sent_at        timestamptz not null default now(),
    primary key (invitation_id, number)
);

alter table wave add column reminder_limit smallint not null default 2 check (reminder_limit between 0 and 10);
