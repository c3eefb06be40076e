"""`sammen questionnaire derive`: a questionnaire file of the municipality's own from the
quality themes chosen (service/surveys/derive.py), written whole or not at all."""

from __future__ import annotations

from pathlib import Path

from service import files
from service.cli.arguments import key
from service.cli.command import Command, Group, arg
from service.config import Settings
from service.errors import FieldError, Invalid
from service.surveys.derive import derive_in


def derive(settings: Settings, *, theme: list[str] | None, id: str, out: Path, staff: Path | None,
           bank: Path | None) -> str:
    folder = Path(settings.questionnaire_dir)
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


GROUPS = [Group(words=("questionnaire",), help="questionnaires of one's own, from the item bank")]

COMMANDS = [
    Command(words=("questionnaire", "derive"), help="write a questionnaire file from ranked quality themes and the "
            "item bank", run=derive, needs="settings", prints="text", arguments=(
                arg("--theme", action="append", type=key,
                    help="a theme of the item bank, most important first (repeat it)"),
                arg("--id", required=True, type=key, help="the new questionnaire's id, e.g. egen_borger"),
                arg("--out", required=True, type=Path, help="the file to write (refused if it exists)"),
                arg("--staff", type=Path, help="also write the staff questionnaire of the same themes here"),
                arg("--bank", type=Path, help="the item bank folder (default: SAMMEN_QUESTIONNAIRE_DIR/bank)"))),
]
