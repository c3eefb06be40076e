"""Storing a whole response, decided in one place for the form and the JSON API: the
answers are checked against the exact questionnaire version, stored in one statement,
and when nothing was stored the reason is found and raised as a typed error (not
found, closed, version moved, draft changed, already answered, link full). Controllers
only parse the request and render what comes back."""

from __future__ import annotations

import datetime as dt
import uuid

import asyncpg
import msgspec

from service.errors import AlreadyAnswered, Closed, DraftChanged, LinkFull, VersionMoved
from service.surveys import store
from service.surveys.answers import Answers, check
from service.surveys.catalogue import Catalogue
from service.surveys.goals import for_citizen, rates_goals
from service.surveys.records import Invitation, Receipt, Version


class Stored(msgspec.Struct, frozen=True, kw_only=True):
    """What a response records besides its answers."""

    submission_id: uuid.UUID  # made once per response by the client or the page; a retry sends the same
    channel: str
    language: str = "da"
    assisted: bool = False
    started_at: dt.datetime | None = None


async def open_invitation(conn: asyncpg.Connection, token: str, today: dt.date) -> Invitation:
    inv = await store.invitation(conn, token)
    if not inv.is_open(today):
        raise Closed("Undersøgelsen er lukket for svar.")
    return inv


async def submit(
    conn: asyncpg.Connection,
    catalogue: Catalogue,
    token: str,
    answers: Answers,
    stored: Stored,
    *,
    today: dt.date,
    version: Version | None = None,
    shown_draft: Answers | None = None,
) -> Receipt:
    """Store the response, or return the receipt of this same submission stored before.

    With `version` (the one the respondent was shown) the answers are checked against it
    and stored in one round trip; without it, the invitation is read first. With
    `shown_draft` the response is stored only if the stored draft is still that one."""
    if version is None or rates_goals(version.questionnaire):
        inv = await open_invitation(conn, token, today)
        if inv.kind == "open":
            return await _submit_via_open_link(conn, catalogue, inv, answers, stored, today)
        if version is None:
            version = Version(inv.qv_id, inv.digest, await catalogue.for_invitation(conn, inv))
        else:  # the version shown, with the goals this citizen set at baseline
            own = await for_citizen(conn, version.questionnaire, inv)
            version = msgspec.structs.replace(version, questionnaire=own)
    checked = check(version.questionnaire, answers)
    receipt = await store.submit_by_token(
        conn, token, version, checked.rows, today=today, staff_role=checked.staff_role, draft=shown_draft,
        **msgspec.structs.asdict(stored),
    )
    if receipt is not None:
        return receipt
    # Nothing was stored: say why.
    inv = await open_invitation(conn, token, today)
    if inv.kind == "open":
        return await _submit_via_open_link(conn, catalogue, inv, answers, stored, today)
    if not inv.submitted and (version.id, version.digest) != (inv.qv_id, inv.digest):
        catalogue.forget(version.questionnaire.id, version.questionnaire.version)
        raise VersionMoved("Svarene hører til en anden version af spørgeskemaet end linket. Hent spørgeskemaet igen.")
    if not inv.submitted and shown_draft is not None:
        raise DraftChanged("Svarene er ændret et andet sted siden siden blev vist.")
    return await replay_or_refuse(conn, stored.submission_id, inv)


async def replay_or_refuse(conn: asyncpg.Connection, submission_id: uuid.UUID, inv: Invitation) -> Receipt:
    """The invitation has a response: this same submission stored before (a retry) gets
    its receipt again; any other is refused."""
    earlier = await store.earlier_submission(conn, submission_id)
    if earlier is not None and inv.id in (earlier["invitation_id"], earlier["parent_id"]):
        return Receipt(submission_id, earlier["submitted_at"], replayed=True)
    raise AlreadyAnswered("Der er allerede svaret via dette link. Tak for dine svar.")


async def _submit_via_open_link(
    conn: asyncpg.Connection, catalogue: Catalogue, inv: Invitation, answers: Answers, stored: Stored,
    today: dt.date,
) -> Receipt:
    """A whole response sent to an open link: a retry gets its receipt; a new one gets a
    personal invitation of its own (within the link's cap) and is stored through it."""
    earlier = await store.earlier_submission(conn, stored.submission_id)
    if earlier is not None:
        return await replay_or_refuse(conn, stored.submission_id, inv)
    q = await catalogue.questionnaire(conn, inv.qv_id, inv.digest)  # an open link has no panel key
    check(q, answers)  # before a personal invitation is spent on answers that cannot be stored
    claimed = await store.claim_open_link(conn, inv)
    if claimed is None:
        raise LinkFull("Linket kan ikke bruges til flere svar.")
    personal, _ = claimed
    return await submit(
        conn, catalogue, personal, answers, stored, today=today, version=Version(inv.qv_id, inv.digest, q)
    )
