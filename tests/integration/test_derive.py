"""`sammen questionnaire derive`: from ranked quality themes and the item bank
(questionnaires/bank) to a questionnaire file the loader takes, which, stored and
answered, gets the summary, the key-outcome models and the joint indicator it declares;
malformed requests are refused naming the argument, and no file is left behind."""

from __future__ import annotations

import pytest

from service import analysis
from service.surveys import loader
from service.surveys.bank import BankError, load_bank
from service.surveys.store import sync_questionnaires
from tests.support import QUESTIONNAIRE_DIR
from tests.support.cli import sammen
from tests.support.small_evaluation import small_evaluation

RANKED = ["lyttet_til", "indflydelse", "sammenhaeng"]


def test_every_bank_theme_has_citizen_and_staff_items_in_danish_and_english_and_says_its_source():
    bank = load_bank(QUESTIONNAIRE_DIR / "bank")
    assert len(bank) >= 13 and {"indflydelse", "faelles_sprog", "lige_adgang", "opfoelgning"} <= set(bank)
    for theme in bank.values():
        assert 3 <= len(theme.citizen) <= 5 and 1 <= len(theme.staff) <= 5 and theme.source
        assert all(item.text.en for item in [*theme.citizen, *theme.staff])


async def test_a_derived_questionnaire_is_loaded_answered_and_analysed(conn, settings, pg_url, tmp_path):
    out, staff = tmp_path / "afledt.toml", tmp_path / "afledt_medarbejder.toml"
    ran = await sammen(settings, "questionnaire", "derive", *[a for t in RANKED for a in ("--theme", t)],
                       "--id", "afledt", "--out", str(out), "--staff", str(staff))
    assert ran.code == 0, ran.err
    assert f"{out}: afledt, 10 items on the themes lyttet_til, indflydelse, sammenhaeng" in ran.out
    q = loader.load_file(out)
    assert [s.theme for s in q.sections] == RANKED and q.version == 1
    assert q.analysis.outcomes.theme == "lyttet_til"
    assert q.analysis.outcomes.joint == ["medarbejdere_lytter", "indflydelse_eget_liv"]
    assert loader.load_file(staff).analysis.staff_role == "rolle"
    await sync_questionnaires(conn, [q])
    small = await small_evaluation(conn, {"Nord": ("intervention", 12, 12), "Syd": ("comparison", 12, 12)},
                                   questionnaire_id="afledt")
    with analysis.connect(pg_url) as session:
        bundle = analysis.results_bundle(small.evaluation, session=session)
    assert set(RANKED) <= {r.target for r in bundle.summary if r.questionnaire_id == "afledt"}
    assert bundle.joint and all(d.questionnaire_id == "afledt" for d in bundle.joint)
    assert {m.questionnaire_id for m in bundle.models} == {"afledt"}
    assert bundle.labels.questionnaires["afledt"].title.da == "Hvad synes du om din støtte?"


@pytest.mark.parametrize(("arguments", "named"), [
    (["--theme", "indflydelse", "--theme", "ingen_saadan"], "--theme: 'ingen_saadan' not in the item bank"),
    ([], "--theme: give at least one theme"),
    (["--theme", "indflydelse", "--theme", "indflydelse"], "--theme: 'indflydelse' given twice"),
    (["--theme", "uden_personale", "--bank", "{tmp}/bank", "--staff", "{tmp}/m.toml"],
     "--theme: none of these themes has staff items"),
    (["--theme", "indflydelse", "--out", "{tmp}/findes.toml"], "--out: {tmp}/findes.toml exists"),
    (["--theme", "indflydelse", "--staff", "{tmp}/findes.toml"], "--staff: {tmp}/findes.toml exists"),
    (["--theme", "indflydelse", "--id", "borger"], "--id: a questionnaire 'borger' is in"),
])
async def test_a_malformed_request_is_refused_naming_the_argument_and_leaves_no_file(settings, tmp_path, arguments,
                                                                                       named):
    (tmp_path / "findes.toml").write_text("# someone's file\n")
    bank = tmp_path / "bank"
    bank.mkdir()
    (bank / "uden_personale.toml").write_text(  # a municipality's own bank theme with citizen items only
        (QUESTIONNAIRE_DIR / "bank" / "livskvalitet.toml").read_text(encoding="utf-8").split("[[staff]]")[0]
        .replace('theme = "livskvalitet"', 'theme = "uden_personale"'), encoding="utf-8")
    given = [a.format(tmp=tmp_path) for a in arguments]
    defaults = {"--id": "ny", "--out": f"{tmp_path}/ny.toml"}
    given += [a for flag, value in defaults.items() if flag not in given for a in (flag, value)]
    ran = await sammen(settings, "questionnaire", "derive", *given)
    assert ran.code == 2 and named.format(tmp=tmp_path) in ran.err, ran.err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bank", "findes.toml"]
    assert (tmp_path / "findes.toml").read_text() == "# someone's file\n"


async def test_the_admin_api_derives_the_same_file_and_refuses_by_field(client, admin_headers, settings, tmp_path):
    r = await client.post("/api/admin/questionnaires/derive", headers=admin_headers,
                          json={"themes": RANKED, "id": "afledt"})
    assert r.status_code == 200, r.text
    ran = await sammen(settings, "questionnaire", "derive", *[a for t in RANKED for a in ("--theme", t)],
                       "--id", "afledt", "--out", str(tmp_path / "afledt.toml"))
    assert ran.code == 0 and r.json()["text"] == (tmp_path / "afledt.toml").read_text()
    assert r.json()["staff_text"] is None
    for body, field in (({"themes": ["ingen"], "id": "x"}, "themes"), ({"themes": [], "id": "x"}, "themes"),
                        ({"themes": ["indflydelse"], "id": "borger"}, "id")):
        refused = await client.post("/api/admin/questionnaires/derive", headers=admin_headers, json=body)
        assert refused.status_code == 422 and refused.json()["errors"][0]["field"] == field, refused.text
    malformed = await client.post("/api/admin/questionnaires/derive", headers=admin_headers,
                                  json={"themes": ["Ikke gyldig"], "id": "x"})
    assert malformed.status_code == 400 and "themes" in malformed.text
    assert (await client.post("/api/admin/questionnaires/derive", json={"themes": RANKED, "id": "y"})
            ).status_code == 401


@pytest.mark.parametrize(("change", "told"), [
    (lambda t: t.replace('theme = "livskvalitet"', 'theme = "andet_navn"'),
     "$.theme: 'andet_navn' must be the file's name (livskvalitet)"),
    (lambda t: t.replace('type = "agreement"', 'type = "yes_no"', 1), "$.citizen[0].type: a bank item is an agreement"),
    (lambda t: t.replace('id = "gode_dage"', 'id = "livet_godt"'), "$.citizen[2].id: item id 'livet_godt' is used in"),
    (lambda t: t.replace("[[citizen]]", "[[borger]]", 1), "unknown field `borger`"),
])
def test_a_bad_bank_file_is_refused_with_its_file_path_and_reason(tmp_path, change, told):
    text = (QUESTIONNAIRE_DIR / "bank" / "livskvalitet.toml").read_text(encoding="utf-8")
    (tmp_path / "livskvalitet.toml").write_text(change(text), encoding="utf-8")
    with pytest.raises(BankError) as refused:
        load_bank(tmp_path)
    assert str(refused.value).startswith(f"{tmp_path / 'livskvalitet.toml'}: ") and told in str(refused.value)
