"""Bodies of the admin API and the CLI, validated at the edge."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

import msgspec

from service.admin import keys
from service.bounds import RowId

Name = Annotated[str, msgspec.Meta(min_length=1, max_length=200, pattern=r"\S")]
Sector = Literal["myndighed", "udfoerer", "sygepleje", "distriktspsykiatri", "jobcenter", "andet"]
Arm = Literal["intervention", "comparison"]
# A pseudonymous key linking one citizen across waves. The rules (no CPR number however
# written, no control characters or whitespace) are in service/admin/keys.py, checked in
# __post_init__ so that the error says why and names the index.
RespondentKey = Annotated[
    str,
    msgspec.Meta(
        min_length=1, max_length=keys.MAX_LENGTH,
        description="letters A-Z/a-z, digits and _ . : -; never a CPR number",
    ),
]


class _Body(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """msgspec passes these options on to subclasses; each subclass still says frozen=True
    because a type checker reads a subclass without it as a mutable dataclass."""


class NewOrganisation(_Body, frozen=True):
    name: Name


class NewUnit(_Body, frozen=True):
    name: Name
    sector: Sector


class EvaluationUnit(_Body, frozen=True):
    unit_id: RowId
    arm: Arm = "intervention"
    # A staggered design: a comparison unit often implements later. None: the evaluation's date.
    implementation_date: dt.date | None = None


class NewEvaluation(_Body, frozen=True):
    name: Name
    implementation_date: dt.date
    units: Annotated[list[EvaluationUnit], msgspec.Meta(max_length=1000)] = []
    # days after a wave closes that its free-text answers are kept; None: kept with the rest
    free_text_retention_days: Annotated[int, msgspec.Meta(ge=0, le=36500)] | None = None


class NewWave(_Body, frozen=True):
    name: Name
    phase: Literal["before", "after"]
    opens_on: dt.date
    closes_on: dt.date
    questionnaire_id: str
    version: RowId | None = None  # None: the newest version loaded
    # The wave's place in the evaluation's order: 0 baseline, 1 first follow-up (e.g. 6
    # months), 2 the next (12 months), ... None: 0 for a wave before, 1 for one after.
    sequence: Annotated[int, msgspec.Meta(ge=0, le=100)] | None = None

    def __post_init__(self) -> None:
        if self.closes_on < self.opens_on:
            raise ValueError("closes_on must not be before opens_on")


class NewInvitations(_Body, frozen=True):
    unit_id: RowId
    count: Annotated[int, msgspec.Meta(ge=0, le=10_000)] = 0
    respondent_keys: Annotated[list[RespondentKey], msgspec.Meta(max_length=keys.MAX_KEYS)] = []

    def __post_init__(self) -> None:
        if not self.count and not self.respondent_keys:
            raise ValueError("give count or respondent_keys")
        if self.count and self.respondent_keys:
            raise ValueError("give count or respondent_keys, not both")
        keys.check_list(list(self.respondent_keys))


class NewOpenLink(_Body, frozen=True):
    unit_id: RowId
    # responses the link may collect; None: no cap
    max_responses: Annotated[int, msgspec.Meta(ge=1, le=1_000_000)] | None = None


class Created(msgspec.Struct, frozen=True):
    id: int
    name: str


class Link(msgspec.Struct, frozen=True):
    """The only moment a token exists in clear text: it is stored hashed."""

    url: str
    token: str
    unit_id: RowId
    respondent_key: str | None = None


class OpenLink(msgspec.Struct, frozen=True):
    """An anonymous link for a unit and wave (a QR code on a poster, a tablet at the unit)."""

    url: str
    token: str
    unit_id: RowId
    max_responses: int | None = None


class UnitRate(msgspec.Struct, frozen=True, kw_only=True):
    """Counts of one unit in a wave. The rate is only ever computed where there is a
    denominator: personal invitations issued by an administrator. Responses through open
    (anonymous) links have none, so they are counted beside it, never in it."""

    unit_id: RowId
    unit: str
    arm: str
    invited: int  # personal invitations issued (not those made for visitors of open links)
    in_progress: int  # of those, begun and not sent
    submitted: int  # of those, answered
    response_rate: float | None  # submitted / invited, at most 1; None without invitations
    open_links: int
    open_link_in_progress: int
    open_link_responses: int  # answers through open links: no denominator, no rate


class UnitInfo(msgspec.Struct, frozen=True):
    id: int
    name: str
    sector: str


class ErasureRequest(_Body, frozen=True):
    """Erase one respondent: every answer and draft of a respondent key within an
    organisation (all its waves), or of one link."""

    organisation_id: Annotated[int, msgspec.Meta(ge=1, le=2**63 - 1)] | None = None
    respondent_key: Annotated[str, msgspec.Meta(min_length=1, max_length=keys.MAX_LENGTH)] | None = None
    token: Annotated[str, msgspec.Meta(min_length=1, max_length=200, pattern=r"^[A-Za-z0-9_-]+$")] | None = None

    def __post_init__(self) -> None:
        by_key = self.organisation_id is not None or self.respondent_key is not None
        if by_key and self.token is not None:
            raise ValueError("token: give either token or organisation_id with respondent_key, not both")
        if self.token is None and (self.organisation_id is None or self.respondent_key is None):
            missing = "organisation_id" if self.organisation_id is None else "respondent_key"
            raise ValueError(f"{missing}: required (or give token instead)")


class Erasure(msgspec.Struct, frozen=True):
    """What an erasure removed; the same counts are in its audit entry."""

    audit_id: int
    subject: str
    responses: int
    answers: int
    drafts: int
    invitations_unkeyed: int


class AuditEntry(msgspec.Struct, frozen=True):
    id: int
    at: dt.datetime
    actor: str
    action: str
    subject: str
    counts: dict[str, int]
