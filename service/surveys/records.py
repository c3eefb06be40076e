"""What the survey side reads from and writes to the database, as the domain sees it:
an invitation with its wave and draft, a questionnaire version, a receipt."""

from __future__ import annotations

import datetime as dt
import uuid

import msgspec

from service.surveys.answers import Answers
from service.surveys.model import Questionnaire


class Invitation(msgspec.Struct, frozen=True, kw_only=True):
    id: int
    kind: str  # 'personal', or 'open': an anonymous link from which visitors get personal ones
    wave_id: int
    unit_id: int
    respondent_key: str | None
    from_open_link: bool
    opens_on: dt.date
    closes_on: dt.date
    qv_id: int
    digest: str
    submitted: uuid.UUID | None
    draft: Answers
    page: int
    language: str
    assisted: bool
    started_at: dt.datetime | None
    erased: bool = False  # the respondent asked to be erased: the link is closed for good
    easy_read: bool = False  # the citizen answers in easy-read mode (service/surveys/easy_read.py)

    def is_open(self, today: dt.date) -> bool:
        return not self.erased and self.opens_on <= today <= self.closes_on


class Version(msgspec.Struct, frozen=True):
    """A questionnaire version as stored: its row id and digest name it exactly."""

    id: int
    digest: str
    questionnaire: Questionnaire


class Receipt(msgspec.Struct, frozen=True):
    submission_id: uuid.UUID
    submitted_at: dt.datetime
    replayed: bool = False  # True: this exact submission was stored before; nothing new stored
