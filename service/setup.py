"""Getting a database ready to serve: the migrations, then the questionnaire files, both
under the same advisory lock, so several processes may start at once. Used by the web
service, the CLI and the tests alike."""

from __future__ import annotations

import logging

from service import db
from service.config import Settings
from service.migrate import migrate
from service.surveys import loader, store

log = logging.getLogger(__name__)


async def prepare_database(url: str, settings: Settings) -> None:
    """Migrate and load the questionnaire folder; refuses to start on a bad file, and then
    has stored none of the folder's files."""
    files = loader.load_dir(settings.questionnaire_dir)  # read every file before touching the database
    async with db.connection(url) as conn:
        applied = await migrate(conn)
        if applied:
            log.info("applied migrations %s", applied)
        try:
            await store.sync_questionnaires(conn, list(files.values()))
        except loader.QuestionnaireError as exc:
            source = next((path for path, q in files.items() if (q.id, q.version) == exc.version), None)
            raise (loader.QuestionnaireError(f"{source}: {exc}", exc.version) if source else exc) from None
