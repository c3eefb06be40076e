# Shared by scripts/demo and scripts/test: make .venv with the project installed.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
"$PYTHON" -c 'import sys; assert sys.version_info >= (3, 11), "Sammen needs Python 3.11 or newer"'
[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
.venv/bin/python -m pip install --quiet --disable-pip-version-check --upgrade pip >/dev/null 2>&1 || true
.venv/bin/python -m pip install --quiet --disable-pip-version-check -e ".${EXTRAS:-}" 2>&1 | grep -v "^WARNING: Location" || true
.venv/bin/python -c 'import service' || { echo "install failed" >&2; exit 1; }
