"""The SQL of sending: which invitations a run is due to message, and the claim and
record that make each message go once."""

from __future__ import annotations

# $1 wave, $2 now, $3 days since the last message before a reminder. Invitations of the
# wave with a contact, not answered, not erased, under the wave's limit of reminders (the
# invitation itself is message 0), whose last message is at least $3 days old.
DUE = """
select c.invitation_id, c.channel, coalesce(max(m.number) + 1, 0)::int as number
  from invitation_contact c
  join invitation i on i.id = c.invitation_id
  join wave w on w.id = i.wave_id
  left join message m on m.invitation_id = c.invitation_id
 where i.wave_id = $1 and i.erased_at is null
   and not exists (select 1 from response r where r.invitation_id = i.id)
 group by c.invitation_id, c.channel, w.reminder_limit
having coalesce(max(m.number), -1) < w.reminder_limit
   and (max(m.sent_at) is null or max(m.sent_at) <= $2::timestamptz - make_interval(days => $3))
 order by c.invitation_id
"""

# $1 invitation, $2 the message's number: its sealed contact, locked for this run's
# transaction, or nothing when another run holds it, it was sent meanwhile or answered.
CLAIM = """
select c.sealed
  from invitation_contact c join invitation i on i.id = c.invitation_id
 where c.invitation_id = $1 and i.erased_at is null
   and not exists (select 1 from message m where m.invitation_id = $1 and m.number >= $2)
   and not exists (select 1 from response r where r.invitation_id = $1)
   for update of c skip locked
"""

SENT = "insert into message (invitation_id, number, channel, sent_at) values ($1, $2, $3, $4)"

# $1 wave: what the messages say besides the link.
WAVE = """
select w.id, w.opens_on, w.closes_on, w.reminder_limit, o.name as organisation
  from wave w join evaluation e on e.id = w.evaluation_id join organisation o on o.id = e.organisation_id
 where w.id = $1
"""
