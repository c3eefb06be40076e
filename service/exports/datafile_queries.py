"""The SQL of the respondent-level data files (service/exports/datafiles.py): what the
codes and labels are made of (small reads), and the two selects PostgreSQL streams out
with `COPY (…) TO STDOUT` (long: one row per answered cell, as the tidy export; wide:
the same cells ordered by response, each with the index of its column in the file).

Categories come out either as their text (CSV, Parquet) or, for SPSS and Stata, as
numeric codes (`$3`), the position of the key in the code lists passed as arrays, with
the labels written as value labels. Dates and times come out in the target's own
numbers for SPSS and Stata (seconds since 1582-10-14, or Stata's %tc milliseconds and
%td days since 1960-01-01) so Python only copies them."""

from __future__ import annotations

from service.analysis.measures.summary.queries import TIDY_FROM
from service.exports.cells import csv_sql

# The questionnaire versions an evaluation asked (as service/exports/codebook.py).
VERSIONS = """
select distinct version_id from (
    select w.questionnaire_version_id as version_id from wave w where w.evaluation_id = $1
    union
    select r.questionnaire_version_id from response r join wave w on w.id = r.wave_id where w.evaluation_id = $1
) used
"""

ITEMS = """
select v.questionnaire_id, v.version, v.audience, qi.item_id, qi.dimension, qi.item_type, qi.theme, qi.position,
       qi.label_da, qi.label_en, qi.scale_min, qi.scale_max, qi.reverse, qi.dont_know
  from questionnaire_item qi join questionnaire_version v on v.id = qi.questionnaire_version_id
 where v.id = any($1::bigint[])
 order by v.questionnaire_id, v.version, qi.position, qi.dimension
"""

VALUE_LABELS = """
select v.questionnaire_id, v.version, l.item_id, l.value, l.label_da, coalesce(l.label_en, l.label_da) as label_en
  from questionnaire_value_label l join questionnaire_version v on v.id = l.questionnaire_version_id
 where v.id = any($1::bigint[])
 order by v.questionnaire_id, v.version, l.item_id, l.value
"""

ROLES = "select key, label_da, label_en from role_group order by position"

UNITS = """
select u.id, u.name from evaluation_unit eu join unit u on u.id = eu.unit_id
 where eu.evaluation_id = $1 order by u.id
"""

WAVES = "select id, name from wave where evaluation_id = $1 order by sequence, id"

# Widths of the text columns (SPSS and Stata store fixed-width strings).
KEY_WIDTH = """
select coalesce(max(octet_length(r.respondent_key)), 0)
  from response r join wave w on w.id = r.wave_id where w.evaluation_id = $1
"""
TEXT_WIDTH = """
select coalesce(max(octet_length(a.text_value)), 0)
  from answer a join response r on r.id = a.response_id join wave w on w.id = r.wave_id
 where w.evaluation_id = $1 and a.text_value is not null
"""

