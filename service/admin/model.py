"""Bodies of the admin API and the CLI, validated at the edge."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

import msgspec

from service.admin import keys
from service.admin.contacts import MAX_LENGTH as CONTACT_LENGTH
from service.bounds import NAME_PATTERN, TEXT_PATTERN, Identifier, RowId, Token

Name = Annotated[str, msgspec.Meta(min_length=1, max_length=200, pattern=NAME_PATTERN)]
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
        # checked by keys.check_list (the reason in words); said here for the schema
        extra_json_schema={"pattern": keys.ALLOWED_PATTERN, "not": {"pattern": keys.CPR_PATTERN}},
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
    questionnaire_id: Identifier
    version: RowId | None = None  # None: the newest version loaded
    # The wave's place in the evaluation's order: 0 baseline, 1 first follow-up (e.g. 6
    # months), 2 the next (12 months), ... None: 0 for a wave before, 1 for one after.
    sequence: Annotated[int, msgspec.Meta(ge=0, le=100)] | None = None
    # paper forms entered twice, blind, and counted once the two agree (service/admin/entry.py)
    double_entry: bool = False
    # closes_on before opens_on is refused by store.create_wave (422): a rule between two
    # dates, which no JSON Schema can state, so not a malformed body (400)


class NewInvitations(_Body, frozen=True):
    unit_id: RowId
    count: Annotated[int, msgspec.Meta(ge=0, le=10_000)] = 0
    respondent_keys: Annotated[list[RespondentKey], msgspec.Meta(max_length=keys.MAX_KEYS,
                                                                 extra_json_schema={"uniqueItems": True})] = []
    # an e-mail address or Danish mobile number per invitation, in order, to send the link
    # and reminders to (service/messaging): sealed, and deleted when the wave closes
    contacts: Annotated[list[Annotated[str, msgspec.Meta(max_length=CONTACT_LENGTH, pattern=TEXT_PATTERN)]],
                        msgspec.Meta(max_length=keys.MAX_KEYS)] = []

    def __post_init__(self) -> None:
        if not self.count and not self.respondent_keys:
            raise ValueError("give count or respondent_keys")
        if self.count and self.respondent_keys:
            raise ValueError("give count or respondent_keys, not both")
        keys.check_list(list(self.respondent_keys))
        # the contacts' own rules (one per invitation, each an address or a number) are
        # store.issue_invitations' (422): no JSON Schema states them, so a body breaking
        # them is not malformed


class NewOpenLink(_Body, frozen=True):
    unit_id: RowId
    # responses the link may collect; None: no cap
    max_responses: Annotated[int, msgspec.Meta(ge=1, le=1_000_000)] | None = None


# The bodies below check a rule across fields in __post_init__; beside each, the same rule
# for the OpenAPI document (JSON Schema's oneOf), which the route names as its body type.
InvitationsBody = Annotated[NewInvitations, msgspec.Meta(extra_json_schema={"oneOf": [
    {"required": ["count"], "properties": {"count": {"minimum": 1}, "respondent_keys": {"maxItems": 0}}},
    {"required": ["respondent_keys"], "properties": {"respondent_keys": {"minItems": 1}, "count": {"maximum": 0}}},
]})]


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


class UnitInfo(msgspec.Struct, frozen=True):
    id: int
    name: str
    sector: str


class ErasureRequest(_Body, frozen=True):
    """Erase one respondent: every answer and draft of a respondent key within an
    organisation (all its waves), or of one link."""

    organisation_id: RowId | None = None
    respondent_key: RespondentKey | None = None
    token: Token | None = None

    def __post_init__(self) -> None:
        by_key = self.organisation_id is not None or self.respondent_key is not None
        if by_key and self.token is not None:
            raise ValueError("token: give either token or organisation_id with respondent_key, not both")
        if self.token is None and (self.organisation_id is None or self.respondent_key is None):
            missing = "organisation_id" if self.organisation_id is None else "respondent_key"
            raise ValueError(f"{missing}: required (or give token instead)")


ErasureBody = Annotated[ErasureRequest, msgspec.Meta(extra_json_schema={"oneOf": [
    {"required": ["token"], "properties": {"token": {"type": "string"}, "organisation_id": {"type": "null"},
                                           "respondent_key": {"type": "null"}}},
    {"required": ["organisation_id", "respondent_key"],
     "properties": {"organisation_id": {"type": "integer"}, "respondent_key": {"type": "string"},
                    "token": {"type": "null"}}},
]})]


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
    actor: str  # 'cli', 'admin-api' (the configured key), 'service' or 'key:<id>' (an API key)
    action: str
    subject: str
    counts: dict[str, int]
    key_name: str | None = None  # for 'key:<id>': the key's name and organisation
    organisation_id: int | None = None


# --- API keys (service/admin/access.py) ---------------------------------------------------

class NewKey(_Body, frozen=True):
    """An evaluator key reads the analyses and exports of one organisation; an admin key
    everything the admin API offers. `microdata`: the key may also download
    respondent-level files (tidy answers, data files, free text); admin keys always may."""

    name: Name
    role: Literal["admin", "evaluator", "entry"]  # entry: enters the paper forms of one organisation
    organisation_id: RowId | None = None
    microdata: bool = False

    def __post_init__(self) -> None:
        if self.role in ("evaluator", "entry") and self.organisation_id is None:
            raise ValueError(f"organisation_id: an {self.role} key needs the organisation it is for")
        if self.role == "entry" and self.microdata:
            raise ValueError("microdata: an entry key reads no results")
        if self.role == "admin" and self.organisation_id is not None:
            raise ValueError("organisation_id: an admin key reaches every organisation; give none")


KeyBody = Annotated[NewKey, msgspec.Meta(extra_json_schema={"oneOf": [
    {"required": ["organisation_id"],
     "properties": {"role": {"const": "evaluator"}, "organisation_id": {"type": "integer"}}},
    {"required": ["organisation_id"],
     "properties": {"role": {"const": "entry"}, "organisation_id": {"type": "integer"}, "microdata": {"const": False}}},
    {"properties": {"role": {"const": "admin"}, "organisation_id": {"type": "null"}}},
]})]


class KeyInfo(msgspec.Struct, frozen=True, kw_only=True):
    id: int
    name: str
    role: str
    organisation_id: int | None
    microdata: bool  # may download respondent-level files (service/admin/access.py)
    created_at: dt.datetime
    revoked_at: dt.datetime | None = None


class IssuedKey(msgspec.Struct, frozen=True, kw_only=True):
    """The only moment a key exists in clear: it is stored as its SHA-256."""

    id: int
    name: str
    role: str
    organisation_id: int | None
    microdata: bool
    created_at: dt.datetime
    key: str


# --- the evaluation plan (service/admin/plan.py) ----------------------------------------------

Comparison = Literal["before_after", "intervention_vs_comparison", "difference_in_differences"]
Audience = Literal["citizen", "relative", "staff", "meeting"]
CodebookKey = Annotated[str, msgspec.Meta(min_length=1, max_length=100, pattern=r"^[a-z0-9_]+$")]


class NewOutcome(_Body, frozen=True):
    """One planned outcome: a theme or an item of a questionnaire, compared one way, with
    the direction expected. `audience` defaults to the questionnaire's (and must be it)."""

    kind: Literal["primary", "secondary"]
    questionnaire_id: CodebookKey
    comparison: Comparison
    theme: CodebookKey | None = None
    item: CodebookKey | None = None
    expected_direction: Literal["increase", "decrease", "any"] = "any"
    audience: Audience | None = None
    note: Annotated[str, msgspec.Meta(max_length=2000, pattern=TEXT_PATTERN)] = ""

    def __post_init__(self) -> None:
        if (self.theme is None) == (self.item is None):
            raise ValueError("theme: give either theme or item as the outcome's target, not both or neither")


OutcomeBody = Annotated[NewOutcome, msgspec.Meta(extra_json_schema={"oneOf": [
    {"required": ["theme"], "properties": {"theme": {"type": "string"}, "item": {"type": "null"}}},
    {"required": ["item"], "properties": {"item": {"type": "string"}, "theme": {"type": "null"}}},
]})]
