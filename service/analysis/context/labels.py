"""The stored codebook of an evaluation's questionnaires as one Struct: the wording of
every questionnaire, theme, item, matrix dimension and answer option, read from the
database (`questionnaire_version`, `questionnaire_item`, `questionnaire_value_label`)
in the same snapshot as the figures. (The role groups are one vocabulary of the service,
service/roles.py, not a questionnaire's.)

Why from the database and not the files: the stored version is what the respondents were
asked. The folder the service started with (SAMMEN_QUESTIONNAIRE_DIR) may be another one
today, or a file may have been edited since; a chart, table, report or data file shows
what was asked either way.

The labels travel in the results bundle (service/analysis/bundle.py) to the exports,
which name a missing wording visibly (service/exports/labels.py) instead of guessing."""

from __future__ import annotations

import asyncpg
import msgspec

from service.surveys.model import Language


class Wording(msgspec.Struct, frozen=True):
    """A text as stored: Danish always, English where the questionnaire gives it."""

    da: str
    en: str | None = None

    def get(self, lang: Language) -> str:
        return (self.en if lang == "en" and self.en else None) or self.da


class QuestionnaireLabels(msgspec.Struct, frozen=True, kw_only=True):
    """One questionnaire's wordings; where the evaluation asked several versions, an
    item's wording is the newest version's that asks it."""

    title: Wording
    versions: list[int]  # the versions the evaluation asked, newest first
    themes: dict[str, Wording] = {}
    items: dict[str, Wording] = {}
    item_themes: dict[str, str] = {}
    dimensions: dict[str, dict[str, Wording]] = {}  # matrix item -> dimension key -> wording
    values: dict[str, dict[int, Wording]] = {}  # item -> answer code -> wording


class Labels(msgspec.Struct, frozen=True, kw_only=True):
    """Every wording an export shows of an evaluation's questionnaires, by questionnaire id."""

    questionnaires: dict[str, QuestionnaireLabels] = {}

    def questionnaire(self, questionnaire_id: str) -> QuestionnaireLabels | None:
        return self.questionnaires.get(questionnaire_id)


class _Item(msgspec.Struct, frozen=True):
    item_id: str
    dimension: str
    theme: str | None
    da: str
    en: str | None


class _Value(msgspec.Struct, frozen=True):
    item_id: str
    value: int
    da: str
    en: str | None


class _Version(msgspec.Struct, frozen=True):
    questionnaire_id: str
    version: int
    title: Wording
    themes: dict[str, Wording]
    items: list[_Item]
    values: list[_Value]


# One round trip: the versions an evaluation ($1) asked (its waves' and its responses'),
# the newest first, each with its title, themes, items and value labels, as one JSON array.
LABELS = """
with used as (
    select w.questionnaire_version_id as id from wave w where w.evaluation_id = $1
    union
    select r.questionnaire_version_id from response r join wave w on w.id = r.wave_id where w.evaluation_id = $1
)
select coalesce(json_agg(json_build_object(
         'questionnaire_id', v.questionnaire_id, 'version', v.version,
         'title', v.definition -> 'title',
         'themes', coalesce(v.definition -> 'themes', '{}'::jsonb),
         'items', coalesce((
           select json_agg(json_build_object('item_id', qi.item_id, 'dimension', qi.dimension,
                                             'theme', qi.theme, 'da', qi.label_da, 'en', qi.label_en)
                           order by qi.position, qi.dimension)
             from questionnaire_item qi where qi.questionnaire_version_id = v.id), '[]'),
         'values', coalesce((
           select json_agg(json_build_object('item_id', l.item_id, 'value', l.value,
                                             'da', l.label_da, 'en', l.label_en)
                           order by l.item_id, l.value)
             from questionnaire_value_label l where l.questionnaire_version_id = v.id), '[]'))
       order by v.questionnaire_id, v.version desc), '[]')::text
  from questionnaire_version v join used on used.id = v.id
"""


async def read_labels(conn: asyncpg.Connection, evaluation_id: int) -> Labels:
    """The stored wordings of every questionnaire version the evaluation asked."""
    stored = msgspec.json.decode(await conn.fetchval(LABELS, evaluation_id), type=list[_Version])
    by_id: dict[str, list[_Version]] = {}
    for v in stored:
        by_id.setdefault(v.questionnaire_id, []).append(v)
    return Labels(questionnaires={qid: _merged(versions) for qid, versions in by_id.items()})


def _merged(versions: list[_Version]) -> QuestionnaireLabels:
    """One questionnaire's versions (the newest first) as one set of wordings: the newest
    version asking an item (or naming a theme) gives its wording."""
    themes: dict[str, Wording] = {}
    items: dict[str, Wording] = {}
    item_themes: dict[str, str] = {}
    dimensions: dict[str, dict[str, Wording]] = {}
    values: dict[str, dict[int, Wording]] = {}
    for v in versions:
        for theme, wording in v.themes.items():
            themes.setdefault(theme, wording)
        for i in v.items:
            if i.dimension:
                dimensions.setdefault(i.item_id, {}).setdefault(i.dimension, Wording(i.da, i.en))
            elif i.item_id not in items:
                items[i.item_id] = Wording(i.da, i.en)
                if i.theme is not None:
                    item_themes[i.item_id] = i.theme
        own: dict[str, dict[int, Wording]] = {}
        for value in v.values:
            own.setdefault(value.item_id, {})[value.value] = Wording(value.da, value.en)
        for item_id, options in own.items():
            values.setdefault(item_id, options)
    return QuestionnaireLabels(title=versions[0].title, versions=[v.version for v in versions], themes=themes,
                               items=items, item_themes=item_themes, dimensions=dimensions, values=values)
