"""Bodies of the admin API and the CLI, validated at the edge."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

import msgspec

Name = Annotated[str, msgspec.Meta(min_length=1, max_length=200, pattern=r"\S")]
Sector = Literal["myndighed", "udfoerer", "sygepleje", "distriktspsykiatri", "jobcenter", "andet"]
# A pseudonymous key linking one citizen across waves. Ten digits, with or without a
# dash after six, look like a CPR number and are refused: Sammen stores no identities.
RespondentKey = Annotated[
    str, msgspec.Meta(min_length=1, max_length=100, pattern=r"^(?!\d{6}-?\d{4}$)[A-Za-z0-9_.:-]+$")
]


class _Body(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    pass


class NewOrganisation(_Body):
    name: Name


class NewUnit(_Body):
    name: Name
    sector: Sector


class EvaluationUnit(_Body):
    unit_id: int
    arm: Literal["intervention", "comparison"] = "intervention"


class NewEvaluation(_Body):
    name: Name
    implementation_date: dt.date
    units: list[EvaluationUnit] = []


class NewWave(_Body):
    name: Name
    phase: Literal["before", "after"]
    opens_on: dt.date
    closes_on: dt.date
    questionnaire_id: str
    version: int | None = None  # None: the newest version loaded

    def __post_init__(self) -> None:
        if self.closes_on < self.opens_on:
            raise ValueError("closes_on must not be before opens_on")


class NewInvitations(_Body):
    unit_id: int
    count: Annotated[int, msgspec.Meta(ge=0, le=10_000)] = 0
    respondent_keys: Annotated[list[RespondentKey], msgspec.Meta(max_length=10_000)] = []

    def __post_init__(self) -> None:
        if not self.count and not self.respondent_keys:
            raise ValueError("give count or respondent_keys")
        if len(set(self.respondent_keys)) != len(self.respondent_keys):
            raise ValueError("respondent_keys must be unique")


class NewOpenLink(_Body):
    unit_id: int


class Created(msgspec.Struct, frozen=True):
    id: int
    name: str


class Link(msgspec.Struct, frozen=True):
    """The only moment a token exists in clear text: it is stored hashed."""

    url: str
    token: str
    unit_id: int
    respondent_key: str | None = None


class UnitRate(msgspec.Struct, frozen=True):
    unit_id: int
    unit: str
    arm: str
    invited: int
    in_progress: int
    submitted: int
    response_rate: float | None  # submitted / invited; None where only open links were used
