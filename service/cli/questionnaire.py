"""`sammen questionnaire derive`: a questionnaire file of the municipality's own from the
quality themes chosen (service/surveys/derive.py), written whole or not at all."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import NoReturn

import asyncpg

from service import files
from service.admin import audit
from service.admin.access import evaluation_exists
from service.cli.arguments import identifier, key, whole
from service.cli.command import Command, Group, arg
from service.cli.connection import with_connection
from service.config import Settings
from service.errors import FieldError, Invalid
from service.surveys.derive import derive_in


def derive(settings: Settings, *, theme: list[str] | None, from_importance: int | None, top: int, id: str,
           out: Path, staff: Path | None, bank: Path | None) -> str:
    folder = Path(settings.questionnaire_dir)
    if from_importance is not None:
        if theme:
            told = "give --theme or --from-importance, not both"
            raise Invalid([FieldError("--theme", told, told)])
        theme = asyncio.run(with_connection(settings, lambda conn: ranked(conn, settings, from_importance, top)))
    try:
        made = derive_in(folder, theme or [], id, staff=staff is not None, bank=bank)
    except Invalid as invalid:  # the argument as typed
        raise Invalid([FieldError(f"--{e.field}", e.message, e.message_en) for e in invalid.errors]) from None
    outputs: list[files.NewFile] = []
    with files.all_or_none(outputs):  # both files, or neither
        for path, option, text in ((out, "--out", made.text), (staff, "--staff", made.staff_text)):
            if path is not None and text is not None:
                outputs.append(files.NewFile(path, option, hint="a file name not taken"))
                outputs[-1].write(text)
        for output in outputs:
            output.publish()
    written = [f"{out}: {made.questionnaire_id}, {made.items} items on the themes {', '.join(made.themes)}"]
    if staff is not None:
        written.append(f"{staff}: {made.questionnaire_id}_medarbejder, staff items on {', '.join(made.staff_themes)}")
    return "\n".join([
        "Written:", *(f"  {w}" for w in written),
        "Review before the first wave: the title and intro, every item's wording for your citizens,",
        "the key outcome and joint indicator under [analysis] (the first themes given), and, for staff,",
        "a collaboration matrix if you want relational coordination. Put the file in",
        f"SAMMEN_QUESTIONNAIRE_DIR ({folder}); the next start loads and checks it."])


async def ranked(conn: asyncpg.Connection, settings: Settings, evaluation: int, top: int) -> list[str]:
    """The item-bank themes of the `top` most important options of the evaluation's first
    best–worst question that names them (by the logit's utility; by the counting score
    where the logit has none), as `sammen analyse importance` ranks them. The read is
    audited as the measure's is."""
    from service.analysis.measures.importance.definition import MEASURE, Parameters
    from service.analysis.measures.measure import rows

    if not await evaluation_exists(conn, evaluation):
        _refuse("--from-importance", f"evaluation {evaluation} does not exist")
    chosen = Parameters()
    found = await MEASURE.compute(conn, evaluation, settings.min_group_size, chosen)
    await audit.record(conn, "cli", "read", audit.read_subject(evaluation, MEASURE.name, MEASURE.audited(chosen)),
                       {"rows": rows(found)})
    for result in found:
        named = [t for t in result.themes if t.theme and (t.utility or t.score)]
        if result.suppressed or not named:
            continue
        named.sort(key=lambda t: -(t.utility.estimate if t.utility else t.score.estimate if t.score else 0.0))
        return list(dict.fromkeys(t.theme for t in named if t.theme))[:top]
    return _refuse("--from-importance", f"evaluation {evaluation} has no best–worst question with answers above the "
                   "threshold whose options name item-bank themes")


def _refuse(field: str, told: str) -> NoReturn:
    raise Invalid([FieldError(field, told, told)])


GROUPS = [Group(words=("questionnaire",), help="questionnaires of one's own, from the item bank")]

COMMANDS = [
    Command(words=("questionnaire", "derive"), help="write a questionnaire file from ranked quality themes and the "
            "item bank", run=derive, needs="settings", prints="text", arguments=(
                arg("--theme", action="append", type=key,
                    help="a theme of the item bank, most important first (repeat it)"),
                arg("--from-importance", type=identifier, metavar="EVALUATION",
                    help="the themes of an evaluation's best–worst question, most important first"),
                arg("--top", type=whole(1, 20, "a number of themes from 1 to 20"), default=3,
                    help="with --from-importance: how many themes (default 3)"),
                arg("--id", required=True, type=key, help="the new questionnaire's id, e.g. egen_borger"),
                arg("--out", required=True, type=Path, help="the file to write (refused if it exists)"),
                arg("--staff", type=Path, help="also write the staff questionnaire of the same themes here"),
                arg("--bank", type=Path, help="the item bank folder (default: SAMMEN_QUESTIONNAIRE_DIR/bank)"))),
]
