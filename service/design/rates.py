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
# responses stored against the open link itself count as open-link responses.
_RATES = """
with inv as (
    select i.id, i.unit_id, i.kind, (i.kind = 'personal' and i.parent_id is null) as invited
      from invitation i where i.wave_id = $1
), begun as (
    select inv.unit_id, inv.invited from draft d join inv on inv.id = d.invitation_id
), answered as (
    select r.unit_id, coalesce(inv.invited, false) as invited
      from response r left join inv on inv.id = r.invitation_id where r.wave_id = $1
)
select u.id as unit_id, u.name as unit, eu.arm,
       (select count(*) from inv where inv.unit_id = u.id and inv.invited) as invited,
       (select count(*) from begun b where b.unit_id = u.id and b.invited) as in_progress,
       (select count(*) from answered a where a.unit_id = u.id and a.invited) as submitted,
       (select count(*) from inv where inv.unit_id = u.id and inv.kind = 'open') as open_links,
       (select count(*) from begun b where b.unit_id = u.id and not b.invited) as open_link_in_progress,
       (select count(*) from answered a where a.unit_id = u.id and not a.invited) as open_link_responses
  from wave w
  join evaluation_unit eu on eu.evaluation_id = w.evaluation_id
  join unit u on u.id = eu.unit_id
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
