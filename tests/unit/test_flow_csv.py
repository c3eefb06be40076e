"""The flow CSV as a case system's export reaches Sammen: a good file read whole, and
every kind of bad line reported with its line number, its column and the reason
(the checks that need the database, such as unknown units, are in
tests/integration/test_flow_import.py)."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from service.flow.csvfile import FlowFileInvalid, parse, repeats, stock_warnings
from service.flow.model import FlowRow

TODAY = dt.date(2026, 11, 28)
HEADER = "unit,month,enrolled,started,ended,capacity,waiting"
GOOD = [HEADER, "7,2026-01,10,3,2,15,4", "7,2026-02,11,1,0,15,", "Bostøtte Syd,2026-01,5,0,5,,"]


def read(lines: list[str], sep: str = "\n") -> tuple[list[FlowRow], list[tuple[int, str, str]]]:
    rows, errors = parse(sep.join(lines) + sep, TODAY)
    return rows, [(e.line, e.field, e.message) for e in errors]


def with_line(number: int, text: str) -> list[str]:
    """The good file with its line `number` (1 = the header) replaced."""
    lines = list(GOOD)
    lines[number - 1] = text
    return lines


def test_a_good_file_gives_every_row_with_its_line_and_empty_optional_cells_as_unknown():
    rows, errors = read(GOOD)
    assert errors == []
    assert rows == [
        FlowRow(line=2, unit="7", month=dt.date(2026, 1, 1), enrolled=10, started=3, ended=2, capacity=15, waiting=4),
        FlowRow(line=3, unit="7", month=dt.date(2026, 2, 1), enrolled=11, started=1, ended=0, capacity=15,
                waiting=None),
        FlowRow(line=4, unit="Bostøtte Syd", month=dt.date(2026, 1, 1), enrolled=5, started=0, ended=5),
    ]


def test_danish_excel_export_with_semicolons_bom_crlf_quotes_and_trailing_separators_is_read():
    text = ('\ufeff Unit ; Month;ENROLLED;started;ended;capacity;waiting\r\n'
            '"Bo; Nord";2026-03;4;1;1;;\r\n'
            ';;;;;;\r\n'
            '\r\n'
            '12;2026-04;4;0;0;6;0;;\r\n')
    rows, errors = parse(text, TODAY)
    assert errors == []
    assert [(r.line, r.unit, r.month, r.capacity, r.waiting) for r in rows] == [
        (2, "Bo; Nord", dt.date(2026, 3, 1), None, None), (5, "12", dt.date(2026, 4, 1), 6, 0)]


def test_optional_columns_may_be_left_out_and_columns_come_in_any_order():
    rows, errors = read(["ended,started,enrolled,month,unit", "1,2,3,2026-05,9"])
    assert errors == []
    assert rows == [FlowRow(line=2, unit="9", month=dt.date(2026, 5, 1), enrolled=3, started=2, ended=1)]


def test_the_current_month_is_accepted_though_it_is_not_over():
    rows, errors = read([HEADER, "7,2026-11,1,0,0,,"])
    assert errors == [] and rows[0].month == dt.date(2026, 11, 1)


# Each kind of bad line: the file, and the (line, field, start of the reason) reported.
BAD_LINES = [
    pytest.param(with_line(3, "7,feb-26,11,1,0,15,"), (3, "month", "expected a month as YYYY-MM"),
                 id="month_not_written_as_year_and_month"),
    pytest.param(with_line(3, "7,2026-02-01,11,1,0,15,"), (3, "month", "expected a month as YYYY-MM"),
                 id="month_given_as_a_date"),
    pytest.param(with_line(3, "7,2026-13,11,1,0,15,"), (3, "month", "there is no month 13"),
                 id="month_that_does_not_exist"),
    pytest.param(with_line(3, "7,1899-12,11,1,0,15,"), (3, "month", "the year 1899 is before 1900"),
                 id="month_before_1900"),
    pytest.param(with_line(3, "7,2026-12,11,1,0,15,"), (3, "month", "2026-12 lies in the future"),
                 id="month_in_the_future"),
    pytest.param(with_line(3, "7,2026-02,-1,1,0,15,"), (3, "enrolled", "is negative (-1)"),
                 id="negative_count"),
    pytest.param(with_line(3, "7,2026-02,11,1,0,-15,"), (3, "capacity", "is negative (-15)"),
                 id="negative_optional_count"),
    pytest.param(with_line(3, "7,2026-02,11,1.5,0,15,"), (3, "started", "expected a whole number"),
                 id="decimal_count"),
    pytest.param(with_line(3, "7,2026-02,11,1,0,15,mange"), (3, "waiting", "expected a whole number"),
                 id="count_that_is_a_word"),
    pytest.param(with_line(3, '7,2026-02,"1.234",1,0,15,'), (3, "enrolled", "expected a whole number"),
                 id="count_with_thousands_separator"),
    pytest.param(with_line(3, "7,2026-02,11,1,2147483648,15,"), (3, "ended", "has 10 digits, at most 9"),
                 id="count_too_large_to_store"),
    pytest.param(with_line(3, "7,2026-02,11,1,1234567890,15,"), (3, "ended", "has 10 digits, at most 9"),
                 id="count_of_ten_digits"),
    pytest.param(with_line(3, "7,2026-02," + "1" * 5000 + ",1,0,15,"), (3, "enrolled", "has 5000 digits, at most 9"),
                 id="count_of_five_thousand_digits"),
    pytest.param(with_line(3, "7,2026-02,١١,1,0,15,"), (3, "enrolled", "expected a whole number"),
                 id="count_in_arabic_indic_digits"),
    pytest.param(with_line(3, "7,2026-02,11,３,0,15,"), (3, "started", "expected a whole number"),
                 id="count_in_full_width_digits"),
    pytest.param(with_line(3, "7,٢٠٢٦-٠٢,11,1,0,15,"), (3, "month", "expected a month as YYYY-MM"),
                 id="month_in_arabic_indic_digits"),
    pytest.param(with_line(3, "7,２０２６-０２,11,1,0,15,"), (3, "month", "expected a month as YYYY-MM"),
                 id="month_in_full_width_digits"),
    pytest.param(with_line(3, "7,2026-٣,11,1,0,15,"), (3, "month", "expected a month as YYYY-MM"),
                 id="month_number_in_arabic_indic_digits"),
    pytest.param(with_line(1, "\ufeff\ufeff" + HEADER), (1, "file", "starts with a second byte order mark"),
                 id="second_bom"),
    pytest.param(with_line(3, "7,2026-02,,1,0,15,"), (3, "enrolled", "is empty"),
                 id="empty_required_cell"),
    pytest.param(with_line(3, ",2026-02,11,1,0,15,"), (3, "unit", "is empty"),
                 id="empty_unit"),
    pytest.param(with_line(3, "7,2026-02,11,1,0"), (3, "capacity", "the line has 5 cells, the header names 7"),
                 id="missing_column"),
    pytest.param(with_line(3, "7,2026-02,11,1,0,15,,3"), (3, "column 8", "the line has 8 cells"),
                 id="extra_column"),
    pytest.param(with_line(3, "7\x00,2026-02,11,1,0,15,"), (3, "unit", "contains a control character"),
                 id="control_character_in_a_cell"),
    pytest.param(with_line(3, "x" * 201 + ",2026-02,11,1,0,15,"), (3, "unit", "is 201 characters long"),
                 id="unit_text_too_long"),
    pytest.param(with_line(3, '"7,2026-02,11,1,0,15,'), (3, "file", "cannot be read as CSV"),
                 id="quote_never_closed"),
    pytest.param(with_line(1, "unit,month,enrolled,started,ended,capacity,venter"), (1, "venter", "unknown column"),
                 id="header_with_unknown_column"),
    pytest.param(with_line(1, "unit,month,enrolled,started,slut,capacity,waiting"), (1, "ended", "the header has no"),
                 id="header_missing_a_required_column"),
    pytest.param(with_line(1, "unit,month,enrolled,started,ended,capacity,capacity"),
                 (1, "capacity", "column 'capacity' is named twice"),
                 id="header_naming_a_column_twice"),
    pytest.param(with_line(1, "unit,month,enrolled,started,ended,,waiting"), (1, "column 6", "the header names no"),
                 id="header_with_an_empty_column_name"),
    pytest.param(GOOD[1:], (1, "7", "unknown column"), id="header_missing_the_file_starts_with_data"),
    pytest.param([""], (1, "header", "the file is empty"), id="empty_file"),
    pytest.param([HEADER, ""], (2, "file", "no data lines after the header"), id="header_without_data"),
]


@pytest.mark.parametrize(("lines", "expected"), BAD_LINES)
def test_a_bad_line_is_reported_with_its_line_column_and_reason(lines, expected):
    rows, errors = read(lines)
    line, field, reason = expected
    assert any(e[:2] == (line, field) and e[2].startswith(reason) for e in errors), errors
    if line > 1 and len(lines) > 2:  # the other lines are still read, so all errors of a file come at once
        assert all(r.line != line for r in rows) and len(rows) >= 1


def test_a_count_of_thousands_of_digits_is_not_repeated_whole_in_its_message():
    _, errors = read(with_line(2, "7,2026-01,10,3,2,15," + "9" * 5000 + "x"))
    [(line, field, message)] = errors
    assert (line, field) == (2, "waiting") and len(message) < 200 and "(5001 characters)" in message


@pytest.mark.parametrize(("data", "expected"), [
    ("\ufeff\ufeff".encode() + "\n".join(GOOD).encode(), (1, "file", "starts with a second byte order mark")),
    ("\ufeff".encode() + "\n".join(GOOD).encode() + b"\n7,2026-03,1,1,\xf8,,\n", (5, "file", "not UTF-8 text")),
], ids=["second_bom", "not_utf8"])
def test_an_uploaded_file_that_is_not_one_bom_and_utf8_is_a_line_error(data, expected):
    rows, errors = parse(data, TODAY)
    assert rows == [] and [(e.line, e.field, e.message[:len(expected[2])]) for e in errors] == [expected]


def test_an_uploaded_file_with_one_bom_is_read_as_its_text():
    assert parse("\ufeff".encode() + "\n".join(GOOD).encode(), TODAY) == parse("\n".join(GOOD), TODAY)


def test_every_bad_line_of_a_file_is_reported_at_once_and_the_header_line_counts():
    rows, errors = read([HEADER, "7,2026-01,x,3,2,,", "7,2026-02,11,1,0,,", "", "7,2026-13,-1,1,0,,"])
    assert [(line, field) for line, field, _ in errors] == [(2, "enrolled"), (5, "month"), (5, "enrolled")]
    assert [r.line for r in rows] == [3]


def test_a_quoted_cell_over_two_lines_is_reported_at_the_line_where_its_record_starts():
    rows, errors = read([HEADER, '"Bo\nNord",2026-01,1,0,0,,', "7,2026-02,x,0,0,,"])
    assert rows[0].unit == "Bo\nNord" and [(e[0], e[1]) for e in errors] == [(4, "enrolled")]


def test_the_error_message_names_the_file_every_line_and_that_nothing_was_imported():
    _, errors = parse(f"{HEADER}\n7,2026-13,1,1,1,,\n7,2026-01,1,1,1,,,9\n", TODAY)
    message = str(FlowFileInvalid(errors, "flow.csv"))
    assert message.startswith("flow.csv: 2 error(s), nothing was imported")
    assert "line 2, month: there is no month 13" in message and "line 3, column 8:" in message


def test_more_errors_than_the_response_lists_are_counted():
    _, errors = parse(HEADER + "\n" + "7,2026-13,1,1,1,,\n" * 150, TODAY)
    refused = FlowFileInvalid(errors)
    assert len(refused.line_errors) == 150 and len(refused.errors) == 100
    assert str(refused).endswith("... and 50 more")


def row(line: int, month: str, enrolled: int, started: int, ended: int) -> FlowRow:
    return FlowRow(line=line, unit="7", month=dt.date.fromisoformat(month + "-01"), enrolled=enrolled,
                   started=started, ended=ended)


def test_a_unit_month_named_twice_is_refused_on_its_second_line():
    rows = [row(2, "2026-01", 1, 0, 0), row(3, "2026-02", 1, 0, 0), row(4, "2026-01", 2, 0, 0)]
    errors = repeats(rows, [7, 7, 7])
    assert [(e.line, e.field) for e in errors] == [(4, "month")] and "on line 2 already" in errors[0].message
    assert repeats(rows, [7, 7, 8]) == []  # the same month of another unit


def test_stock_that_does_not_add_up_within_the_file_is_a_warning_naming_both_lines():
    rows = [row(2, "2026-01", 10, 3, 2), row(3, "2026-02", 11, 1, 0), row(4, "2026-03", 14, 0, 0)]
    warnings = stock_warnings(rows, [7, 7, 7], {})
    assert [(w.lines, w.month, w.expected, w.enrolled) for w in warnings] == [([3, 4], dt.date(2026, 3, 1), 12, 14)]
    assert "enrolled 14, but 2026-02 ends with 11 + 1 started - 0 ended = 12" in warnings[0].message


def test_stock_is_checked_across_december_and_january():
    rows = [row(2, "2025-12", 5, 1, 1), row(3, "2026-01", 4, 0, 0)]
    assert [w.month for w in stock_warnings(rows, [7, 7], {})] == [dt.date(2026, 1, 1)]


def test_stock_is_checked_against_stored_months_before_and_after_the_file():
    rows = [row(2, "2026-02", 10, 2, 1)]
    stored = {(7, dt.date(2026, 1, 1)): (9, 1, 0), (7, dt.date(2026, 3, 1)): (12, 0, 0)}
    warnings = stock_warnings(rows, [7], stored)
    assert [(w.lines, w.month, w.expected, w.enrolled) for w in warnings] == [
        ([2], dt.date(2026, 3, 1), 11, 12)]  # January adds up (9 + 1 - 0 = 10); March does not


def test_a_stored_month_the_file_replaces_is_not_checked_against():
    rows = [row(2, "2026-01", 9, 1, 0), row(3, "2026-02", 10, 0, 0)]
    stored = {(7, dt.date(2026, 1, 1)): (1, 1, 1)}  # replaced by line 2, so its old stock does not count
    assert stock_warnings(rows, [7, 7], stored) == []


@given(st.lists(st.text(alphabet=st.sampled_from(list("unitmonthenrolled,;\"\n\r 0123456789-\x00ø٣３\ufeff")),
                        max_size=40), max_size=8))
@settings(max_examples=300, deadline=None)
def test_any_text_is_answered_with_rows_or_errors_on_its_own_lines_never_an_exception(parts):
    text = HEADER + "\n" + "".join(parts)
    rows, errors = parse(text, TODAY)
    last = text.count("\n") + text.count("\r") + 2
    assert rows or errors
    assert all(1 <= e.line <= last and e.field and e.message for e in errors), errors
    assert all(min(r.enrolled, r.started, r.ended) >= 0 and r.month <= TODAY for r in rows)