# $1 evaluation, $2 free text, $3 coded (SPSS/Stata), $4 questionnaire ids, $5 audiences,
# $6 role keys, $7 datetime offset (s), $8 datetime scale, $9 date epoch, $10 date scale.
_CODE = "case when $3 then array_position({codes}, {expr})::text else {expr} end"
_BOOL = "case when $3 then {expr}::int::text else {expr}::text end"
_ARMS = "array['intervention', 'comparison']::text[]"
_PHASES = "array['before', 'after']::text[]"
_DATETIME = ("case when $3 then ((extract(epoch from {expr}) + $7) * $8)::text "
             "else to_char({expr} at time zone 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"') end")
_DATE = "case when $3 then (({expr} - $9::date)::bigint * $10::bigint)::text else {expr}::text end"

RESPONSE_COLUMNS = [
    ("evaluation_id", "e.id::text"),
    ("wave_id", "w.id::text"),
    ("wave", "w.name"),
    ("phase", _CODE.format(codes=_PHASES, expr="w.phase")),
    ("sequence", "w.sequence::text"),
    ("unit_id", "u.id::text"),
    ("unit", "u.name"),
    ("arm", _CODE.format(codes=_ARMS, expr="eu.arm")),
    ("sector", _CODE.format(codes="$6::text[]", expr="u.sector")),
    ("implementation_date", _DATE.format(expr="coalesce(eu.implementation_date, e.implementation_date)")),
    ("audience", _CODE.format(codes="$5::text[]", expr="v.audience")),
    ("questionnaire_id", _CODE.format(codes="$4::text[]", expr="v.questionnaire_id")),
    ("version", "v.version::text"),
    ("response_id", "r.id::text"),
    ("respondent_key", "r.respondent_key"),
    ("staff_role", _CODE.format(codes="$6::text[]", expr="r.staff_role")),
    ("assisted", _BOOL.format(expr="r.assisted")),
    ("submitted_at", _DATETIME.format(expr="r.submitted_at")),
]

# $11 item ids, $12 dimensions, $13 themes, $14 item types (long only)
CELL_COLUMNS = [
    ("item_id", _CODE.format(codes="$11::text[]", expr="a.item_id")),
    ("dimension", "case when $3 then array_position($12::text[], nullif(a.dimension, ''))::text else a.dimension end"),
    ("rated_role", _CODE.format(codes="$6::text[]", expr="a.rated_role")),
    ("choice", "a.choice::text"),
    ("theme", _CODE.format(codes="$13::text[]", expr="qi.theme")),
    ("item_type", _CODE.format(codes="$14::text[]", expr="qi.item_type")),
    ("value", "a.value::text"),
    ("value_coded", "(case when qi.reverse and a.value is not null then qi.scale_min + qi.scale_max - a.value "
                    "else a.value end)::text"),
    ("dont_know", _BOOL.format(expr="a.dont_know")),
    ("text_value", "a.text_value"),
]


# The columns that hold text in a CSV file (names, keys, codes as their keys, free text):
# written by the one cell rule (service/exports/cells.py), a ' before text a spreadsheet
# would run. Parquet, SPSS and Stata files hold the text as written.
TEXT_COLUMNS = frozenset({"wave", "phase", "unit", "arm", "sector", "audience", "questionnaire_id",
                          "respondent_key", "staff_role", "item_id", "dimension", "rated_role", "theme",
                          "item_type", "text_value"})


def _columns(columns: list[tuple[str, str]], csv: bool) -> list[tuple[str, str]]:
    return [(name, csv_sql(expr) if csv and name in TEXT_COLUMNS else expr) for name, expr in columns]


def long_select(free_text: bool, csv: bool = False) -> str:
    """One row per answered cell (the tidy export's rows), ordered by response; `csv`:
    text made safe to open in a spreadsheet (TEXT_COLUMNS)."""
    cells = [c for c in CELL_COLUMNS if free_text or c[0] != "text_value"]
    columns = ",\n       ".join(f"{expr} as {name}" for name, expr in _columns(RESPONSE_COLUMNS + cells, csv))
    return f"""select {columns}
{TIDY_FROM.strip()}
 where e.id = $1 and (a.text_value is null or $2)
 order by r.id, qi.position, a.dimension, a.rated_role, a.choice"""


# Wide: $11..$15 the file's item columns as parallel arrays (questionnaire, item, rated
# role, dimension, choice; '' where none), joined by hash to give each cell its column.
def wide_select(csv: bool = False) -> str:
    """Every response with its answered cells, ordered by response, each cell with the
    index (1-based) of its column and its content: the value, -1 for 'ved ikke', 1 for a
    chosen option of a multiple choice, or the text of a free-text answer (`csv`: text
    made safe to open in a spreadsheet, TEXT_COLUMNS). A response without a cell in the file's
    columns still comes, once, with no cell: the wide file has a row for every response."""
    columns = ",\n       ".join(f"{expr} as {name}" for name, expr in _columns(RESPONSE_COLUMNS, csv))
    text = csv_sql("a.text_value") if csv else "a.text_value"
    return f"""select {columns},
       c.col::text as col,
       case when a.dont_know then '-1' when a.choice is not null then '1' when a.value is not null
            then a.value::text else {text} end as cell
  from response r
  join questionnaire_version v on v.id = r.questionnaire_version_id
  join wave w on w.id = r.wave_id
  join evaluation e on e.id = w.evaluation_id
  join evaluation_unit eu on eu.evaluation_id = e.id and eu.unit_id = r.unit_id
  join unit u on u.id = r.unit_id
  left join (answer a
             join unnest($11::text[], $12::text[], $13::text[], $14::text[], $15::text[]) with ordinality
                  as c (questionnaire_id, item_id, rated_role, dimension, choice, col)
               on c.item_id = a.item_id and c.rated_role = coalesce(a.rated_role, '') and c.dimension = a.dimension
              and c.choice = coalesce(a.choice::text, ''))
    on a.response_id = r.id and c.questionnaire_id = v.questionnaire_id and (a.text_value is null or $2)
 where e.id = $1
 order by r.id, c.col"""
