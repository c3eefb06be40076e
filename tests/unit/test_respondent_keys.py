"""The respondent-key rules: no CPR number however it is written, no characters a terminal
or a CSV would mangle, and errors that name the line of a key file or the list index."""

from __future__ import annotations

import msgspec
import pytest

from service.admin.keys import KeyRefused, looks_like_cpr, read_key_file
from service.admin.model import NewInvitations
from tests.support.userfiles import NOT_REGULAR, not_regular, within


@pytest.mark.parametrize("key", [
    "0101901234", "010190-1234", "010190.1234", "cpr-0101901234", "01-01-90-1234", "01 01 90 1234",
    "CPR:010190/1234", "x3112991234y", "2902961234", "borger-3006851111",
])
def test_ten_digits_starting_with_a_date_are_a_cpr_number_whatever_the_separators(key):
    assert looks_like_cpr(key)


@pytest.mark.parametrize("key", [
    "P-0001", "B-17", "3213901234",  # day 32
    "0113901234",  # month 13
    "3002901234",  # 30 February
    "2902951234",  # 29 February in a year no multiple of four
    "123456789",  # nine digits
    "0000000000",
])
def test_keys_without_a_possible_date_of_birth_pass(key):
    assert not looks_like_cpr(key)


def _file(tmp_path, content: bytes | str):
    path = tmp_path / "keys.txt"
    path.write_bytes(content.encode() if isinstance(content, str) else content)
    return path


@pytest.mark.parametrize(("content", "message"), [
    ("P-1\nP-2\n010190.1234\n", "keys.txt line 3: looks like a CPR number"),
    ("P-1\n\ncpr-0101901234\n", "keys.txt line 3: looks like a CPR number"),
    ("P-1\nP\x002\n", "keys.txt line 2: contains a control character"),
    ("P-1\nP\x1b[31m\n", "keys.txt line 2: contains a control character"),
    ("P 1\n", "keys.txt line 1: contains whitespace"),
    ("P-1\nP-2\nP-1\n", "keys.txt line 3: repeats the key 'P-1' of line 1"),
    ("\n\n  \n", "keys.txt: holds no keys"),
    ("P-1\nPæ-2\n", "keys.txt line 2: may hold only the letters"),
    ("P-1\n" + "x" * 101 + "\n", "keys.txt line 2: is 101 characters long"),
], ids=["cpr-dot", "cpr-prefixed", "nul", "escape-sequence", "space-inside", "duplicate", "empty", "non-ascii",
        "too-long"])
def test_a_bad_key_file_is_refused_naming_its_line(tmp_path, content, message):
    with pytest.raises(KeyRefused) as refused:
        read_key_file(_file(tmp_path, content))
    assert message in str(refused.value)


@pytest.mark.parametrize("key", ["²²²²²²²²²²", "٠١٠١٩٠١٢٣٤", "０１０１９０１２３４", "P-٣", "P-３"],
                         ids=["superscript", "arabic-indic", "full-width", "arabic-indic-3", "full-width-3"])
def test_a_key_with_digits_other_than_0_to_9_is_refused_naming_its_line(tmp_path, key):
    with pytest.raises(KeyRefused, match=r"keys\.txt line 2: may hold only the letters A-Z and a-z, the digits 0-9"):
        read_key_file(_file(tmp_path, f"P-1\n{key}\n"))


def test_a_key_file_with_a_second_bom_is_refused_naming_line_1(tmp_path):
    with pytest.raises(KeyRefused, match=r"keys\.txt line 1: starts with a second byte order mark"):
        read_key_file(_file(tmp_path, "\ufeff\ufeffP-1\nP-2\n"))


@pytest.mark.parametrize("kind", list(NOT_REGULAR))
def test_a_key_file_that_is_not_a_regular_file_is_refused_at_once_naming_it(tmp_path, kind):
    path = not_regular(tmp_path, kind)
    with pytest.raises(KeyRefused) as refused:
        within(30, lambda: read_key_file(path))
    assert str(refused.value).startswith(f"{path}: is {NOT_REGULAR[kind]}, not a regular file")


def test_a_key_file_that_is_not_utf8_names_the_line_and_says_to_save_as_utf8(tmp_path):
    with pytest.raises(KeyRefused, match=r"keys.txt line 2: not UTF-8 .*save the file as UTF-8"):
        read_key_file(_file(tmp_path, "P-1\nP-\xf8\n".encode("latin-1")))


def test_a_key_file_of_more_than_ten_thousand_keys_is_refused(tmp_path):
    with pytest.raises(KeyRefused, match="line 10001: more than 10000 keys"):
        read_key_file(_file(tmp_path, "".join(f"K-{n}\n" for n in range(10_001))))


def test_a_key_file_keeps_order_and_lines_and_forgives_windows_line_ends_and_a_bom(tmp_path):
    keys = read_key_file(_file(tmp_path, "\ufeffP-1\r\n\r\n  P-2 \r\n"))
    assert keys.keys == ["P-1", "P-2"] and keys.where(1).endswith("keys.txt line 3")


@pytest.mark.parametrize(("keys", "message"), [
    (["P-1", "01-01-90-1234"], "respondent_keys[1]: looks like a CPR number"),
    (["P-1", "P-2", "P-1"], "respondent_keys[2]: repeats respondent_keys[0]"),
    (["P-1", "P\t2"], "respondent_keys[1]: contains a control character"),
    (["P-1", "P\u00a02"], "respondent_keys[1]: contains whitespace"),
])
def test_a_bad_key_in_a_body_names_its_index_and_never_echoes_the_key(keys, message):
    with pytest.raises(msgspec.ValidationError) as refused:
        msgspec.convert({"unit_id": 1, "respondent_keys": keys}, NewInvitations)
    assert message in str(refused.value) and "1234" not in str(refused.value)


def test_a_key_of_superscript_digits_in_a_body_is_refused_naming_its_index_not_a_traceback():
    """'²'.isdigit() holds and int('²') fails: the CPR check raised 'invalid literal for int()'."""
    with pytest.raises(msgspec.ValidationError) as refused:
        msgspec.convert({"unit_id": 1, "respondent_keys": ["P-1", "²²²²²²²²²²"]}, NewInvitations)
    assert "respondent_keys[1]" in str(refused.value) and "int()" not in str(refused.value)
