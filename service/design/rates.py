"""Response rates per unit of a wave: the administrators' operational view (exact) and
the evaluation outputs' (suppressed there by the analysis) read the same counts."""

from __future__ import annotations

import asyncpg
import msgspec

from service.errors import NotFound


class UnitRate(msgspec.Struct, frozen=True, kw_only=True):
    """Counts of one unit in a wave. The rate is only ever computed where there is a
    denominator: personal invitations issued by an administrator. Responses through open
    (anonymous) links have none, so they are counted beside it, never in it."""

    unit_id: int
    unit: str
    arm: str
    invited: int  # personal invitations issued (not those made for visitors of open links)
    in_progress: int  # of those, begun and not sent
    submitted: int  # of those, answered
    response_rate: float | None  # submitted / invited, at most 1; None without invitations
    open_links: int
    open_link_in_progress: int
    open_link_responses: int  # answers through open links: no denominator, no rate
    messages: list[MessageStep] = []  # the link and each reminder sent to the unit (service/messaging)


class MessageStep(msgspec.Struct, frozen=True, kw_only=True):
    """What one message of `sammen remind` brought in a unit: `number` 0 is the link, 1, 2,
    … the reminders; `sent` invitations got it, `answered_after` of them answered after
    it and before the next."""

    number: int
    sent: int
    answered_after: int


# Invited: personal invitations an administrator issued (no parent). Visitors of an open
# link get a personal invitation of their own (parent_id = the open link); those and
# responses stored against the open link itself count as open-link responses. Each count
# is grouped by unit in one pass (a subquery per unit and count read the wave's
# invitations and responses sixty times: 0.7 s of a report at 10^5 responses).
_RATES = """
with inv as (
    select i.id, i.unit_id, i.kind, (i.kind = 'personal' and i.parent_id is null) as invited
      from invitation i where i.wave_id = $1
), issued as (
    select unit_id, count(*) filter (where invited) as invited, count(*) filter (where kind = 'open') as open_links
      from inv group by unit_id
), begun as (
    select inv.unit_id, count(*) filter (where inv.invited) as in_progress,
           count(*) filter (where not inv.invited) as open_link_in_progress
      from draft d join inv on inv.id = d.invitation_id group by inv.unit_id
), answered as (
    select r.unit_id, count(*) filter (where coalesce(inv.invited, false)) as submitted,
           count(*) filter (where not coalesce(inv.invited, false)) as open_link_responses
      from response r left join inv on inv.id = r.invitation_id where r.wave_id = $1 group by r.unit_id
)
select u.id as unit_id, u.name as unit, eu.arm,
       coalesce(i.invited, 0) as invited, coalesce(b.in_progress, 0) as in_progress,
       coalesce(a.submitted, 0) as submitted, coalesce(i.open_links, 0) as open_links,
       coalesce(b.open_link_in_progress, 0) as open_link_in_progress,
       coalesce(a.open_link_responses, 0) as open_link_responses
  from wave w
  join evaluation_unit eu on eu.evaluation_id = w.evaluation_id
  join unit u on u.id = eu.unit_id
  left join issued i on i.unit_id = u.id
  left join begun b on b.unit_id = u.id
  left join answered a on a.unit_id = u.id
 where w.id = $1
 order by u.name
"""


# $1 wave: per unit and message number, how many got it and answered before the next.
_STEPS = """
select i.unit_id, m.number, count(*)::int as sent,
       count(r.id) filter (where r.submitted_at >= m.sent_at
                             and (later.sent_at is null or r.submitted_at < later.sent_at))::int as answered_after
  from message m
  join invitation i on i.id = m.invitation_id
  left join message later on later.invitation_id = m.invitation_id and later.number = m.number + 1
  left join response r on r.invitation_id = m.invitation_id
 where i.wave_id = $1
 group by i.unit_id, m.number
 order by i.unit_id, m.number
"""


async def response_rates(conn: asyncpg.Connection, wave_id: int) -> list[UnitRate]:
    if not await conn.fetchval("select 1 from wave where id = $1", wave_id):
        raise NotFound(f"wave {wave_id} does not exist")
    steps: dict[int, list[MessageStep]] = {}
    for r in await conn.fetch(_STEPS, wave_id):
        steps.setdefault(r["unit_id"], []).append(
            MessageStep(number=r["number"], sent=r["sent"], answered_after=r["answered_after"]))
    return [
        UnitRate(**dict(r), response_rate=round(min(1.0, r["submitted"] / r["invited"]), 4) if r["invited"] else None,
                 messages=steps.get(r["unit_id"], []))
        for r in await conn.fetch(_RATES, wave_id)
    ]
