"""The one way Sammen reads a file or a number a user gives it (service/textfiles.py,
service/numbers.py): a regular file only, bounded, UTF-8 with at most one BOM; numbers
in the digits 0-9 only and only a few of them. Each parser of user files (flow CSV, key
file, questionnaire) is tested on its own too; here the shared rules."""

from __future__ import annotations

import argparse

import pytest

from service.analysis.measures.flow import compute as flow_analysis
from service.cli import arguments
from service.cli.demo_data import COMMANDS as DEMO_DATA
from service.numbers import NotANumber, TooManyDigits, ascii_int
from service.surveys import forms
from service.textfiles import UnreadableFile, read_text
from tests.support.userfiles import NOT_REGULAR, not_regular, within


@pytest.mark.parametrize(("text", "value"), [("0", 0), ("7", 7), ("007", 7), ("999999999", 999_999_999)])
def test_a_whole_number_in_ascii_digits_is_read(text, value):
    assert ascii_int(text) == value


@pytest.mark.parametrize("text", [
    "٣", "３", "1٣", "²", "๓", "", " 1", "1 ", "1_000", "1.000", "1,5", "+1", "-1", "0x1f", "1e3",
])
def test_anything_but_ascii_digits_is_not_a_number(text):
    with pytest.raises(NotANumber, match="expected a whole number written with the digits 0-9"):
        ascii_int(text)


def test_a_sign_is_read_only_when_asked_for():
    assert (ascii_int("-12", signed=True), ascii_int("+12", signed=True)) == (-12, 12)
    with pytest.raises(NotANumber):
        ascii_int("--1", signed=True)


@pytest.mark.parametrize("digits", [10, 4301, 5000, 100_000])
def test_more_digits_than_allowed_are_refused_before_they_are_converted(digits):
    with pytest.raises(TooManyDigits, match=f"has {digits} digits, at most 9"):
        ascii_int("1" * digits)


@pytest.mark.parametrize("kind", list(NOT_REGULAR))
def test_a_path_that_is_not_a_regular_file_is_refused_at_once_naming_the_path_and_what_it_is(tmp_path, kind):
    path = not_regular(tmp_path, kind)
    with pytest.raises(UnreadableFile) as refused:
        within(30, lambda: read_text(path, 1000, "a flow CSV"))
    assert str(refused.value) == f"{path}: is {NOT_REGULAR[kind]}, not a regular file; give a flow CSV as a file"


def test_one_bom_is_dropped_and_a_second_is_refused_on_line_1(tmp_path):
    path = tmp_path / "keys.txt"
    path.write_bytes("\ufeffP-1\n".encode())
    assert read_text(path, 1000, "a key file") == "P-1\n"
    path.write_bytes("\ufeff\ufeffP-1\n".encode())
    with pytest.raises(UnreadableFile, match=r"keys\.txt line 1: starts with a second byte order mark \(BOM\)"):
        read_text(path, 1000, "a key file")


def test_a_file_over_the_bound_is_refused_naming_its_size(tmp_path):
    path = tmp_path / "big.csv"
    path.write_bytes(b"x" * 1001)
    with pytest.raises(UnreadableFile, match=r"big\.csv: 1001 bytes is more than a flow CSV may hold \(1000\)"):
        read_text(path, 1000, "a flow CSV")


def test_a_missing_file_is_refused_naming_it(tmp_path):
    with pytest.raises(UnreadableFile, match=r"nowhere\.csv: cannot read a flow CSV: No such file"):
        read_text(tmp_path / "nowhere.csv", 1000, "a flow CSV")


@pytest.mark.parametrize("text", ["٣", "３", "²", "1" * 5000, "12345678901"],
                         ids=["arabic-indic", "full-width", "superscript", "5000-digits", "11-digits"])
def test_every_number_on_the_command_line_is_written_in_at_most_a_few_digits_0_to_9(text):
    """isdigit() and int() took '٣' and '３' as 3, and '²' and 5,000 digits as a ValueError."""
    demo_data = [a.options["type"] for a in DEMO_DATA[0].arguments if a.dest == "responses"]
    for parse in (arguments.identifier, arguments.positive, arguments.days, *demo_data,
                  lambda t: arguments.evaluation_unit(f"{t}:comparison"),
                  lambda t: arguments.month(f"2025-{t}"), lambda t: arguments.month(f"{t}-01")):
        with pytest.raises(argparse.ArgumentTypeError):
            parse(text)


def test_a_citizens_answer_in_other_digits_is_not_taken_as_a_number():
    assert (forms._coerce(" 3 "), forms._coerce("-2")) == (3, -2)
    assert (forms._coerce("٣"), forms._coerce("３")) == ("٣", "３")  # refused as no option, like any text


def test_the_soenderborg_flow_file_a_notebook_may_name_is_read_as_every_users_file(tmp_path):
    path = not_regular(tmp_path, "fifo")  # open() waited for a writer, before
    with pytest.raises(UnreadableFile, match=r"fifo\.csv: is a named pipe \(FIFO\), not a regular file"):
        within(30, lambda: flow_analysis.soenderborg(path))
