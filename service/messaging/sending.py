"""`sammen remind`: the invitation and then the reminders of a wave, each sent once.

Each message is sent inside its own transaction, which locks the invitation's contact
and writes the message's row: a run killed midway leaves a message either sent and
recorded, or not recorded (and sent again by the next run only if the gateway had not
taken it: SMTP gives no way to ask, so the window is the milliseconds between the
server's acceptance and the commit; the Message-ID is the same for every attempt, so a
mail system that deduplicates catches even that). Two runs at once share the work: a
contact another run holds is skipped. The audit entry counts; it names no address."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable, Mapping
from typing import Literal

import asyncpg
import msgspec

from service.admin import audit
from service.admin.contacts import Channel, unseal
from service.errors import Conflict, NotFound
from service.messaging import store as q
from service.messaging.gateways import Gateway, GatewayError, Outgoing
from service.texts import text


class Sent(msgspec.Struct, frozen=True, kw_only=True):
    wave_id: int
    dry_run: bool
    due: int  # messages due when the run began
    invitations: int  # first messages sent (the link itself)
    reminders: int
    by_channel: dict[str, int]
    failed: int  # refused by a gateway: due again next run
    no_gateway: int  # due on a channel no gateway is configured for


def _message(channel: Channel, number: int, link: str, organisation: str, closes: dt.date) -> tuple[str, str]:
    which = "0" if number == 0 else "n"
    fields = dict(link=link, organisation=organisation, closes=f"{closes.day}.{closes.month}.{closes.year}")
    if channel == "sms":
        return "", text(f"sms_text_{which}", **fields)
    return text(f"mail_subject_{which}"), text(f"mail_text_{which}", **fields)


async def remind(conn: asyncpg.Connection, wave_id: int, *, secret: str, base_url: str,
                 gateways: Mapping[Channel, Gateway], after_days: int = 7, dry_run: bool = False,
                 now: dt.datetime | None = None, actor: str = "cli",
                 advance: Callable[[int], object] = lambda n: None) -> Sent:
    """Send what is due in `wave_id` (see the module docstring); `dry_run`: count only."""
    moment = now or dt.datetime.now(dt.UTC)
    wave = await conn.fetchrow(q.WAVE, wave_id)
    if wave is None:
        raise NotFound(f"--wave: no wave {wave_id}")
    if not wave["opens_on"] <= moment.date() <= wave["closes_on"]:
        raise Conflict(f"--wave: wave {wave_id} is open from {wave['opens_on']} to {wave['closes_on']}, not today")
    due = await conn.fetch(q.DUE, wave_id, moment, after_days)
    counts: Counter[str] = Counter()
    for row in due:
        gateway = gateways.get(row["channel"])
        if gateway is None:
            counts["no_gateway"] += 1
        elif not dry_run:
            outcome = await _send_one(conn, gateway, row, secret, base_url, wave, moment)
            if outcome == "sent":
                counts["first" if row["number"] == 0 else "reminder"] += 1
                counts[row["channel"]] += 1
            counts[outcome] += outcome == "failed"
        advance(1)
    sent = Sent(wave_id=wave_id, dry_run=dry_run, due=len(due), invitations=counts["first"],
                reminders=counts["reminder"], by_channel={c: counts[c] for c in ("email", "sms") if counts[c]},
                failed=counts["failed"], no_gateway=counts["no_gateway"])
    if not dry_run:
        await audit.record(conn, actor, "remind", f"wave {wave_id} invitations and reminders",
                           {"due": sent.due, "invitations": sent.invitations, "reminders": sent.reminders,
                            "failed": sent.failed, "no_gateway": sent.no_gateway})
    return sent


async def _send_one(conn: asyncpg.Connection, gateway: Gateway, row: asyncpg.Record, secret: str, base_url: str,
                    wave: asyncpg.Record, moment: dt.datetime) -> Literal["sent", "failed", "skipped"]:
    """One message in one transaction: claimed, sent, recorded; 'failed' when the gateway
    refused it (nothing recorded), 'skipped' when another run has it or it is answered."""
    invitation_id, number = row["invitation_id"], row["number"]
    try:
        async with conn.transaction():
            sealed = await conn.fetchval(q.CLAIM, invitation_id, number)
            if sealed is None:
                return "skipped"
            opened = unseal(secret, invitation_id, sealed)
            subject, body = _message(row["channel"], number, f"{base_url}/s/{opened.token}", wave["organisation"],
                                     wave["closes_on"])
            await gateway.send(Outgoing(to=opened.address, subject=subject, text=body,
                                        reference=f"sammen-{invitation_id}-{number}"))
            await conn.execute(q.SENT, invitation_id, number, row["channel"], moment)
    except GatewayError:
        return "failed"
    return "sent"
