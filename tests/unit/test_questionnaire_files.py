"""Questionnaire files: a good one loads; a bad one is refused with the file name, the
path inside the file and a reason, so whoever writes questionnaires can fix it alone.

The malformed variants are made by parsing the valid file (see conftest.py) into plain
data, changing one thing at the path the error should name, and writing it back as TOML."""

from __future__ import annotations

import copy
import json
import os
import re
import tomllib
import typing
from collections.abc import Callable

import pytest

from service.surveys import loader
from service.surveys.loader import QuestionnaireError
from service.surveys.model import Item, Matrix, Role
from tests.support import QUESTIONNAIRE_DIR
from tests.support.userfiles import within

FILE = "borger.toml"


# --- turning plain data back into TOML --------------------------------------------------


def _inline(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)  # a JSON string is a TOML basic string
    if isinstance(value, list):
        return "[" + ", ".join(_inline(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{k} = {_inline(v)}" for k, v in value.items()) + " }"
    raise TypeError(value)


def to_toml(doc: dict) -> str:
    """Top-level keys inline, then [[sections]] and [[sections.items]] tables."""
    lines = [f"{k} = {_inline(v)}" for k, v in doc.items() if k != "sections" or not doc[k]]
    for section in doc.get("sections") or []:
        lines += ["", "[[sections]]"]
        lines += [f"{k} = {_inline(v)}" for k, v in section.items() if k != "items" or not section[k]]
        for item in section.get("items") or []:
            lines += ["", "[[sections.items]]"]
            lines += [f"{k} = {_inline(v)}" for k, v in item.items()]
    return "\n".join(lines) + "\n"


# --- building variants ----------------------------------------------------------------

Variant = Callable[[str], str]  # valid TOML text -> malformed TOML text


def _steps(path: str) -> list[str | int]:
    """'sections[0].items[1].type' -> ['sections', 0, 'items', 1, 'type']"""
    return [int(i) if i else k for k, i in re.findall(r"(\w+)|\[(\d+)\]", path)]


def _parent(doc: dict, path: str) -> tuple[typing.Any, str | int]:
    *head, last = _steps(path)
    node: typing.Any = doc
    for step in head:
        node = node[step]
    return node, last


def edited(change: Callable[[dict], None]) -> Variant:
    def variant(text: str) -> str:
        doc = copy.deepcopy(tomllib.loads(text))
        change(doc)
        return to_toml(doc)

    return variant


def setting(path: str, value: object) -> Variant:
    """Set (or add) the value at `path`, e.g. setting('sections[0].items[1].type', 'likert')."""

    def change(doc: dict) -> None:
        parent, key = _parent(doc, path)
        assert isinstance(parent, dict) or key < len(parent), path
        parent[key] = value

    return edited(change)


def renaming(path: str, new_key: str) -> Variant:
    """Rename the key at `path`, keeping its value: a misspelling."""

    def change(doc: dict) -> None:
        parent, key = _parent(doc, path)
        parent[new_key] = parent.pop(key)

    return edited(change)


def appending(path: str, value: object) -> Variant:
    """Append `value` to the list at `path`."""

    def change(doc: dict) -> None:
        parent, key = _parent(doc, path)
        parent[key].append(value)

    return edited(change)


def replacing_text(old: str, new: str) -> Variant:
    """Edit the raw text (for syntax errors); `old` must occur exactly once."""

    def variant(text: str) -> str:
        assert text.count(old) == 1, old
        return text.replace(old, new)

    return variant


# --- the valid file ---------------------------------------------------------------------


def test_valid_questionnaire_file_loads(questionnaire):
    assert questionnaire.id == "trivsel"
    assert questionnaire.version == 1
    assert [s.id for s in questionnaire.sections] == ["om_dig", "plan", "samarbejde", "prioritet", "maal"]


def test_valid_questionnaire_uses_every_item_type(questionnaire):
    assert {type(item) for item in questionnaire.items()} == set(typing.get_args(Item))


def test_conditions_and_matrix_exclusion_are_kept_as_written(questionnaire):
    plan_tilfreds = questionnaire.item("plan_tilfreds")
    assert plan_tilfreds.show_if.item == "har_plan"
    assert plan_tilfreds.show_if.any_of == [1]
    matrix = questionnaire.item("samarbejde_med")
    assert isinstance(matrix, Matrix)
    assert matrix.exclude_row_of == "rolle"
    assert isinstance(questionnaire.item(matrix.exclude_row_of), Role)


def test_item_takes_its_sections_theme_unless_it_names_its_own(questionnaire):
    assert questionnaire.theme_of(questionnaire.item("stress")) == "trivsel"
    assert questionnaire.theme_of(questionnaire.item("kommentar")) == "samarbejde"


def test_english_text_falls_back_to_danish_when_missing(questionnaire):
    assert questionnaire.item("tilfreds").text.get("en") == "I am satisfied with the help"
    assert questionnaire.item("stress").text.get("en") == "Jeg føler mig stresset"


def test_rewritten_valid_file_still_loads_the_same(valid_toml, questionnaire):
    """Guards the variant builder: an unchanged round trip must load identically, so a
    refused variant is refused for the one change it makes."""
    rewritten = to_toml(tomllib.loads(valid_toml))
    assert loader.decode(rewritten, FILE) == questionnaire


def test_condition_may_depend_on_ved_ikke_where_the_target_offers_it(valid_toml):
    variant = setting("sections[0].items[1].show_if", {"item": "tilfreds", "any_of": ["ved_ikke", 1]})
    q = loader.decode(variant(valid_toml), FILE)
    assert q.item("stress").show_if.any_of == ["ved_ikke", 1]


def test_condition_may_depend_on_a_role(valid_toml):
    variant = setting("sections[2].items[1].show_if", {"item": "rolle", "any_of": ["udfoerer"]})
    q = loader.decode(variant(valid_toml), FILE)
    assert q.item("samarbejde_med").show_if.any_of == ["udfoerer"]


# --- malformed files --------------------------------------------------------------------

BROKEN = [
    pytest.param(
        setting("sections[0].items[1].type", "likert"),
        "$.sections[0].items[1].type",
        "Invalid value 'likert'",
        id="unknown_item_type",
    ),
    pytest.param(
        setting("sections[0].items[2].id", "stress"),
        "$.sections[0].items[2].id",
        "item id 'stress' is used twice",
        id="duplicate_item_id",
    ),
    pytest.param(
        setting("sections[1].items[3].id", "tilfreds"),
        "$.sections[1].items[3].id",
        "item id 'tilfreds' is used twice",
        id="duplicate_item_id_across_sections",
    ),
    pytest.param(
        setting("sections[1].id", "om_dig"),
        "$.sections[1].id",
        "section id 'om_dig' is used twice",
        id="duplicate_section_id",
    ),
    pytest.param(
        setting("sections[1].items[1].show_if.item", "har_planer"),
        "$.sections[1].items[1].show_if.item",
        "'har_planer' is not an item before this one",
        id="show_if_unknown_item",
    ),
    pytest.param(
        setting("sections[0].items[0].show_if", {"item": "har_plan", "any_of": [1]}),
        "$.sections[0].items[0].show_if.item",
        "'har_plan' is not an item before this one",
        id="show_if_later_item",
    ),
    pytest.param(
        setting("sections[1].items[0].show_if", {"item": "har_plan", "any_of": [1]}),
        "$.sections[1].items[0].show_if.item",
        "'har_plan' is not an item before this one",
        id="show_if_on_itself",
    ),
    pytest.param(
        setting("sections[1].items[1].show_if.any_of", [1, 2]),
        "$.sections[1].items[1].show_if.any_of",
        "[2] are not answers 'har_plan' can have",
        id="show_if_value_target_cannot_have",
    ),
    pytest.param(
        setting("sections[1].items[1].show_if.any_of", ["ved_ikke"]),
        "$.sections[1].items[1].show_if.any_of",
        "['ved_ikke'] are not answers 'har_plan' can have",
        id="show_if_ved_ikke_target_does_not_offer",
    ),
    pytest.param(
        setting("sections[1].items[3].show_if", {"item": "plan_hvorfor", "any_of": ["x"]}),
        "$.sections[1].items[3].show_if.item",
        "a condition cannot depend on 'plan_hvorfor' (FreeText)",
        id="show_if_on_free_text",
    ),
    pytest.param(
        setting("sections[1].items[1].show_if.any_of", []),
        "$.sections[1].items[1].show_if.any_of",
        "length >= 1",
        id="show_if_without_values",
    ),
    pytest.param(
        setting("sections[0].items[1].text", {"en": "I feel stressed"}),
        "$.sections[0].items[1].text",
        "missing required field `da`",
        id="danish_text_missing",
    ),
    pytest.param(
        setting("sections[0].items[1].text.da", "   "),
        "$.sections[0].items[1].text.da",
        "matching regex",
        id="danish_text_blank",
    ),
    pytest.param(
        setting("sections[1].title.da", ""),
        "$.sections[1].title.da",
        "matching regex",
        id="section_title_empty",
    ),
    pytest.param(
        setting("sections[0].items[1].requird", False),
        "$.sections[0].items[1]",
        "unknown field `requird`",
        id="misspelt_item_key",
    ),
    pytest.param(
        renaming("sections[2].items[1].exclude_row_of", "exclude_rows_of"),
        "$.sections[2].items[1]",
        "unknown field `exclude_rows_of`",
        id="misspelt_matrix_key",
    ),
    pytest.param(
        setting("version", 0),
        "$.version",
        "Expected `int` >= 1",
        id="version_zero",
    ),
    pytest.param(
        setting("version", "1"),
        "$.version",
        "Expected `int`, got `str`",
        id="version_string",
    ),
    pytest.param(
        setting("audience", "borgere"),
        "$.audience",
        "Invalid enum value 'borgere'",
        id="wrong_audience",
    ),
    pytest.param(
        setting("sections[1].theme", "oekonomi"),
        "$.sections[1].theme",
        "theme 'oekonomi' is not declared under [themes]",
        id="section_theme_not_declared",
    ),
    pytest.param(
        setting("sections[0].items[2].theme", "oekonomi"),
        "$.sections[0].items[2].theme",
        "theme 'oekonomi' is not declared under [themes]",
        id="item_theme_not_declared",
    ),
    pytest.param(
        setting("sections[1].items[0].reverse", True),
        "$.sections[1].items[0].reverse",
        "only scale items can be reverse-coded",
        id="reverse_on_yes_no",
    ),
    pytest.param(
        setting("sections[0].items[3].options[2].value", 1),
        "$.sections[0].items[3].options",
        "option values must be unique",
        id="duplicate_option_values",
    ),
    pytest.param(
        setting("sections[0].items[4].options", [{"value": 1, "text": {"da": "Kun én"}}]),
        "$.sections[0].items[4].options",
        "length >= 2",
        id="multiple_choice_with_one_option",
    ),
    pytest.param(
        setting("sections[2].items[0].options[2].key", "udfoerer"),
        "$.sections[2].items[0].options",
        "keys must be unique",
        id="duplicate_role_keys",
    ),
    pytest.param(
        setting("sections[2].items[1].dimensions[1].key", "tillid"),
        "$.sections[2].items[1].dimensions",
        "keys must be unique",
        id="duplicate_matrix_dimension_keys",
    ),
    pytest.param(
        setting("sections[2].items[1].exclude_row_of", "kontakt"),
        "$.sections[2].items[1].exclude_row_of",
        "'kontakt' is not an earlier role item",
        id="matrix_exclude_row_of_not_a_role",
    ),
    pytest.param(
        appending("sections[2].items", {"id": "rolle_igen", "type": "role", "text": {"da": "Rolle"},
                                        "options": [{"key": "a", "text": {"da": "A"}},
                                                    {"key": "b", "text": {"da": "B"}}]}),
        "$.sections",
        "at most one role item per questionnaire",
        id="two_role_items",
    ),
    pytest.param(
        setting("sections[2].items[1].scale", "scale_0_10"),
        "$.sections[2].items[1].scale",
        "Invalid enum value 'scale_0_10'",
        id="matrix_scale_not_five_point",
    ),
    pytest.param(
        setting("sections[1].items[2].max_length", 0),
        "$.sections[1].items[2].max_length",
        "Expected `int` >= 1",
        id="free_text_max_length_zero",
    ),
    pytest.param(
        setting("sections[0].items[0].id", "Tilfreds"),
        "$.sections[0].items[0].id",
        "matching regex",
        id="item_id_uppercase",
    ),
    pytest.param(
        setting("sections[0].items[4].id", "hjælp"),
        "$.sections[0].items[4].id",
        "matching regex",
        id="item_id_with_danish_letter",
    ),
    pytest.param(
        setting("sections[0].items[0].id", "1_tilfreds"),
        "$.sections[0].items[0].id",
        "matching regex",
        id="item_id_starting_with_digit",
    ),
    pytest.param(
        setting("sections", []),
        "$.sections",
        "length >= 1",
        id="empty_sections",
    ),
    pytest.param(
        setting("sections[1].items", []),
        "$.sections[1].items",
        "length >= 1",
        id="section_without_items",
    ),
    pytest.param(
        setting("sections[2].items[0].options[1].key", "laege"),
        "$.sections[2].items[0].options",
        "'laege' is not a role group",
        id="role_key_outside_the_vocabulary",
    ),
    pytest.param(
        setting("sections[2].items[1].rows[0].key", "paaroerende"),
        "$.sections[2].items[1].rows",
        "'paaroerende' is not a role group",
        id="matrix_row_outside_the_vocabulary",
    ),
    pytest.param(
        setting("sections[0].items[0].min_group_size", 2),
        "$.sections[0].items[0].min_group_size",
        "Expected `int` >= 3",
        id="threshold_below_three",
    ),
    pytest.param(
        setting("sections[1].min_group_size", "tyve"),
        "$.sections[1].min_group_size",
        "Expected `int | null`, got `str`",
        id="threshold_not_a_number",
    ),
    pytest.param(
        setting("sections[3].items[0].per_set", 5),
        "$.sections[3].items[0].per_set",
        "sets of 5 need more than 5 options",
        id="best_worst_sets_as_large_as_the_options",
    ),
    pytest.param(
        setting("sections[3].items[0].per_set", 6),
        "$.sections[3].items[0].per_set",
        "Expected `int` <= 5",
        id="best_worst_sets_above_five",
    ),
    pytest.param(
        setting("sections[3].items[0].sets", [[1, 2, 3], [3, 4, 5], [5, 1, 2]]),
        "$.sections[3].items[0].sets",
        "every option must be shown equally often (now {1: 2, 2: 2, 3: 2, 4: 1, 5: 2} times)",
        id="best_worst_sets_unbalanced",
    ),
    pytest.param(
        setting("sections[3].items[0].sets", [[1, 2, 3], [3, 4, 4]]),
        "$.sections[3].items[0].sets[1]",
        "an option is in the set twice",
        id="best_worst_option_twice_in_a_set",
    ),
    pytest.param(
        setting("sections[3].items[0].sets", [[1, 2, 3], [4, 5, 9]]),
        "$.sections[3].items[0].sets[1]",
        "[9] are not values of the options",
        id="best_worst_unknown_option_in_a_set",
    ),
    pytest.param(
        setting("sections[3].items[0].dont_know", True),
        "$.sections[3].items[0].dont_know",
        "a best–worst question has no 'Ved ikke'",
        id="best_worst_ved_ikke",
    ),
    pytest.param(
        setting("sections[3].items[0].options", [{"value": 1, "text": {"da": "a"}}, {"value": 2, "text": {"da": "b"}},
                                                 {"value": 3, "text": {"da": "c"}}]),
        "$.sections[3].items[0].options",
        "Expected `array` of length >= 4",
        id="best_worst_too_few_options",
    ),
    pytest.param(
        setting("sections[3].items[0].show_if", {"item": "vigtigst", "any_of": [1]}),
        "$.sections[3].items[0].show_if.item",
        "'vigtigst' is not an item before this one",
        id="best_worst_condition_on_itself",
    ),
    pytest.param(
        replacing_text('audience = "staff"', "audience = staff"),
        "line 3",
        "Invalid",
        id="invalid_toml_syntax",
    ),
]


@pytest.mark.parametrize(("variant", "path", "reason"), BROKEN)
def test_malformed_questionnaire_is_refused_with_file_path_and_reason(valid_toml, variant, path, reason):
    text = variant(valid_toml)
    with pytest.raises(QuestionnaireError) as refused:
        loader.decode(text, FILE)
    message = str(refused.value)
    assert message.startswith(f"{FILE}: ")
    assert path in message
    assert reason in message


def test_role_groups_default_to_the_vocabulary(valid_toml):
    doc = tomllib.loads(valid_toml)
    del doc["sections"][2]["items"][0]["options"]
    del doc["sections"][2]["items"][1]["rows"]
    q = loader.decode(to_toml(doc), FILE)
    from service.roles import OTHER, ROLE_KEYS

    assert [g.key for g in q.item("rolle").groups] == list(ROLE_KEYS)
    assert [g.key for g in q.item("samarbejde_med").groups] == [k for k in ROLE_KEYS if k != OTHER]


def test_a_disclosure_threshold_is_the_items_else_the_sections_else_the_services(valid_toml):
    doc = tomllib.loads(valid_toml)
    doc["sections"][2]["min_group_size"] = 20
    doc["sections"][2]["items"][0]["min_group_size"] = 10
    q = loader.decode(to_toml(doc), FILE)
    assert q.min_group_size_of(q.item("rolle")) == 10
    assert q.min_group_size_of(q.item("samarbejde_med")) == 20
    assert q.min_group_size_of(q.item("tilfreds")) is None  # SAMMEN_MIN_GROUP_SIZE decides


def test_a_missing_questionnaire_folder_is_an_error_naming_it(tmp_path):
    with pytest.raises(QuestionnaireError, match=r"nowhere: the questionnaire folder does not exist"):
        loader.load_dir(tmp_path / "nowhere")


def test_a_file_that_is_not_utf8_is_named(tmp_path, valid_toml):
    (tmp_path / "latin.toml").write_bytes(valid_toml.replace("Om dig", "Om dig æ").encode("latin-1"))
    with pytest.raises(QuestionnaireError, match=r"latin\.toml line \d+: not UTF-8 text \(byte 0x[0-9a-f]{2}\)"):
        loader.load_dir(tmp_path)


def test_a_file_larger_than_a_questionnaire_can_be_is_refused_unread(tmp_path, valid_toml):
    (tmp_path / "huge.toml").write_text(valid_toml + "# " + "x" * loader.MAX_FILE_BYTES + "\n")
    with pytest.raises(QuestionnaireError, match=r"huge\.toml: \d+ bytes is more than a questionnaire file may hold"):
        loader.load_dir(tmp_path)


def test_a_fifo_named_like_a_questionnaire_is_refused_at_once_naming_it(tmp_path, valid_toml):
    (tmp_path / "a.toml").write_text(valid_toml)
    os.mkfifo(tmp_path / "b.toml")  # a start must not wait for ever for a writer
    with pytest.raises(QuestionnaireError, match=r"b\.toml: is a named pipe \(FIFO\), not a regular file"):
        within(30, lambda: loader.load_dir(tmp_path))


def test_a_file_with_a_second_bom_is_refused_naming_line_1(tmp_path, valid_toml):
    (tmp_path / "bom.toml").write_text("\ufeff\ufeff" + valid_toml)
    with pytest.raises(QuestionnaireError, match=r"bom\.toml line 1: starts with a second byte order mark"):
        loader.load_dir(tmp_path)


@pytest.mark.parametrize("version", ["３", "٣", '"3"'])
def test_a_version_in_other_digits_or_as_text_is_refused(valid_toml, version):
    """TOML reads numbers in the digits 0-9 only, and msgspec turns no text into a number:
    a questionnaire file holds no number that service/numbers.py would need to read."""
    text = re.sub(r"(?m)^version = 1$", f"version = {version}", valid_toml, count=1)
    assert text != valid_toml
    with pytest.raises(QuestionnaireError, match=FILE):
        loader.decode(text, FILE)


def test_the_same_version_in_two_files_names_both(tmp_path, valid_toml):
    (tmp_path / "a.toml").write_text(valid_toml)
    (tmp_path / "b.toml").write_text(valid_toml)
    with pytest.raises(QuestionnaireError, match=r"b\.toml: trivsel version 1 is defined in .*a\.toml too"):
        loader.load_dir(tmp_path)


def test_the_canonical_form_leaves_out_defaults_and_orders_mappings(questionnaire):
    """A later release adding an optional field, or jsonb reordering keys, must not make
    an unchanged file look changed (a version with answers would then refuse to start)."""
    data = json.loads(loader.canonical(questionnaire))
    assert "min_group_size" not in json.dumps(data) and '"required": true' not in json.dumps(data)
    assert list(data["themes"]) == sorted(data["themes"])
    reordered = dict(reversed(list(data["themes"].items())))
    again = loader.decode(to_toml(tomllib.loads(to_toml({**data, "themes": reordered}))), FILE)
    assert loader.digest(again) == loader.digest(questionnaire)


def test_every_item_type_the_readme_shows_loads_as_written():
    """questionnaires/README.md's 'Item types' examples, each in a questionnaire of its own
    (the matrix after the role item it leaves the own group of): every type is shown, and
    every example is one the loader takes."""
    readme = (QUESTIONNAIRE_DIR / "README.md").read_text(encoding="utf-8")
    examples = re.findall(r"```toml\n(.*?)```", readme.split("## Item types", 1)[1].split("## Analysis roles", 1)[0],
                          re.S)
    header = ('id = "eks"\nversion = 1\naudience = "staff"\ntitle = { da = "Eksempel" }\n\n'
              '[[sections]]\nid = "s"\ntitle = { da = "S" }\n\n')
    role = next(e for e in examples if 'type = "role"' in e)
    shown = set()
    for example in examples:
        before = role if "exclude_row_of" in example else ""
        shown |= {item.kind for item in loader.decode(header + before + example, "README.md").items()}
    assert shown == {str(t.__struct_config__.tag) for t in typing.get_args(Item)}
