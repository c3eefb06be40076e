"""What an evaluation's questionnaires declare their items are for (the files' `[analysis]`
tables, stored in `questionnaire_analysis` with the codebook): the analyses take their
questionnaire and item ids from here, so a municipality's own questionnaire gets every
analysis and no analysis names a questionnaire or an item.

Which declarations: those of the questionnaires the evaluation's waves ask, each by the
newest version its waves ask (a later version may correct an earlier one's), in the order
of the questionnaire ids; where two questionnaires declare the same role (two staff
questionnaires with a collaboration matrix), the first is the one the bundle and side by
side lead with, and a call may name another."""

from __future__ import annotations

import asyncpg
import msgspec

from service.design.once import once
from service.surveys.model import MEETING_ASPECTS, MeetingAspect, Viewpoint

# The declarations of the questionnaires an evaluation ($1) asks, by the newest version its
# waves ask of each.
DECLARED = """
with asked as (
    select distinct on (v.questionnaire_id) v.id
      from wave w join questionnaire_version v on v.id = w.questionnaire_version_id
     where w.evaluation_id = $1
     order by v.questionnaire_id, v.version desc
)
select a.questionnaire_id, a.role, a.side, a.aspect, a.item_id, a.theme
  from questionnaire_analysis a join asked on asked.id = a.questionnaire_version_id
 order by a.questionnaire_id, a.role, a.aspect, a.position
"""


class Ref(msgspec.Struct, frozen=True):
    """An item (or a theme) of one questionnaire."""

    questionnaire_id: str
    id: str


class MeetingItem(msgspec.Struct, frozen=True, kw_only=True):
    questionnaire_id: str
    side: Viewpoint
    aspect: MeetingAspect
    item_id: str


class Declared(msgspec.Struct, frozen=True, kw_only=True):
    collaboration: list[Ref] = []  # matrices; the first leads
    meeting: list[MeetingItem] = []  # in MEETING_ASPECTS' order per questionnaire
    key_themes: list[Ref] = []
    joint: dict[str, list[str]] = {}  # questionnaire -> the joint indicator's items, as declared

    def meeting_side(self, side: Viewpoint) -> list[MeetingItem]:
        return [m for m in self.meeting if m.side == side]

    @property
    def leading(self) -> list[str]:
        """The questionnaires that declare key outcomes (a key theme, a joint indicator):
        the models are fitted for them and the charts and report lead with them."""
        return sorted({t.questionnaire_id for t in self.key_themes} | set(self.joint))


@once
async def declared(conn: asyncpg.Connection, evaluation_id: int) -> Declared:
    collaboration: list[Ref] = []
    meeting: list[MeetingItem] = []
    key_themes: list[Ref] = []
    joint: dict[str, list[str]] = {}
    for r in await conn.fetch(DECLARED, evaluation_id):
        match r["role"]:
            case "collaboration":
                collaboration.append(Ref(r["questionnaire_id"], r["item_id"]))
            case "meeting":
                meeting.append(MeetingItem(questionnaire_id=r["questionnaire_id"], side=r["side"],
                                           aspect=r["aspect"], item_id=r["item_id"]))
            case "key_theme":
                key_themes.append(Ref(r["questionnaire_id"], r["theme"]))
            case "joint":
                joint.setdefault(r["questionnaire_id"], []).append(r["item_id"])
    meeting.sort(key=lambda m: (m.questionnaire_id, MEETING_ASPECTS.index(m.aspect)))
    return Declared(collaboration=collaboration, meeting=meeting, key_themes=key_themes, joint=joint)
