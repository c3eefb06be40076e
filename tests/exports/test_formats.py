"""Every figure the exports write for a reader is written by service/exports/formats.py
(Babel, CLDR): Danish by default, with a decimal comma, a dot between thousands and
'71 %'; English on request. The forms the charts, the publication tables and the report
show are pinned here, so a change of form is a change of this test."""

from __future__ import annotations

import datetime as dt

import pytest

from service.exports import formats
from service.exports.tables import _written
from service.exports.texts import TEXTS, text


def test_danish_is_the_default_with_a_decimal_comma_and_a_dot_between_thousands():
    assert formats.number(1234.5) == "1.234,5"
    assert formats.number(0.4217, 2) == "0,42"
    assert formats.number(-1.25, 1) == "-1,2"  # half to even at the exact binary value, as format() rounds
    assert formats.number(640, 0) == "640"
    assert formats.number(1234.5, 1, "en") == "1,234.5"


def test_a_share_is_a_percentage_with_a_space_in_danish_and_none_in_english():
    assert formats.percent(0.71) == "71 %"
    assert formats.percent(0.713, 1) == "71,3 %"
    assert formats.percent(0.7125, 1) == "71,3 %"  # the share's binary value is above the tie
    assert formats.percent(0.185, 1) == "18,5 %"
    assert formats.percent(0.71, 0, "en") == "71%"
    assert formats.percent(0.713, 1, "en") == "71.3%"


def test_p_values_points_and_intervals():
    assert formats.p_value(0.0004) == "< 0,001" and formats.p_value(0.0004, "en") == "< 0.001"
    assert formats.p_value(0.0412) == "0,041"
    assert formats.points(0.031) == "3,10"
    assert formats.interval(0.1, 0.2345) == "0,10 til 0,23"
    assert formats.interval(0.1, 0.25, 1, "en", as_percent=True) == "10.0% to 25.0%"


def test_dates_and_months_as_a_danish_reader_writes_them():
    day = dt.date(2026, 12, 4)
    assert formats.date(day) == "4. dec. 2026"
    assert formats.month(day) == "december 2026"
    assert formats.month(day, short=True) == "dec. 2026"
    assert formats.date(day, "en") == "Dec 4, 2026"


@pytest.mark.parametrize("missing", [None, float("nan"), float("inf")])
def test_a_missing_figure_is_written_as_nothing(missing):
    assert formats.number(missing) == formats.percent(missing) == formats.p_value(missing) == ""
    assert formats.interval(missing, 1.0) == ""


def test_chart_axes_use_the_same_forms():
    assert formats.axis_percent("da")([0, 0.25, 1]) == ["0 %", "25 %", "100 %"]
    assert formats.axis_numbers("da")([3, 3.5]) == ["3,0", "3,5"]
    assert formats.axis_numbers("en", 2)([0.5]) == ["0.50"]


def test_a_publication_table_cell_is_written_by_the_same_module():
    too_few = text("suppressed")
    assert _written(0.713, "pct", "da", too_few) == "71,3 %"
    assert _written(0.0004, "p", "da", too_few) == "< 0,001"
    assert _written(1234.0, "int", "da", too_few) == "1.234"
    assert _written(dt.date(2026, 12, 1), "month", "da", too_few) == "dec. 2026"
    assert _written(too_few, "pct", "da", too_few) == "for få svar"


def test_every_text_of_the_catalogue_is_in_danish_and_english():
    assert all(set(t) == {"da", "en"} and t["da"] and t["en"] for t in TEXTS.values())
    assert text("interval", "da", low="1", high="2") == "1 til 2"
    with pytest.raises(KeyError):
        text("no such text")
