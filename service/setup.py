"""Getting a database ready to serve: the migrations, then the questionnaire files, both
under the same advisory lock, so several processes may start at once. Used by the web
service, the CLI and the tests alike."""

from __future__ import annotations

import logging

import asyncpg

from service import db
from service.config import Settings
from service.migrate import migrate
from service.surveys import loader, store

log = logging.getLogger(__name__)


async def prepare_database(url: str, settings: Settings) -> None:
    """Migrate and load the questionnaire folder; refuses to start on a bad file, and then
    has stored none of the folder's files."""
    questionnaires = loader.load_dir(settings.questionnaire_dir)  # read every file before touching the database
    conn = await asyncpg.connect(url)
    try:
        await db._init_connection(conn)
        applied = await migrate(conn)
        if applied:
            log.info("applied migrations %s", applied)
        await store.sync_questionnaires(conn, questionnaires)
    finally:
        await conn.close()
