"""One set of helpers for the tests, the benchmarks and docs/screenshots.py, so that each
thing a test needs is done one way: start the service, set up an evaluation through the
product's own admin functions, answer a questionnaire (JSON or form), read back what was
stored. Nothing here imports pytest: benchmarks and the screenshot script run without it.

    product     the few product internals the helpers reach (one place to change them)
    database    a scratch PostgreSQL, migrated and loaded with the questionnaires
    service     `sammen serve` on a free port, up once /healthz answers
    evaluation  organisation, units, evaluation, waves and invitations via service.admin
    small_evaluation  units with exact numbers of answers, written straight into the tables
    answers     a valid answer to every item of a questionnaire, the JSON API's shape
    form        the same answers as the no-JavaScript form sends them, page by page
    readback    what was stored for a token
    budgets     limits the product promises, checked by tests and the benchmark alike
    backups     a database of its own, its rows at once, crafted and foreign pg_dump archives
    docs        the manuals' runnable blocks (README.md, docs/*.md), run as a reader runs them
    browser     Debian's Chromium and the devices: a phone, a tablet, a laptop
"""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
QUESTIONNAIRE_DIR = ROOT / "questionnaires"
ADMIN_KEY = "test-admin-key-0123456789-abcdefghij"  # 32+ characters: the service refuses shorter keys
SECRET = "test-server-secret-0123456789-abcdefghij"  # the pseudonyms' secret of test runs (32+ characters)
