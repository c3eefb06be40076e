# Shared by scripts/demo and scripts/test: make .venv with the project installed.
# The install runs only when pyproject.toml or the extras asked for changed since the last
# one (a stamp in .venv records them) or the installed package is not this checkout's.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
"$PYTHON" -c 'import sys; assert sys.version_info >= (3, 11), "Sammen needs Python 3.11 or newer"'
[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
EXTRAS=${EXTRAS:-}
STAMP=.venv/.sammen-install
want="$({ cat pyproject.toml; .venv/bin/python --version; } | sha256sum | cut -d' ' -f1) ${EXTRAS}"
have="$(cat "$STAMP" 2>/dev/null || true)"
installed_here() {  # -I: the installed package, not the folder we stand in
  .venv/bin/python -I -c 'import pathlib, sys, service
sys.exit(pathlib.Path(service.__file__).resolve().parents[1] != pathlib.Path(sys.argv[1]).resolve())' "$PWD" 2>/dev/null
}
# the same pyproject with the same extras, or with [test] when none are asked for
if { [ "$have" = "$want" ] || { [ -z "$EXTRAS" ] && [ "${have%% *}" = "${want%% *}" ]; }; } && installed_here; then
  return 0 2>/dev/null || exit 0
fi
echo "Installing Sammen${EXTRAS:+ with $EXTRAS} into .venv ..." >&2
.venv/bin/python -m pip install --quiet --disable-pip-version-check --upgrade pip >/dev/null 2>&1 || true
# (lines about this machine's extra package index locations are pip's noise, not ours;
# pip compiles every module ahead: --no-compile saved 12 s of the install and, in the one run
# measured, cost more in the first tests: the notebooks took 42 worker-s instead of 25, their
# kernels and the served processes compiling what they import)
.venv/bin/python -m pip install --quiet --disable-pip-version-check -e ".${EXTRAS}" 2>&1 \
  | { grep -v "^WARNING: Location" || true; } >&2
installed_here || { echo "install failed: .venv cannot import this checkout's service package" >&2; exit 1; }
echo "$want" > "$STAMP"
