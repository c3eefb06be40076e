"""The role groups of adult social services, defined once: units belong to one, a staff
member answers as one, and the collaboration matrix rates each of them. Migration 0003
seeds the `role_group` table from the same list (a test keeps the two equal), so SQL can
join labels and foreign keys refuse an unknown group."""

from __future__ import annotations

from typing import Literal

import msgspec


class RoleGroup(msgspec.Struct, frozen=True):
    key: str
    da: str
    en: str


ROLE_GROUPS: tuple[RoleGroup, ...] = (
    RoleGroup("myndighed", "Myndighed", "Authority (case management)"),
    RoleGroup("udfoerer", "Udfører (botilbud, bostøtte, dagtilbud)",
              "Provider (residential services, housing support, day services)"),
    RoleGroup("sygepleje", "Sygepleje", "Nursing"),
    RoleGroup("distriktspsykiatri", "Distriktspsykiatri", "District psychiatry"),
    RoleGroup("jobcenter", "Jobcenter", "Job centre"),
    RoleGroup("andet", "Andet", "Other"),
)

# The same keys as a type, for msgspec bodies and questionnaire files.
RoleKey = Literal["myndighed", "udfoerer", "sygepleje", "distriktspsykiatri", "jobcenter", "andet"]
ROLE_KEYS: tuple[str, ...] = tuple(g.key for g in ROLE_GROUPS)
OTHER = "andet"  # a respondent's own group, never a group to be rated
