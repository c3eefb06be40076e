"""The `[analysis]` declaration of a questionnaire file: what the analyses read its items
as (the collaboration matrix and its raters' role item, one side of the meeting pair,
the key theme and the joint indicator). A declaration naming an item the file does not
have, or one of a type the analysis cannot read, is refused at load with the file, the
path inside it and the reason; a declaration does not change the definition's digest,
so it can be added to a version that has answers."""

from __future__ import annotations

import msgspec
import pytest

from service.surveys import loader
from service.surveys.loader import QuestionnaireError
from service.surveys.model import Analysis
from tests.support import QUESTIONNAIRE_DIR
from tests.unit.test_questionnaire_files import FILE, setting

EVERYTHING = {
    "staff_role": "rolle",
    "collaboration": ["samarbejde_med"],
    "meeting": {"side": "citizen", "heard": "tilfreds", "follow_up": "plan_tilfreds"},
    "outcomes": {"theme": "trivsel", "joint": ["tilfreds", "plan_tilfreds"]},
}


def test_a_declaration_of_every_role_loads_as_written(valid_toml):
    q = loader.decode(setting("analysis", EVERYTHING)(valid_toml), FILE)
    assert q.analysis.staff_role == "rolle"
    assert q.analysis.collaboration == ["samarbejde_med"]
    assert q.analysis.meeting is not None
    assert q.analysis.meeting.items() == {"heard": "tilfreds", "follow_up": "plan_tilfreds"}
    assert q.analysis.outcomes is not None
    assert (q.analysis.outcomes.theme, q.analysis.outcomes.joint) == ("trivsel", ["tilfreds", "plan_tilfreds"])


def test_declaring_roles_leaves_the_digest_of_an_answered_version_as_it_was(valid_toml, questionnaire):
    declared = loader.decode(setting("analysis", EVERYTHING)(valid_toml), FILE)
    assert loader.digest(declared) == loader.digest(questionnaire)
    assert b"analysis" not in loader.canonical(declared)


def _with(**changes: object) -> dict[str, object]:
    return {**EVERYTHING, **changes}


BROKEN = [
    pytest.param(_with(staff_role="tilfreds"), "$.analysis.staff_role",
                 "'tilfreds' is of type agreement, not a role item", id="staff_role_not_a_role"),
    pytest.param(_with(collaboration=["samarbejde"]), "$.analysis.collaboration[0]",
                 "'samarbejde' is not an item of this questionnaire", id="matrix_missing"),
    pytest.param(_with(collaboration=["samarbejde_med", "stress"]), "$.analysis.collaboration[1]",
                 "'stress' is of type frequency, not a matrix item", id="matrix_of_wrong_type"),
    pytest.param(_with(collaboration=["samarbejde_med", "samarbejde_med"]), "$.analysis.collaboration",
                 "an item is declared twice", id="matrix_twice"),
    pytest.param({"collaboration": ["samarbejde_med"]}, "$.analysis.staff_role",
                 "a collaboration matrix needs the role item its raters answer", id="matrix_without_role"),
    pytest.param(_with(collaboration=[]), "$.analysis.collaboration", "length >= 1", id="no_matrix"),
    pytest.param(_with(meeting={"side": "citizen", "heard": "plan_hvorfor"}), "$.analysis.meeting.heard",
                 "'plan_hvorfor' is of type free_text, not a scale item", id="meeting_item_free_text"),
    pytest.param(_with(meeting={"side": "citizen", "goals": "samarbejde_med"}), "$.analysis.meeting.goals",
                 "'samarbejde_med' is of type matrix, not a scale item", id="meeting_item_matrix"),
    pytest.param(_with(meeting={"side": "citizen", "hoert": "tilfreds"}), "$.analysis.meeting",
                 "unknown field `hoert`", id="meeting_unknown_aspect"),
    pytest.param(_with(meeting={"side": "borger", "heard": "tilfreds"}), "$.analysis.meeting.side",
                 "Invalid enum value 'borger'", id="meeting_unknown_side"),
    pytest.param(_with(meeting={"side": "staff", "heard": "tilfreds", "goals": "tilfreds"}), "$.analysis.meeting",
                 "an item answers one aspect only", id="meeting_item_for_two_aspects"),
    pytest.param(_with(meeting={"side": "staff"}), "$.analysis.meeting",
                 "name the items of at least one of heard, goals, right_people, follow_up", id="meeting_empty"),
    pytest.param(_with(outcomes={"theme": "oekonomi"}), "$.analysis.outcomes.theme",
                 "theme 'oekonomi' is not declared under [themes]", id="key_theme_undeclared"),
    pytest.param(_with(outcomes={"theme": "samarbejde"}), "$.analysis.outcomes.theme",
                 "theme 'samarbejde' has no scale item to score it by", id="key_theme_without_scale_items"),
    pytest.param(_with(outcomes={"joint": ["tilfreds", "har_plan"]}), "$.analysis.outcomes.joint[1]",
                 "'har_plan' is of type yes_no, not a scale item", id="joint_item_yes_no"),
    pytest.param(_with(outcomes={"joint": ["tilfreds"]}), "$.analysis.outcomes.joint", "length >= 2",
                 id="joint_of_one_item"),
    pytest.param(_with(outcomes={"joint": ["tilfreds", "tilfreds"]}), "$.analysis.outcomes.joint",
                 "an item is declared twice", id="joint_item_twice"),
    pytest.param(_with(colaboration=["samarbejde_med"]), "$.analysis", "unknown field `colaboration`",
                 id="misspelt_role"),
]


@pytest.mark.parametrize(("declaration", "path", "reason"), BROKEN)
def test_a_declaration_the_analyses_cannot_read_is_refused_with_file_path_and_reason(valid_toml, declaration,
                                                                                    path, reason):
    with pytest.raises(QuestionnaireError) as refused:
        loader.decode(setting("analysis", declaration)(valid_toml), FILE)
    message = str(refused.value)
    assert message.startswith(f"{FILE}: ")
    assert f"{path}: " in message or f"at `{path}`" in message
    assert reason in message


def test_the_shipped_questionnaires_declare_what_the_analyses_read():
    found = {q.id: q.analysis for q in loader.load_dir(QUESTIONNAIRE_DIR).values()}
    assert found["medarbejder"].collaboration and found["medarbejder"].staff_role
    assert found["borger"].outcomes and found["borger"].outcomes.theme and found["borger"].outcomes.joint
    assert {found[q].meeting.side for q in ("moede_borger", "moede_medarbejder")} == {"citizen", "staff"}


def test_the_readmes_example_declaration_is_one_the_loader_takes():
    """questionnaires/README.md's 'Analysis roles' example, decoded as written."""
    section = (QUESTIONNAIRE_DIR / "README.md").read_text(encoding="utf-8").split("## Analysis roles", 1)[1]
    example = section.split("```toml\n", 1)[1].split("```", 1)[0]
    declared = msgspec.toml.decode(example, type=dict[str, Analysis])["analysis"]
    assert declared.collaboration == ["samarbejde"] and declared.meeting is not None
    assert declared.meeting.items() == {"heard": "blev_hoert", "goals": "handlede_om_mine_maal",
                                        "right_people": "rette_personer_med", "follow_up": "ved_hvad_der_sker_nu"}
